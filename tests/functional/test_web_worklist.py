"""Issue 16 item 6: the compliance worklist in pages of 50, searchable by child reference, team and
what is due; only roles that may see children reach it, and every page viewed is audited."""

from __future__ import annotations

import re

import pytest
from web_helpers import load_compliance_extracts, page_text, sign_in, synthetic_app

PASSWORD = "worklist-pages-password-1"
ROW = re.compile(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell"><a class="govuk-link" '
                 r'href="/children/[0-9a-f]{24}">([^<]+)</a></td>\s*<td class="govuk-table__cell">([^<]+)</td>'
                 r'.*?<td class="govuk-table__cell">([^<]*)</td>\s*</tr>', re.S)
CAPTION = re.compile(r"([\d,]+) things overdue or due in the next fortnight")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-worklist")
    app, store, council = synthetic_app(root, ("analyst", "panel"), PASSWORD, 200, "2023-24..2024-25", seed=9)
    load_compliance_extracts(store, council.la_code, root)
    return app, store, sign_in(app, "analyst", PASSWORD)


def _rows(html: str) -> list[tuple[str, str, str]]:
    return ROW.findall(html)


def test_the_worklist_comes_in_pages_of_fifty(world):
    _, _, client = world
    first = client.get("/compliance/worklist").text
    total = int(CAPTION.search(page_text(first)).group(1).replace(",", ""))
    assert total > 50, "the synthetic council should need more than one page"
    pages = -(-total // 50)
    assert len(_rows(first)) == 50 and f"page 1 of {pages}" in page_text(first)
    last = client.get("/compliance/worklist", params={"page": pages}).text
    assert len(_rows(last)) == total - 50 * (pages - 1)
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_search_by_child_team_and_what_is_due(world):
    _, _, client = world
    child, title, team = _rows(client.get("/compliance/worklist", params={"page": 2}).text)[0]
    by_child = _rows(client.get("/compliance/worklist", params={"q": child}).text)
    assert by_child and all(child in c for c, _, _ in by_child)
    by_team = _rows(client.get("/compliance/worklist", params={"team": team}).text)
    assert by_team and {t for _, _, t in by_team} == {team}
    options = dict(re.findall(r'<option value="([a-z_]+)" >([^<]+)</option>',
                              client.get("/compliance/worklist").text))
    requirement = next(v for v, t in options.items() if t == title)
    due = client.get("/compliance/worklist", params={"requirement": requirement}).text
    assert _rows(due) and {t for _, t, _ in _rows(due)} == {title}
    assert "(of " in page_text(due)


def test_each_page_viewed_is_audited_and_panel_members_are_refused(world):
    app, store, client = world
    from carewise.store import audit

    client.get("/compliance/worklist", params={"page": 2, "q": "1"})
    entry = next(e for e in audit.events(store, action="view-child-list") if e.target == "compliance-worklist")
    assert entry.detail["page"] == 2 and entry.detail["searched"] is True
    panel = sign_in(app, "panel", PASSWORD)
    assert panel.get("/compliance/worklist", params={"page": 2}).status_code == 403


def test_the_pledges_page_follows_a_changed_pledge(world):
    """The pledges page is cached per data version and the pledges as stored: a new target shows."""
    from dataclasses import replace

    from carewise.compliance.pledges import save_pledges
    from carewise.synth.voice import PLEDGES

    app, store, client = world
    la_code = store.councils()[0].la_code
    save_pledges(store, la_code, list(PLEDGES))
    first = page_text(client.get("/compliance/pledges").text)
    assert re.search(r"P1\. Making sure you see your social worker on your own .*? 80 ", first)
    save_pledges(store, la_code, [replace(PLEDGES[0], target=77), *PLEDGES[1:]])
    again = page_text(client.get("/compliance/pledges").text)
    assert re.search(r"P1\. Making sure you see your social worker on your own .*? 77 ", again)
