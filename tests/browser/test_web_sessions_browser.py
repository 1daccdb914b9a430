"""Sessions and password resets in Chromium: a cookie saved before signing out opens nothing, the
cookie is an opaque HttpOnly id, and a reset password must be changed before anything else."""

from __future__ import annotations

import re

from conftest import PASSWORD, sign_in


def test_a_cookie_saved_before_signing_out_opens_nothing_afterwards(browser, world, tmp_path):
    context = browser.new_context(base_url=world.base_url)
    page = context.new_page()
    try:
        sign_in(page, world.base_url, "manager")
        cookie = next(c for c in context.cookies() if c["name"] == "carewise_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie["value"]), "an opaque random id"
        saved = tmp_path / "saved.json"
        context.storage_state(path=str(saved))
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/login")
    finally:
        context.close()
    replay = browser.new_context(base_url=world.base_url, storage_state=str(saved))
    try:
        page = replay.new_page()
        page.goto("/children")
        assert "/login" in page.url, "the saved cookie's session ended at sign-out"
    finally:
        replay.close()


def test_an_admin_resets_a_password_and_the_user_must_choose_a_new_one(as_role, browser, world):
    from carewise.store.accounts import create_user, find_user

    if find_user(world.store, "reset.me@example.org") is None:
        create_user(world.store, "reset.me@example.org", PASSWORD, "analyst", councils=[world.la_code])
    admin = as_role("admin").page
    admin.goto("/admin/users/reset.me@example.org")
    admin.get_by_role("button", name="Reset password").click()
    temporary = admin.locator("#temporary-password").inner_text().strip()
    assert len(temporary) >= 12

    context = browser.new_context(base_url=world.base_url)
    try:
        page = context.new_page()
        page.goto("/login?next=/imports")  # a light page to land on: the dashboard is slow under load
        page.fill("#username", "reset.me@example.org")
        page.fill("#password", temporary)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/account/password**")
        page.goto("/children")
        assert "/account/password" in page.url, "nothing else until the password is changed"
        page.goto("/account/password?next=/imports")
        page.fill("#current_password", temporary)
        page.fill("#new_password", "password1234")
        page.fill("#confirm_password", "password1234")
        page.get_by_role("button", name="Change password").click()
        assert "common passwords" in page.locator("#new_password-error").inner_text()
        page.fill("#current_password", temporary)
        page.fill("#new_password", "orange kites over the bay")
        page.fill("#confirm_password", "orange kites over the bay")
        page.get_by_role("button", name="Change password").click()
        page.wait_for_url(f"{world.base_url}/imports")
        assert page.locator("h1").is_visible()
    finally:
        context.close()
