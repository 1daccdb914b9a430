"""Issue 16 item 6: pages usable at 375 px (a phone): wide tables scroll inside their own
keyboard-focusable region, so the page itself is never wider than the screen."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("path", ["/compliance", "/compliance/worklist", "/compliance/leavers", "/children"])
def test_page_is_no_wider_than_a_phone(as_role, world, compliance_loaded, path):
    page = as_role("analyst").page
    page.set_viewport_size(PHONE)
    response = page.goto(path)
    assert response.status == 200
    assert page.locator("table").count() > 0
    assert _page_width(page) <= PHONE["width"], path
    regions = page.locator(".carewise-table-wrap[role=region][tabindex='0']")
    assert regions.count() == page.locator("table").count()
    page.screenshot(path=str(world.screenshots / f"phone{path.replace('/', '-')}.png"), full_page=True)


def test_a_child_page_is_no_wider_than_a_phone(as_role, world, child_ref):
    page = as_role("analyst").page
    page.set_viewport_size(PHONE)
    assert page.goto(f"/children/{child_ref}").status == 200
    assert _page_width(page) <= PHONE["width"]
