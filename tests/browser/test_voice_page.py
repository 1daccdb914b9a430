"""The voice page in a real browser: what children told us per pledge, "you said, we did", no
WCAG 2.2 A/AA violations; panel users see no link to forms with child references."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def voice_loaded(world, tmp_path_factory):
    from carewise.compliance.pledges import list_pledges, save_pledges
    from carewise.synth.extracts import write_extracts
    from carewise.synth.voice import PLEDGES, generate_voice
    from carewise.voice.extracts import read_voice
    from carewise.voice.storage import import_voice

    if not list_pledges(world.store, world.la_code):
        save_pledges(world.store, world.la_code, list(PLEDGES))
    folder = tmp_path_factory.mktemp("voice")
    import_voice(world.store, world.la_code, read_voice(write_extracts(generate_voice(date.today(), 5), folder)))
    return world


def test_voice_page_reads_well_and_has_no_wcag_violations(as_role, voice_loaded):
    b = as_role("analyst", bypass_csp=True)
    page = b.page
    page.goto("/voice")
    assert page.get_by_role("heading", name="What children told us", level=1).is_visible()
    assert page.locator("#pledge-P1 table").is_visible()
    assert page.get_by_text("overdue for a response").is_visible()
    assert page.get_by_role("link", name="Review consultation forms").is_visible()
    page.screenshot(path=str(voice_loaded.screenshots / "analyst-voice.png"), full_page=True)
    assert axe_violations(page) == []


def test_panel_sees_the_page_without_the_forms_link(as_role, voice_loaded):
    page = as_role("panel").page
    page.goto("/voice")
    assert page.locator("#pledge-P1").is_visible()
    assert page.get_by_role("link", name="Review consultation forms").count() == 0
