"""Issue 16 item 6: the child list is paginated (50 a page) and searchable by reference."""

from __future__ import annotations

import re

import pytest
from web_helpers import page_text, sign_in, synthetic_app

PASSWORD = "child-list-password-1"
ROW = re.compile(r'href="/children/[0-9a-f]{24}">([^<]+)</a>')


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app, _, _ = synthetic_app(tmp_path_factory.mktemp("web-child-list"), ("analyst",), PASSWORD, 160,
                              "2023-24..2024-25", seed=9)
    return sign_in(app, "analyst", PASSWORD)


def test_the_list_comes_in_pages_of_fifty(client):
    first = client.get("/children")
    total = int(re.search(r"([\d,]+) children looked after at the end", page_text(first.text))
                .group(1).replace(",", ""))
    assert total > 50
    pages = -(-total // 50)
    refs = ROW.findall(first.text)
    assert len(refs) == 50 and f"Page 1 of {pages}" in page_text(first.text)
    last = client.get("/children", params={"page": pages})
    last_refs = ROW.findall(last.text)
    assert len(last_refs) == total - 50 * (pages - 1) and not set(refs) & set(last_refs)
    assert 'rel="prev"' in last.text and 'rel="next"' not in last.text


def test_search_by_reference_finds_the_child(client):
    wanted = ROW.findall(client.get("/children", params={"page": 2}).text)[0]
    found = ROW.findall(client.get("/children", params={"q": wanted}).text)
    assert wanted in found and all(wanted.lower() in r.lower() for r in found)


def test_a_childs_codes_are_shown_with_their_meaning(client):
    first = re.search(r'href="(/children/[0-9a-f]{24})"', client.get("/children").text).group(1)
    text = page_text(client.get(first).text)
    assert re.search(r"Sex [12MF] – (Male|Female)", text)
    assert re.search(r"Ethnicity [A-Z]{4} – \w", text)
