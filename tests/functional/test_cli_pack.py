"""`carewise measures` and `carewise pack` end to end on a synthetic council."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from carewise.cli import app

REQUIRED = {
    "cla_at_date",
    "cla_rate_per_10k",
    "started_in_period",
    "ceased_in_period",
    "ceased_adopted",
    "ceased_sgo",
    "uasc_at_date",
    "placement_type_at_date",
    "foster_in_house_share",
    "stability_three_plus_placements",
    "stability_long_term",
    "adoption_a1_days",
    "adoption_a2_days",
    "care_leavers_in_touch",
    "care_leavers_eet",
    "missing_children",
}


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "council"
    result = CliRunner().invoke(
        app,
        ["synth", "--size", "120", "--years", "2022-23..2024-25", "--seed", "5", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    return out


def _measures(council, *extra):
    result = CliRunner().invoke(
        app, ["measures", "--files", str(council), "--period", "2024-25", "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_measures_json_has_every_required_id(council):
    data = _measures(council)
    assert data["la_code"] == "E06000056"
    by_id = {m["id"]: m for m in data["measures"]}
    assert set(by_id) >= REQUIRED
    cla = by_id["cla_at_date"]
    assert cla["value"] > 0 and cla["numerator"] == cla["value"]
    assert sum(r["numerator"] for r in cla["breakdowns"]["age_band"]["rows"]) == cla["value"]
    rate = by_id["cla_rate_per_10k"]
    assert rate["denominator"] > 10_000 and rate["comparators"][0]["label"] == "England"
    assert {
        "id",
        "value",
        "numerator",
        "denominator",
        "breakdowns",
        "suppressed",
        "display",
        "comparators",
        "dfe_definition",
        "period",
        "available",
        "notes",
    } <= set(cla)


def test_panel_audience_hides_small_counts(council):
    data = _measures(council, "--audience", "panel")
    for m in data["measures"]:
        if m["kind"] == "count" and m["numerator"] is not None:
            assert not 0 < m["numerator"] < 5, m["id"]
        for b in m["breakdowns"].values():
            for row in b["rows"]:
                if row["suppressed"]:
                    assert row["value"] is None
                    assert row["numerator"] is None or row["denominator"] is None
                elif m["kind"] == "count":
                    assert not 0 < row["numerator"] < 5


def test_measures_for_a_quarter_and_a_date(council):
    q = _measures(council, "--period", "2024-Q3")
    assert q["period"]["start"] == "2024-10-01"
    bad = CliRunner().invoke(app, ["measures", "--files", str(council), "--period", "2030-31"])
    assert bad.exit_code == 2 and "after the last return" in bad.output


def test_pack_renders_html_pdf_xlsx_with_the_same_figures(council, tmp_path):
    out = tmp_path / "pack"
    result = CliRunner().invoke(
        app,
        [
            "pack",
            "--files",
            str(council),
            "--period",
            "2024-25",
            "--audience",
            "internal",
            "--format",
            "html,pdf,xlsx",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    files = {f["format"]: f["path"] for f in json.loads(result.stdout)["files"]}
    assert set(files) == {"html", "pdf", "xlsx"}
    html = Path(files["html"]).read_text(encoding="utf-8")
    assert (
        "<svg" in html
        and "Show the figures as a table" in html
        and "http" not in html.split("<body")[0]
    )
    cla = {m["id"]: m for m in _measures(council)["measures"]}["cla_at_date"]["value"]
    book = load_workbook(files["xlsx"])
    sheet = next(ws for ws in book.worksheets
                 if ws["A1"].value.removeprefix("Synthetic data — not a real council. ") == "Summary")
    values = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=4) if row[0].value}
    assert values["Children looked after"] == cla  # a number, not text
    assert f">{cla:,.0f}<" in html
    pdf = Path(files["pdf"]).read_bytes()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", files["pdf"], str(out / "page")],
            check=True,
        )
        assert list(out.glob("page*.png"))


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_pack_pdf_banner_reads_as_one_sentence(council, tmp_path):
    """The disclosure banner on page 1 wraps like prose, not after its first word."""
    out = tmp_path / "pack"
    result = CliRunner().invoke(
        app,
        [
            "pack",
            "--files",
            str(council),
            "--period",
            "2024-25",
            "--audience",
            "panel",
            "--format",
            "pdf",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    (pdf,) = [f["path"] for f in json.loads(result.stdout)["files"]]
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", pdf, "-"], check=True, capture_output=True, text=True
    ).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = next(i for i, line in enumerate(lines) if "stands for a small number" in line)
    # the first line of the banner carries most of the sentence, the rest fits on the next line
    assert lines[first].startswith("x stands for a small number (1 to 4)")
    assert len(lines[first].split()) >= 8


def test_pack_bad_format_is_a_user_error(council, tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "pack",
            "--files",
            str(council),
            "--period",
            "2024-25",
            "--format",
            "docx",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2 and "html, pdf, xlsx" in result.output


def test_measures_from_the_store(council, tmp_path):
    imported = CliRunner().invoke(app, ["import", str(council)])
    assert imported.exit_code in (0, 1), imported.output
    result = CliRunner().invoke(app, ["measures", "--period", "2024-25", "--json"])
    assert result.exit_code == 0, result.output
    by_id = {m["id"]: m for m in json.loads(result.stdout)["measures"]}
    assert (
        by_id["cla_at_date"]["value"]
        == {m["id"]: m for m in _measures(council)["measures"]}["cla_at_date"]["value"]
    )


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_a_synthetic_councils_pack_says_so_on_every_page(council, tmp_path):
    """Issue 16: a demo pack cannot circulate as real: every PDF page, every HTML section, the
    Excel contents and every sheet's title row, and the file names say "synthetic"."""
    out = tmp_path / "pack"
    result = CliRunner().invoke(
        app,
        ["pack", "--files", str(council), "--period", "2024-25", "--audience", "panel",
         "--format", "html,pdf,xlsx", "--out", str(out), "--json"],
    )
    assert result.exit_code == 0, result.output
    files = {f["format"]: Path(f["path"]) for f in json.loads(result.stdout)["files"]}
    assert all("synthetic" in p.name for p in files.values())
    text = subprocess.run(
        ["pdftotext", str(files["pdf"]), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) > 3
    assert all("Synthetic data — not a real council" in p for p in pages)
    html = files["html"].read_text(encoding="utf-8")
    assert html.count("<section") == html.count('<p class="synthetic">Synthetic data')
    book = load_workbook(files["xlsx"])
    assert all("Synthetic data" in str(sheet["A1"].value) for sheet in book.worksheets)


def _pdf_objects(pdf: Path) -> bytes:
    """The PDF's bytes with every Flate stream inflated (weasyprint keeps the structure tree in
    compressed object streams), for reading tags without a PDF library."""
    raw = pdf.read_bytes()
    parts = [raw]
    for m in re.finditer(rb"stream\r?\n", raw):
        end = raw.find(b"endstream", m.end())
        try:
            parts.append(zlib.decompress(raw[m.end():end]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="needs poppler-utils (pdfinfo)")
def test_pack_pdf_is_tagged_and_the_public_pack_is_shorter(council, tmp_path):
    """Issue 16 items 2 and 3: a tagged PDF (PDF/UA-1) in English whose every chart has its
    alternate text; the public pack leaves out breakdowns and panel-only sections."""
    files = {}
    for audience in ("panel", "public"):
        result = CliRunner().invoke(
            app,
            ["pack", "--files", str(council), "--period", "2024-25", "--audience", audience,
             "--format", "html,pdf", "--out", str(tmp_path / audience), "--json"],
        )
        assert result.exit_code == 0, result.output
        files[audience] = {f["format"]: Path(f["path"]) for f in json.loads(result.stdout)["files"]}
    panel = files["panel"]["pdf"]
    info = subprocess.run(["pdfinfo", str(panel)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    tags = _pdf_objects(panel)
    assert b"/Lang (en-GB)" in tags and b"/StructTreeRoot" in tags
    charts = files["panel"]["html"].read_text(encoding="utf-8").count('<svg role="img"')
    alts = re.findall(rb"/Alt \(", tags)
    assert charts >= 6 and len(alts) == charts
    assert _pages(files["public"]["pdf"]) < _pages(panel)
