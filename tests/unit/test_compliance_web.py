"""Compliance pages through FastAPI's TestClient: aggregates for all, worklists audited."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

PASSWORD = "compliance-pages-password-1"
ROLES = ("analyst", "panel")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from carewise.compliance import pledges as pg
    from carewise.compliance.extracts import read_extracts
    from carewise.compliance.storage import import_extracts
    from carewise.importing import import_paths
    from carewise.settings import Settings
    from carewise.store import Store
    from carewise.store.accounts import create_user
    from carewise.synth import generate_council, write_council
    from carewise.synth.extracts import generate_extracts, write_extracts
    from carewise.web import create_app
    from carewise.web.pages_compliance import router

    root = tmp_path_factory.mktemp("web-compliance")
    council = generate_council(80, "2024-25", seed=5)
    url = f"sqlite:///{root / 'carewise.db'}"
    store = Store(url)
    import_paths(store, [write_council(council, root / "synth")], la_code=council.la_code,
                 council_name=council.la_name, synthetic=True, validate=False)
    written = write_extracts(generate_extracts(store.load_history(council.la_code), 2), root / "ext")
    import_extracts(store, council.la_code, read_extracts(written))
    pg.save_pledges(store, council.la_code, [pg.Pledge("P1", "We will see you at least every six weeks",
                                                       "children", "visits_on_time", 90)])
    pg.add_action(store, council.la_code, "1.1", "Rec 1", "Train managers", "Head of L&D", date(2025, 9, 30))
    for role in ROLES:
        create_user(store, role, PASSWORD, role, display_name=f"Test {role}", councils=[council.la_code])
    app = create_app(url, Settings(data_dir=root / "data"))
    if not any(getattr(r, "path", "") == "/compliance" for r in app.routes):
        app.include_router(router)
    return app, store


def client_for(app, role: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    signed = client.post("/login", data={"username": role, "password": PASSWORD, "csrf_token": token, "next": "/"},
                         follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return client


def test_summary_leavers_and_pledges_for_every_role(world):
    app, _ = world
    for role in ROLES:
        c = client_for(app, role)
        page = c.get("/compliance")
        assert page.status_code == 200 and "Statutory visits on time" in page.text
        assert c.get("/compliance/leavers").status_code == 200
        pledges = c.get("/compliance/pledges")
        assert "We will see you at least every six weeks" in pledges.text and "Train managers" in pledges.text


def test_worklist_is_for_roles_that_see_children_and_every_view_is_audited(world):
    from carewise.store.audit import events

    app, store = world
    assert client_for(app, "panel").get("/compliance/worklist", follow_redirects=False).status_code in (303, 403)
    analyst = client_for(app, "analyst")
    before = len(events(store, action="view-child-list"))
    page = analyst.get("/compliance/worklist")
    assert page.status_code == 200 and "Compliance worklist" in page.text
    assert len(events(store, action="view-child-list")) == before + 1
    book = analyst.get("/compliance/worklist.xlsx")
    assert book.status_code == 200 and book.content[:2] == b"PK"
    assert events(store, action="export")[0].target == "compliance-worklist.xlsx"


def test_care_leavers_page_is_worked_out_once_per_data_version_and_its_links_lead_somewhere(world, monkeypatch):
    from carewise.compliance import leavers as lv

    app, _ = world
    calls = []
    real = lv.leavers
    monkeypatch.setattr(lv, "leavers", lambda *a, **k: calls.append(1) or real(*a, **k))
    if hasattr(app.state, "compliance"):
        delattr(app.state, "compliance")  # a cold cache
    c = client_for(app, "analyst")
    pages = [c.get("/compliance/leavers") for _ in range(3)]
    assert all(p.status_code == 200 for p in pages)
    assert len(calls) == 1, "the second and third visits use the cached figures"
    links = set(re.findall(r'href="(/[^"#?]*)', pages[0].text)) - {"/api/openapi.json"}
    assert "/forecast/pa-caseload" in links
    for link in links:
        assert c.get(link).status_code != 404, link


def test_the_worklist_download_writes_names_and_ids_as_text_never_formulas(world, monkeypatch):
    import io

    import openpyxl
    import polars as pl

    from carewise.compliance import views

    app, _ = world
    hostile = pl.DataFrame({"CHILD": ["=HYPERLINK(\"http://evil.example\")"], "worker": ["@SUM(A1)"],
                            "next_due": [date(2025, 1, 1)]})
    monkeypatch.setattr(views, "worklist", lambda *a, **k: hostile)
    book = openpyxl.load_workbook(io.BytesIO(client_for(app, "analyst").get("/compliance/worklist.xlsx").content))
    sheet = book["Worklist"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("'=HYPERLINK(\"http://evil.example\")", "s")
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("'@SUM(A1)", "s")
    assert not [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_worklist_download_has_the_pages_rows_for_its_search_and_says_what_it_is(world):
    """The Excel worklist holds the rows the page shows for the same 'what is due' and child
    search (issue 16 item 6), and its About sheet names the council, date, filters and that the
    data are synthetic (item 1)."""
    import io

    import openpyxl

    app, _ = world
    analyst = client_for(app, "analyst")
    whole = openpyxl.load_workbook(io.BytesIO(analyst.get("/compliance/worklist.xlsx").content))
    rows = list(whole["Worklist"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    req_col, child_col = header.index("requirement"), header.index("CHILD")
    requirement = body[0][req_col]
    wanted = [r for r in body if r[req_col] == requirement]
    child = str(wanted[0][child_col])[:3]
    expected = [r for r in wanted if child.lower() in str(r[child_col]).lower()]
    got = analyst.get(f"/compliance/worklist.xlsx?requirement={requirement}&q={child}")
    assert "synthetic" in got.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(got.content))
    assert list(book["Worklist"].iter_rows(values_only=True))[1:] == expected
    assert 0 < len(expected) < len(body)
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Synthetic"].startswith("Synthetic data")
    assert f"child reference contains: {child}" in about["Filters"]
