"""The one extract reader: what it accepts, and how it words what it cannot use."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from carewise.errors import BadInputError
from carewise.ingest.extracts import (
    Column,
    ExtractError,
    Table,
    identify,
    raise_for_errors,
    read_files,
)

TABLE = Table("visits", "Visits", None, (
    Column("child", "id", True, "the child's id", "1"),
    Column("date", "date", True, "the visit date", "31/01/2025", not_future=True),
    Column("seen_alone", "bool", False, "Y or N", "Y"),
    Column("cost", "float", False, "cost", ""),
    Column("postcode", "postcode", False, "postcode", ""),
))
KEYED = Table("carers", "Carers", "household_id", (
    Column("household_id", "id", True, "the household", "H1"),
    Column("places", "int", True, "places", "1", low=1, high=3),
    Column("skills", "list", False, "skills", "", ("missing", "exploitation")),
    Column("sex", "enum", False, "M or F", "", ("M", "F")),
))
TABLES = {"visits": TABLE, "carers": KEYED}
TODAY = date(2025, 6, 1)


def _read(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    (read,) = read_files([path], TABLES, today=TODAY)
    return read


def test_dd_mm_yyyy_padded_or_not_with_or_without_a_time_is_read_silently(tmp_path):
    read = _read(tmp_path, "visits.csv", "child,date\n1,05/06/2024\n2,5/6/2024\n3,05/06/2024 00:00:00\n")
    assert read.frame["date"].to_list() == [date(2024, 6, 5)] * 3
    assert read.problems == []


@pytest.mark.parametrize("written, form", [
    ("2024-06-05", "YYYY-MM-DD"), ("05-06-2024", "DD-MM-YYYY"), ("05.06.2024", "DD-MM-YYYY"),
    ("2024/06/05", "YYYY/MM/DD"), ("05/06/24", "DD/MM/YY"), ("5 June 2024", "5 June 2024"),
    ("05-Jun-2024", "5 June 2024"),
])
def test_other_date_forms_are_read_with_one_warning_per_column(tmp_path, written, form):
    read = _read(tmp_path, "visits.csv", f"child,date\n1,{written}\n2,{written}\n")
    assert read.frame["date"].to_list() == [date(2024, 6, 5)] * 2
    (w,) = read.problems
    assert (w.severity, w.file, w.row, w.column, w.value) == ("warning", "visits.csv", 1, "date", written)
    assert f"written as {form}" in w.message and "1 more row" in w.message and "05/06/2024" in w.message


def test_impossible_and_future_dates_are_errors(tmp_path):
    read = _read(tmp_path, "visits.csv", "child,date\n1,31/02/2024\n2,5/6/24x\n3,01/01/2026\n")
    got = {(p.row, p.message, p.value) for p in read.problems}
    assert got == {(1, "date is not a real date", "31/02/2024"), (2, "date is not a real date", "5/6/24x"),
                   (3, "date is in the future", "01/01/2026")}
    assert all(p.fix for p in read.problems)


def test_yes_no_money_and_postcodes(tmp_path):
    read = _read(tmp_path, "visits.csv", 'child,date,seen_alone,cost,postcode\n1,1/1/2025,Yes,"£1,234.00",ls1  1ba\n'
                 "2,1/1/2025,no,12,\n3,1/1/2025,TRUE,,\n4,1/1/2025,0,,\n")
    assert read.frame["seen_alone"].to_list() == [True, False, True, False]
    assert read.frame["cost"].to_list() == [1234.0, 12.0, None, None]
    assert read.frame["postcode"][0] == "LS1 1BA"
    assert read.problems == []


def test_windows_1252_and_byte_order_mark_and_header_spelling(tmp_path):
    read = _read(tmp_path, "visits.csv", "Child,Date,Seen Alone\nR\u00e9my,1/1/2025,Y\n", "cp1252")
    assert read.frame["child"][0] == "R\u00e9my" and read.frame["seen_alone"][0] is True
    bom = _read(tmp_path, "visits.csv", "\ufeffchild,date\n1,1/1/2025\n")
    assert bom.frame["child"].to_list() == ["1"] and bom.problems == []


def test_blank_required_value_unknown_column_and_missing_column(tmp_path):
    read = _read(tmp_path, "visits.csv", "child,date,colour\n,1/1/2025,red\n")
    got = {(p.severity, p.row, p.column, p.message) for p in read.problems}
    assert got == {("error", 1, "child", "child is blank"),
                   ("warning", None, "colour", "column 'colour' is not used by carewise")}
    missing = _read(tmp_path, "visits.csv", "child\n1\n")
    (p,) = missing.problems
    assert (p.severity, p.column, p.message) == ("error", "date", "the visits extract has no column 'date'")


def test_two_headers_that_read_alike_are_an_error(tmp_path):
    read = _read(tmp_path, "visits.csv", "child,Date,date\n1,1/1/2025,1/1/2025\n")
    (p,) = read.problems
    assert (p.severity, p.column, p.message) == ("error", "date", "more than one column is called 'date'")


def test_keys_ranges_lists_and_enums(tmp_path):
    read = _read(tmp_path, "carers.csv", "household_id,places,skills,sex\nH1,1,Missing; exploitation,m\n"
                 "H1,9,juggling,girls\nH2,1.5,,\n")
    got = {(p.row, p.column, p.message) for p in read.problems}
    assert got == {(1, "household_id", "household_id appears more than once"),
                   (2, "household_id", "household_id appears more than once"),
                   (2, "places", "places is out of range"), (2, "skills", "'juggling' is not a known value of skills"),
                   (2, "sex", "sex is not one of the allowed values"), (3, "places", "places is not a whole number")}
    assert read.frame.row(0, named=True)["skills"] == ["missing", "exploitation"]
    assert read.frame["sex"][0] == "M"


def test_ordered_columns_the_wrong_way_round(tmp_path):
    spells = Table("spells", "Spells", None, (
        Column("start", "date", True, "start", ""), Column("end", "date", False, "end", ""),
        Column("low", "int", False, "low", ""), Column("high", "int", False, "high", ""),
    ), ordered=(("start", "end"), ("low", "high")))
    path = tmp_path / "spells.csv"
    path.write_text("start,end,low,high\n01/06/2024,01/05/2024,3,2\n01/06/2024,,2,\n01/06/2024,01/06/2024,2,2\n")
    (read,) = read_files([path], {"spells": spells}, today=TODAY)
    got = {(p.row, p.column, p.message, p.value) for p in read.problems}
    assert got == {(1, "end", "end is before start", "01/05/2024"), (1, "high", "low is greater than high", "2")}


def test_repeated_rows_without_a_key_count_once_with_a_warning(tmp_path):
    read = _read(tmp_path, "visits.csv", "child,date\n1,1/1/2025\n1,1/1/2025\n")
    assert read.frame.height == 1
    (w,) = read.problems
    assert (w.severity, w.row) == ("warning", 2)


def test_which_extract_comes_from_the_name_or_the_header():
    assert identify("Visits March", [], TABLES) is TABLE
    assert identify("carer list", [], TABLES) is KEYED
    assert identify("export", ["Household ID", "places"], TABLES) is KEYED
    assert identify("export", ["something"], TABLES) is None


def test_excel_sheets_and_a_second_file_for_one_extract(tmp_path):
    import xlsxwriter

    book = tmp_path / "book.xlsx"
    with xlsxwriter.Workbook(book) as wb:
        wb.add_worksheet("README").write(0, 0, "notes")
        sheet = wb.add_worksheet("visits")
        sheet.write_row(0, 0, ["child", "date"])
        sheet.write_row(1, 0, ["1"])
        sheet.write_datetime(1, 1, datetime(2024, 6, 5), wb.add_format({"num_format": "dd/mm/yyyy"}))
    csv = tmp_path / "visits_more.csv"
    csv.write_text("child,date\n2,1/1/2025\n")
    first, second = read_files([book, csv], TABLES, today=TODAY)
    assert first.file == "book.xlsx [visits]" and first.problems == []  # a date cell is a date
    assert first.frame["date"].to_list() == [date(2024, 6, 5)]
    (p,) = second.problems
    assert p.message == "a second visits extract" and "one file per extract" in p.fix
    with pytest.raises(ExtractError, match="1 problem"):
        raise_for_errors(second.problems)


def test_unreadable_files_are_refused_with_what_to_do(tmp_path):
    ragged = tmp_path / "visits.csv"
    ragged.write_text("child,date\n1,1/1/2025,extra,more\n")
    with pytest.raises(BadInputError, match="visits.csv.*quotes"):
        read_files([ragged], TABLES)
    pdf = tmp_path / "visits.pdf"
    pdf.write_text("x")
    with pytest.raises(BadInputError, match="CSV or Excel"):
        read_files([pdf], TABLES)
    with pytest.raises(BadInputError, match="no such file"):
        read_files([tmp_path / "nope.csv"], TABLES)


def test_the_typed_frame_has_the_table_schema(tmp_path):
    read = _read(tmp_path, "carers.csv", "household_id,places\nH1,2\n")
    assert read.frame.schema == pl.Schema({"_row": pl.Int64, **KEYED.schema})
    assert KEYED.empty().schema == pl.Schema(KEYED.schema)
