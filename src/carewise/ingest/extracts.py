"""One reader for every local extract: compliance's and the placements market's.

Councils export visits, PEPs, carers, vacancies, referrals… from their case management and
commissioning systems as CSV or Excel. A capability declares each extract once as a ``Table``
of ``Column``s (its schema: ``compliance/extracts.py``, ``matching/schema.py``); this module
reads files against those tables, so every extract accepts the same things and words its
problems alike (file, row, column, value and what to do):

- CSV in UTF-8 (with or without a byte-order mark) or Windows-1252, or an Excel workbook with
  a sheet per extract (a sheet called README is skipped);
- headers in any case, spaces or hyphens for underscores;
- dates as DD/MM/YYYY (padded or not, a time after it is ignored). Other unambiguous forms
  (YYYY-MM-DD, DD-MM-YYYY, DD.MM.YYYY, YYYY/MM/DD, DD/MM/YY, 5 June 2024) are read, with one
  warning per column naming the first row and value; Excel date cells are dates already;
- Y/N, Yes/No, True/False, 1/0; money as ``£1,234.00`` (pound sign and commas dropped);
- postcodes in any case and spacing (``ls1  1ab`` is ``LS1 1AB``).

Reading never stores anything: the capability stores a load only when no problem is an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from carewise.errors import BadInputError
from carewise.geo.postcodes import normalise
from carewise.ingest.problems import Problem, Severity, error, warning

ROW = "_row"
"""1-based data row of the source file (the header is not counted)."""
TRUE = ("Y", "YES", "TRUE", "1")
FALSE = ("N", "NO", "FALSE", "0")

DTYPES: dict[str, pl.DataType] = {
    "id": pl.String(), "text": pl.String(), "int": pl.Int64(), "float": pl.Float64(),
    "date": pl.Date(), "bool": pl.Boolean(), "enum": pl.String(), "list": pl.List(pl.String),
    "postcode": pl.String(),
}
"""The typed column each kind of column reads into."""

_NOT = {"int": "a whole number", "float": "a number", "date": "a real date", "bool": "Y or N",
        "enum": "one of the allowed values"}
_FIX = {
    "int": "Write a whole number, e.g. 2",
    "float": "Write a number, e.g. 1234.50 (a £ sign and commas are fine)",
    "date": "Write the date as DD/MM/YYYY, e.g. 31/01/2025",
    "bool": "Write Y or N (Yes/No also accepted)",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    """id, text, int, float (money too), date, bool (Y/N), enum, list (``;``-separated), postcode."""
    required: bool
    help: str
    example: str
    vocab: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None
    not_future: bool = False
    """A date of something that has happened: a date after the day of loading is an error."""
    required_if: str | None = None
    """Required when this Y/N column of the same row is Y (e.g. an interview's date when offered)."""


@dataclass(frozen=True)
class Table:
    """One extract: its columns and the rules across them."""

    name: str
    title: str
    key: str | None
    """The column that identifies a row (repeats are errors); None: exact repeated rows are
    counted once, with a warning."""
    columns: tuple[Column, ...]
    notes: str = ""
    date_column: str | None = None
    """The date that places a row in time (what period the extract covers)."""
    extra: dict = field(default_factory=dict)
    ordered: tuple[tuple[str, str], ...] = ()
    """Pairs of columns in order: the second may not be before (or less than) the first, e.g.
    (start, end), (min_age, max_age); a blank in either is not checked."""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: DTYPES[c.kind] for c in self.columns}

    def empty(self, row: bool = False) -> pl.DataFrame:
        """No rows, typed columns (and ``_row`` first if asked)."""
        return pl.DataFrame(schema={ROW: pl.Int64(), **self.schema} if row else self.schema)


@dataclass
class ReadTable:
    """One extract as read from one file or sheet."""

    kind: str
    """The table it holds ("" when carewise could not tell)."""
    file: str
    """The file name, with the sheet for a workbook: ``book.xlsx [visits]``."""
    sha256: str
    frame: pl.DataFrame
    """Typed columns of the table plus ``_row``."""
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.severity == Severity.ERROR for p in self.problems)


class ExtractError(BadInputError):
    """Extracts have errors: nothing was stored."""

    def __init__(self, problems: list[Problem], *, what: str = "extract files",
                 template: str = "") -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == Severity.ERROR]
        shown = "\n".join(f"  - {p.describe()}" for p in errors[:20])
        more = f"\n  … and {len(errors) - 20} more" if len(errors) > 20 else ""
        hint = f" (templates: `{template}`)" if template else ""
        super().__init__(f"{len(errors)} problem(s) in the {what}; nothing was stored. Correct "
                         f"them and load again{hint}.\n{shown}{more}")


def raise_for_errors(problems: list[Problem], *, what: str = "extract files", template: str = "") -> None:
    """``ExtractError`` when any problem is an error."""
    if any(p.severity == Severity.ERROR for p in problems):
        raise ExtractError(problems, what=what, template=template)


# -- which extract ---------------------------------------------------------------------------


def _key(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def identify(name: str, columns: Sequence[str], tables: Mapping[str, Table]) -> Table | None:
    """The extract a file or sheet holds: the longest table name (or its singular) in its name,
    else the one table whose required columns its header has."""
    stem = _key(name)
    named = [(len(t.name), t) for t in tables.values()
             if t.name in stem or t.name.removesuffix("s") in stem]
    if named:
        longest = max(n for n, _ in named)
        best = {t.name: t for n, t in named if n == longest}
        return next(iter(best.values())) if len(best) == 1 else None
    header = {_key(c) for c in columns}
    hits = [t for t in tables.values() if header and set(t.required) <= header]
    return hits[0] if len(hits) == 1 else None


# -- typing ----------------------------------------------------------------------------------

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_FORMS: tuple[tuple[str, str, tuple[str, str, str]], ...] = (
    # form, pattern, the capture groups holding day, month, year
    ("DD/MM/YYYY", rf"^(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_TIME}$", ("1", "2", "3")),
    ("YYYY-MM-DD", rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$", ("3", "2", "1")),
    ("DD-MM-YYYY", r"^(\d{1,2})[-.](\d{1,2})[-.](\d{4})$", ("1", "2", "3")),
    ("YYYY/MM/DD", r"^(\d{4})/(\d{1,2})/(\d{1,2})$", ("3", "2", "1")),
    ("DD/MM/YY", r"^(\d{1,2})/(\d{1,2})/(\d{2})$", ("1", "2", "3")),
)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_NUMBER = {**{m: f"{i:02d}" for i, m in enumerate(_MONTHS, 1)},
                 **{m[:3]: f"{i:02d}" for i, m in enumerate(_MONTHS, 1)}, "sept": "09"}
_NAMED = r"^(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4})$"
PRIMARY_DATE = "DD/MM/YYYY"


def _date_parts(text: pl.Expr) -> list[tuple[str, pl.Expr]]:
    """(form, ISO text) for each accepted written form of a date; null where it does not fit."""
    out: list[tuple[str, pl.Expr]] = []
    for form, pattern, (d, m, y) in _DATE_FORMS:
        year = text.str.replace(pattern, f"${{{y}}}")
        if form == "DD/MM/YY":
            year = pl.lit("20") + year
        iso = pl.concat_str(year, pl.lit("-"), text.str.replace(pattern, f"${{{m}}}").str.zfill(2),
                            pl.lit("-"), text.str.replace(pattern, f"${{{d}}}").str.zfill(2))
        out.append((form, pl.when(text.str.contains(pattern)).then(iso)))
    month = text.str.replace(_NAMED, "${2}").str.to_lowercase()
    number = month.replace_strict(_MONTH_NUMBER, default=None, return_dtype=pl.String)
    named = pl.concat_str(text.str.replace(_NAMED, "${3}"), pl.lit("-"), number, pl.lit("-"),
                          text.str.replace(_NAMED, "${1}").str.zfill(2))
    out.append(("5 June 2024", pl.when(text.str.contains(_NAMED)).then(named)))
    return out


def date_from_text(text: pl.Expr) -> pl.Expr:
    """Dates written in any accepted form (DD/MM/YYYY first; ISO, DD-MM-YYYY, "5 June 2024" …;
    a trailing time ignored); null where the text is not a date. The one way carewise reads a
    date a council wrote in a local file (extracts, pledges, Ofsted's provider list)."""
    return pl.coalesce([iso for _, iso in _date_parts(text)]).str.to_date("%Y-%m-%d", strict=False)


def parse_date(value: object) -> date | None:
    """One date read as :func:`date_from_text` reads a column (a ``date`` passes through)."""
    if isinstance(value, date):
        return value
    if value is None or not str(value).strip():
        return None
    return pl.select(date_from_text(pl.lit(str(value).strip()))).item()


def _date_form(text: pl.Expr) -> pl.Expr:
    """Which written form a date is in (null: none)."""
    forms = pl.lit(None, pl.String)
    for form, iso in reversed(_date_parts(text)):
        forms = pl.when(iso.is_not_null()).then(pl.lit(form)).otherwise(forms)
    return forms


def _token(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().str.replace_all(r"[\s\-']+", "_")


def typed(col: Column) -> pl.Expr:
    """The typed value of a column from its text (blank and unreadable values are null)."""
    raw = pl.col(col.name)
    if col.kind == "int":
        num = raw.str.replace_all(",", "").cast(pl.Float64, strict=False)
        return pl.when(num == num.round(0)).then(num).cast(pl.Int64, strict=False)
    if col.kind == "float":
        return raw.str.replace_all(r"[£,\s]", "").cast(pl.Float64, strict=False)
    if col.kind == "date":
        return date_from_text(raw)
    if col.kind == "bool":
        up = raw.str.to_uppercase()
        return pl.when(up.is_in(TRUE)).then(True).when(up.is_in(FALSE)).then(False)
    if col.kind == "enum":
        lookup = {v.lower(): v for v in col.vocab or ()}
        return _token(raw).replace_strict(lookup, default=None, return_dtype=pl.String)
    if col.kind == "list":
        parts = raw.str.split(";").list.eval(
            _token(pl.element().str.strip_chars()) if col.vocab else pl.element().str.strip_chars()
        )
        return parts.list.eval(pl.element().filter(pl.element().str.len_chars() > 0)).fill_null([])
    if col.kind == "postcode":
        return normalise(raw.fill_null(""))
    return raw


# -- checking --------------------------------------------------------------------------------


def _text(raw: pl.DataFrame) -> pl.DataFrame:
    """Headers normalised, every value trimmed text (blank as null), ``_row`` added."""
    raw = raw.rename({c: _key(c) for c in raw.columns})
    return raw.select(
        pl.col(c).cast(pl.String).str.strip_chars().replace("", None) for c in raw.columns
    ).with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))


def check_table(file: str, table: Table, raw: pl.DataFrame, *, today: date | None = None,
                native_dates: bool = False, template: str = "") -> ReadTable:
    """Type and check one extract's rows against its table.

    ``native_dates``: the text comes from Excel, whose date cells read as YYYY-MM-DD, so that
    form is not a choice the council made and is not warned about.
    """
    problems: list[Problem] = []
    where = {"table": table.name}
    keys = [_key(c) for c in raw.columns]
    for name in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(error(file, f"more than one column is called '{name}'", "Keep one of them "
                              "(carewise reads headers without case, spaces or hyphens)",
                              column=name, **where))
    if problems:
        return ReadTable(table.name, file, "", table.empty(row=True), problems)
    text = _text(raw)
    see = f"; see the template from `{template}`" if template else ""
    missing = [c for c in table.required if c not in text.columns]
    for name in missing:
        problems.append(error(file, f"the {table.name} extract has no column '{name}'",
                              f"Add a '{name}' column ({table.column(name).help}){see}",
                              column=name, **where))
    if missing:
        return ReadTable(table.name, file, "", table.empty(row=True), problems)
    for name in text.columns:
        if name != ROW and name not in table.names:
            problems.append(warning(file, f"column '{name}' is not used by carewise",
                                    "Remove it or check its spelling against the template",
                                    column=name, **where))
    text = text.with_columns(pl.lit(None, pl.String).alias(c.name) for c in table.columns
                             if c.name not in text.columns)
    frame = text.select(ROW, *[typed(c).alias(c.name) for c in table.columns])
    for col in table.columns:
        problems += _column_problems(file, table, col, text, frame, today or date.today(),
                                     native_dates)
    problems += _order_problems(file, table, text, frame)
    if table.key:
        dup = frame.filter(pl.col(table.key).is_not_null() & pl.col(table.key).is_duplicated())
        for row, value in dup.select(ROW, table.key).iter_rows():
            problems.append(error(file, f"{table.key} appears more than once", "Give each row its "
                                  f"own {table.key}, or remove the repeated row", row=row,
                                  column=table.key, value=value, **where))
    else:
        dup = frame.filter(pl.struct(table.names).is_duplicated() & pl.struct(table.names)
                           .is_first_distinct().not_())
        for row in dup[ROW].to_list():
            problems.append(warning(file, "this row repeats an earlier one", "Remove the repeated "
                                    "row; carewise counts it once", row=row, **where))
        frame = frame.unique(subset=table.names, keep="first", maintain_order=True)
    return ReadTable(table.name, file, "", frame, problems)


def _column_problems(file: str, table: Table, col: Column, text: pl.DataFrame,
                     frame: pl.DataFrame, today: date, native_dates: bool) -> list[Problem]:
    out: list[Problem] = []
    both = pl.DataFrame({ROW: text[ROW], "raw": text[col.name], "typed": frame[col.name]})
    where = {"column": col.name, "table": table.name}
    needed = pl.Series([col.required] * frame.height, dtype=pl.Boolean)
    if col.required_if:
        needed = needed | frame[col.required_if].fill_null(False)
    blank = both.filter(pl.col("raw").is_null() & needed)
    for (row,) in blank.select(ROW).iter_rows():
        out.append(error(file, f"{col.name} is blank", f"Fill in {col.help}", row=row, value="",
                         **where))
    if col.kind in ("int", "float", "date", "bool", "enum"):
        bad = both.filter(pl.col("raw").is_not_null() & pl.col("typed").is_null())
        fix = _FIX.get(col.kind) or f"Write one of: {', '.join(col.vocab or ())}"
        for row, value in bad.select(ROW, "raw").iter_rows():
            out.append(error(file, f"{col.name} is not {_NOT[col.kind]}", fix, row=row,
                             value=value, **where))
    if col.kind in ("int", "float") and (col.low is not None or col.high is not None):
        low = col.low if col.low is not None else float("-inf")
        high = col.high if col.high is not None else float("inf")
        bad = both.filter((pl.col("typed") < low) | (pl.col("typed") > high))
        for row, value in bad.select(ROW, "raw").iter_rows():
            out.append(error(file, f"{col.name} is out of range",
                             f"Give a value from {low:g} to {high:g}", row=row, value=value, **where))
    if col.kind == "list" and col.vocab:
        bad = (both.select(ROW, pl.col("typed").alias("token")).explode("token")
               .filter(pl.col("token").is_not_null() & ~pl.col("token").is_in(list(col.vocab))))
        for row, token in bad.iter_rows():
            out.append(error(file, f"'{token}' is not a known value of {col.name}",
                             f"Use values from: {', '.join(col.vocab)} (separated by ;)", row=row,
                             value=token, **where))
    if col.kind == "date":
        out += _date_problems(file, col, both, today, native_dates, where)
    return out


def _order_problems(file: str, table: Table, text: pl.DataFrame,
                    frame: pl.DataFrame) -> list[Problem]:
    """Each row whose pair of ordered columns is the wrong way round."""
    out: list[Problem] = []
    for first, second in table.ordered:
        wrong = frame.with_columns(text[second].alias("_given")).filter(
            pl.col(second) < pl.col(first))
        dates = table.column(first).kind == "date"
        message = f"{second} is before {first}" if dates else f"{first} is greater than {second}"
        fix = (f"Correct {second} (it cannot be before {first}), or leave it blank if still open"
               if dates else f"Correct {first} or {second}, or swap them")
        for row, value in wrong.select(ROW, "_given").iter_rows():
            out.append(error(file, message, fix, row=row, column=second, value=value,
                             table=table.name))
    return out


def _date_problems(file: str, col: Column, both: pl.DataFrame, today: date, native_dates: bool,
                   where: dict) -> list[Problem]:
    out: list[Problem] = []
    if col.not_future:
        for row, value in both.filter(pl.col("typed") > today).select(ROW, "raw").iter_rows():
            out.append(error(file, f"{col.name} is in the future", "Check the date: events cannot "
                             "be recorded before they happen", row=row, value=value, **where))
    forms = (both.filter(pl.col("typed").is_not_null())
             .with_columns(_date_form(pl.col("raw")).alias("form"))
             .filter(pl.col("form") != PRIMARY_DATE))
    if native_dates:
        forms = forms.filter(pl.col("form") != "YYYY-MM-DD")
    for form, group in forms.group_by("form", maintain_order=True):
        first = group.row(0, named=True)
        others = group.height - 1
        more = f" here and in {others} more row{'s' if others > 1 else ''}" if others else ""
        out.append(warning(file, f"{col.name} is written as {form[0]}, not DD/MM/YYYY,{more}; "
                           f"carewise read it as {first['typed']:%d/%m/%Y}", "Check the dates were "
                           "read as you meant, and export them as DD/MM/YYYY", row=first[ROW],
                           value=first["raw"], **where))
    return out


# -- files -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_sheets(path: Path) -> list[tuple[str, pl.DataFrame, bool]]:
    """(sheet or file name, all-text frame, from Excel) for each sheet of a CSV or workbook."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            sheets = pl.read_excel(path, sheet_id=0, infer_schema_length=0, raise_if_empty=False)
            return [(name, frame, True) for name, frame in sheets.items()
                    if name.strip().lower() != "readme"]
        if suffix in (".csv", ".txt"):
            text = _decode(path.read_bytes())
            return [(path.stem, pl.read_csv(text.encode(), infer_schema=False,
                                            raise_if_empty=False), False)]
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BadInputError(f"{path.name}: could not be read as CSV or Excel ({first}). If a row "
                            "has more values than the header, put values that contain commas in "
                            "quotes; or save the file again from the template") from None
    raise BadInputError(f"{path.name}: extracts are CSV or Excel (.xlsx) files; save it as one "
                        "of those")


def read_files(paths: Sequence[Path], tables: Mapping[str, Table], *, today: date | None = None,
               template: str = "") -> list[ReadTable]:
    """Read and check extract files against ``tables``: one ``ReadTable`` per file or sheet.

    Which extract each holds comes from its file or sheet name (or its header); a second file
    for the same extract is an error, since a load replaces the whole extract.
    """
    out: list[ReadTable] = []
    seen: set[str] = set()
    for path in map(Path, paths):
        if not path.exists():
            raise BadInputError(f"{path}: no such file; check the path and try again")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        sheets = read_sheets(path)
        for name, raw, excel in sheets:
            label = path.name if not excel else f"{path.name} [{name}]"
            table = identify(name, raw.columns, tables)
            if table is None:
                out.append(ReadTable("", label, digest, pl.DataFrame(), [error(
                    label, "carewise cannot tell which extract this is", "Name the file or sheet "
                    "after the extract (" + ", ".join(tables) + "), or use the template's header")]))
                continue
            if table.name in seen:
                out.append(ReadTable(table.name, label, digest, table.empty(row=True), [error(
                    label, f"a second {table.name} extract", f"Load one file per extract: combine "
                    f"the {table.name} files first (a load replaces the whole extract)",
                    table=table.name)]))
                continue
            seen.add(table.name)
            read = check_table(label, table, raw, today=today, native_dates=excel,
                               template=template)
            read.sha256 = digest
            out.append(read)
    return out


def write_csv_templates(tables: Iterable[Table], folder: Path) -> list[Path]:
    """One ``<name>.csv`` per table: its header and the columns' example row, as every
    capability's ``template`` command writes them (a workbook, where there is one, is theirs)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = folder / f"{table.name}.csv"
        pl.DataFrame({c.name: [c.example] for c in table.columns}).write_csv(path)
        written.append(path)
    return written
