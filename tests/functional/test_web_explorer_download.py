"""Issue 16 items 1 and 4: the explorer download stores figures as numbers (not "1,047" text),
says why a blank is blank, and carries the period, filters, audience and the word synthetic."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from web_helpers import sign_in, synthetic_app

PASSWORD = "explorer-download-password-1"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app, _, council = synthetic_app(tmp_path_factory.mktemp("web-explorer-download"), ("panel",), PASSWORD, 40,
                                    "2023-24..2024-25", seed=8)
    client = sign_in(app, "panel", PASSWORD)
    client.sex = app.state.data.filter_options(council.la_code, "2024-25")["sex"][0]
    return client


def test_excel_download_has_numbers_and_an_about_sheet(client):
    r = client.get("/population/download", params={"format": "xlsx", "period": "2024-25", "sex": client.sex})
    assert 'filename="carewise-synthetic-population-' in r.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    data, about = book.worksheets
    heads = [c.value for c in data[1]]
    value, note = heads.index("value"), heads.index("note")
    rows = [[c.value for c in row] for row in data.iter_rows(min_row=2)]
    assert any(isinstance(row[value], int | float) for row in rows)
    assert all(row[value] is None or isinstance(row[value], int | float) for row in rows)
    assert all(row[note] for row in rows if row[value] is None)
    facts = {row[0].value: row[1].value for row in about.iter_rows()}
    assert facts["Synthetic"].startswith("Synthetic data") and facts["Audience"] == "panel"
    assert facts["Filters"] == f"sex: {client.sex}" and facts["Period"]
    assert data.freeze_panes == "A2"


def test_csv_download_has_no_text_numbers(client):
    r = client.get("/population/download", params={"format": "csv"})
    assert 'filename="carewise-synthetic-population-' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and all(row["value"] == "" or float(row["value"]) >= 0 for row in rows)
