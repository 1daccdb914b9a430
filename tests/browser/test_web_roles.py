"""Roles in the browser: what a panel member cannot reach, what they see instead, and the audit
trail of every view of a child's record."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_a_panel_member_cannot_reach_children_even_by_address(as_role, world, child_ref):
    b = as_role("panel")
    page = b.page
    page.goto("/")
    nav = page.locator("nav").first
    links = nav.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert not {"/children", "/imports", "/admin/audit"} & set(links), links  # the voice page's "Children's views" is theirs
    for path in ("/children", f"/children/{child_ref}", "/imports", "/admin/audit", "/admin/users"):
        response = page.goto(path)
        assert response.status == 403, path
        assert page.locator("h1").inner_text() == "You do not have access to this page", path
        assert child_ref not in page.content()
    page.screenshot(path=str(world.screenshots / "forbidden-panel.png"), full_page=True)
    response = page.goto("/api/v1/children")
    assert response.status == 403
    response = page.goto("/pack/download?audience=internal&format=html")
    assert response.status == 403
    page.goto("/pack")
    assert page.locator("#audience-internal").count() == 0


def test_panel_figures_show_x_where_analysts_see_small_counts(as_role, world):
    panel = as_role("panel").page
    analyst = as_role("analyst").page
    panel.goto("/population")
    analyst.goto("/population")
    hidden = _cells(panel)
    shown = _cells(analyst)
    suppressed = [k for k, v in hidden.items() if v == "x"]
    assert suppressed, "a small council has groups under 5 in some breakdown"
    for key in suppressed[:10]:
        assert shown[key] != "x", key
    assert any(v not in ("x", "–", "") and float(v.replace(",", "")) < 5 for v in shown.values()
               if v.replace(",", "").replace(".", "").isdigit()), "the analyst sees the small counts"
    assert "x" not in shown.values()
    panel.screenshot(path=str(world.screenshots / "population-panel.png"), full_page=True)


def _cells(page) -> dict[tuple[str, str, str], str]:
    """(table caption, group, category) -> figure, for every measure table on the page."""
    rows = page.evaluate("""() => {
        const out = [];
        for (const table of document.querySelectorAll('table.govuk-table')) {
            const caption = table.querySelector('caption')?.textContent.trim() ?? '';
            let group = '';
            for (const tr of table.querySelectorAll('tbody tr')) {
                const cells = tr.querySelectorAll('th, td');
                if (cells.length === 1) { group = cells[0].textContent.trim(); continue; }
                out.push([caption.split(':')[0], group, cells[0].textContent.trim(),
                          cells[1].textContent.trim()]);
            }
        }
        return out;
    }""")
    return {(c, g, k): v for c, g, k, v in rows}


def test_viewing_a_child_is_written_to_the_audit_trail(as_role, world, child_ref):
    manager = as_role("manager").page
    response = manager.goto(f"/children/{child_ref}")
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    heading = manager.locator("h1").inner_text()
    child_id = heading.removeprefix("Child ").strip()
    assert child_id and child_id not in manager.url, "the address carries the opaque reference only"
    manager.screenshot(path=str(world.screenshots / "child.png"), full_page=True)

    admin = as_role("admin").page
    admin.goto("/admin/audit?action=view-child")
    first = admin.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first[1] == "manager" and first[2] == "view-child" and first[3] == world.la_code
    assert child_ref in first[4]
    assert child_id not in admin.locator("tbody").inner_text(), "the audit trail holds no CHILD id"
    assert re.fullmatch(r"\d[\d,]* entries", admin.locator("caption").inner_text())


def test_the_list_of_children_links_each_child_by_reference(as_role, world):
    page = as_role("analyst").page
    page.goto("/children")
    links = page.locator("tbody a")
    assert links.count() == 50, "a page of the list holds 50 children (issue 16)"
    for i in range(3):
        link = links.nth(i)
        href = link.get_attribute("href")
        assert re.fullmatch(r"/children/[0-9a-f]{24}", href)
        assert link.inner_text() not in href


def test_an_admin_adds_a_user_changes_their_role_then_switches_them_off(as_role, world):
    page = as_role("admin").page
    page.goto("/admin/users")
    page.fill("#username", "new.member@example.org")
    page.fill("#display_name", "New Member")
    page.fill("#password", "a-long-enough-password")
    page.select_option("#role", "panel")
    page.check(f"#c-{world.la_code}")
    page.get_by_role("button", name="Add user").click()
    row = page.locator("tbody tr", has_text="new.member@example.org")
    assert "Panel member" in row.inner_text()

    row.locator("select").select_option("manager")
    row.get_by_role("button", name="Change role").click()
    row = page.locator("tbody tr", has_text="new.member@example.org")
    assert "Manager" in row.locator("td").nth(1).inner_text()
    assert "(switched off)" not in row.inner_text(), "changing the role leaves the account on"

    row.get_by_role("button", name="Switch off").click()
    row = page.locator("tbody tr", has_text="new.member@example.org")
    assert "(switched off)" in row.inner_text()
    assert "Manager" in row.locator("td").nth(1).inner_text()

    page.goto("/admin/audit?action=settings-changed")
    assert "new.member@example.org" in page.locator("tbody").inner_text()
