"""axe-core on every page, for each kind of user: no WCAG 2.2 A/AA violations. Screenshots of each
page are kept for a person to look at (``CAREWISE_SCREENSHOTS``)."""

from __future__ import annotations

import pytest

from conftest import axe_violations

pytestmark = pytest.mark.browser

PAGES = [
    ("admin", "/"),
    ("admin", "/population"),
    ("admin", "/stability"),
    ("admin", "/care-leavers"),
    ("admin", "/health"),
    ("admin", "/pack"),
    ("admin", "/children"),
    ("admin", "/children/{child}"),
    ("admin", "/imports"),
    ("admin", "/admin/users"),
    ("admin", "/admin/audit"),
    ("admin", "/no-such-page"),
    ("panel", "/"),
    ("panel", "/population"),
    (None, "/login"),
]


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r or 'anonymous'}:{p}" for r, p in PAGES])
def test_page_has_no_wcag_violations(as_role, world, child_ref, role, path):
    b = as_role(role, bypass_csp=True)
    page = b.page
    page.goto(path.format(child=child_ref))
    where = path.strip("/").replace("/", "-").replace("{child}", "child") or "home"
    name = f"{role or 'anonymous'}-{where}"
    page.screenshot(path=str(world.screenshots / f"{name}.png"), full_page=True)
    assert axe_violations(page) == []


def test_the_sign_in_page_with_errors_has_no_wcag_violations(as_role, world):
    page = as_role(None, bypass_csp=True).page
    page.goto("/login")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert axe_violations(page) == []


def test_axe_does_find_violations_when_there_are_some(as_role, world):
    """The check above can fail: a picture without a text alternative and an unlabelled field."""
    page = as_role("analyst", bypass_csp=True).page
    page.goto("/")
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<img src="/static/govuk/assets/images/favicon.svg">'
                                + '<input type="text" id="unlabelled">');
    }""")
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label"} <= found, found


@pytest.mark.parametrize("path", ["/", "/population", "/children", "/children/{child}", "/admin/audit",
                                  "/admin/users", "/imports"])
def test_pages_reflow_at_320_pixels_without_sideways_scrolling(as_role, world, child_ref, path):
    """WCAG 1.4.10: wide tables scroll inside their own focusable region, not the whole page."""
    b = as_role("admin")
    b.page.set_viewport_size({"width": 320, "height": 700})
    b.page.goto(path.format(child=child_ref))
    width = b.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{path} is {width} px wide"
    if path == "/children":
        b.page.screenshot(path=str(world.screenshots / "admin-children-320px.png"))
