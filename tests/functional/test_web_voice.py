"""Voice pages end to end: /voice for every role (panel sees small groups as x), /voice/forms
only for roles that may see children, audited."""

from __future__ import annotations

from datetime import date

import pytest
from web_helpers import create_users, page_text, sign_in, synthetic_store

PASSWORD = "voice-pages-password-1"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from carewise.compliance.pledges import load_actions, save_pledges
    from carewise.settings import Settings
    from carewise.synth.extracts import write_extracts
    from carewise.synth.voice import PLEDGES, generate_voice, synthetic_actions
    from carewise.voice.extracts import read_voice
    from carewise.voice.storage import import_voice
    from carewise.web import create_app

    root = tmp_path_factory.mktemp("web-voice")
    url, store, council = synthetic_store(root, 60, "2023-24..2024-25", seed=4)
    create_users(store, ("analyst", "panel"), PASSWORD, council.la_code)
    save_pledges(store, council.la_code, list(PLEDGES))
    load_actions(store, council.la_code, synthetic_actions(date.today()))
    children = store.load_history(council.la_code).timeline.children["CHILD"].to_list()
    written = write_extracts(generate_voice(date.today(), 2, children=children), root / "voice")
    reads = read_voice(written)
    import_voice(store, council.la_code, reads)
    return create_app(url, Settings(data_dir=root / "data")), store, council.la_code


def test_voice_page_shows_pledges_asks_and_says_there_is_no_national_comparison(world):
    app, _, _ = world
    text = page_text(sign_in(app, "analyst", PASSWORD).get("/voice").text)
    assert "P1. Making sure you see your social worker on your own" in text
    assert "You said, we did" in text and "overdue" in text
    assert "No national comparison" in text


def test_panel_reaches_the_page_but_not_the_forms_with_child_references(world):
    app, _, _ = world
    client = sign_in(app, "panel", PASSWORD)
    assert client.get("/voice").status_code == 200
    assert client.get("/voice/forms").status_code in (302, 303, 403)


def test_forms_with_child_references_are_audited(world):
    app, store, la = world
    from carewise.store import audit

    page = sign_in(app, "analyst", PASSWORD).get("/voice/forms")
    assert page.status_code == 200 and "/children/" in page.text
    events = audit.events(store, action="view-child-list")
    assert any(e.target == "voice-forms" for e in events)
