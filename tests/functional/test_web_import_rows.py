"""Issue 16 item 6: an import's counts open to the rows behind them (file, row, field, value, rule),
for the roles that import data; children's ids only for roles that may see children; audited."""

from __future__ import annotations

import csv
import re

import pytest
from web_helpers import create_users, page_text, sign_in

PASSWORD = "import-rows-password-1"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A synthetic council whose 2024-25 header has one child's ethnicity made invalid (rule 103),
    imported with validation, and one user per role."""
    from carewise.importing import import_paths
    from carewise.settings import Settings
    from carewise.store import Store
    from carewise.synth import generate_council, write_council
    from carewise.web import create_app

    root = tmp_path_factory.mktemp("web-import-rows")
    council = generate_council(120, "2023-24..2024-25", seed=9)
    folder = write_council(council, root / "synth")
    header = folder / "2024-25" / "header.csv"
    with header.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[2]["ETHNIC"] = "ZZZZ"
    with header.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    url = f"sqlite:///{root / 'carewise.db'}"
    store = Store(url)
    outcome = import_paths(store, [folder], la_code=council.la_code, council_name=council.la_name,
                           synthetic=True)
    assert outcome.stored
    create_users(store, ("admin", "analyst", "manager", "panel"), PASSWORD, council.la_code)
    app = create_app(url, Settings(data_dir=root / "data"))
    batch = next(b for b in store.batches(council.la_code) if b.year.label == "2024-25")
    assert batch.validation["by_rule"].get("103") == 1
    return app, store, batch, rows[2]["CHILD"]


def test_the_rule_error_count_opens_to_its_rows(world):
    app, _, batch, child = world
    client = sign_in(app, "analyst", PASSWORD)
    assert f'href="/imports/{batch.id}#rule-errors"' in client.get("/imports").text
    page = client.get(f"/imports/{batch.id}", params={"rule": "103"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page_text(page.text)
    assert "Rows failing rule 103: 1" in text
    assert re.search(r"103 header\.csv, Excel row 4 ETHNIC ETHNIC .ZZZZ. " + re.escape(child), text)
    assert re.search(rf'href="/children/[0-9a-f]{{24}}">{re.escape(child)}</a>', page.text)


def test_only_roles_that_import_reach_the_rows_and_no_child_id_leaks(world):
    app, _, batch, child = world
    for role in ("panel", "manager"):
        answer = sign_in(app, role, PASSWORD).get(f"/imports/{batch.id}", params={"rule": "103"})
        assert answer.status_code == 403 and child not in answer.text and "ZZZZ" not in answer.text


def test_a_view_of_the_rows_is_audited(world):
    app, store, batch, _ = world
    from carewise.store import audit

    sign_in(app, "admin", PASSWORD).get(f"/imports/{batch.id}", params={"rule": "103"})
    event = audit.events(store, action="view-import-rows", actor="admin")[0]
    assert event.target == str(batch.id) and event.detail == {"rule": "103", "page": 1, "rows": 1}


def test_an_unknown_import_is_not_found(world):
    app, _, _, _ = world
    assert sign_in(app, "analyst", PASSWORD).get("/imports/99999").status_code == 404
