"""The local extracts a council loads beside its 903 data: columns, checks, templates, reader.

The 903 return has reviews, missing episodes, OC2 and OC3; it has no visits, health assessment
dates, PEPs, return home interviews, pathway plans, Personal Adviser work or worker allocations.
Councils export these from their case management system as CSV or Excel. One spec per extract
drives the reader (errors name file, row, column, value and what to do), the downloadable
templates (``carewise extracts template``) and docs/compliance.md, so they cannot disagree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from carewise.errors import BadInputError
from carewise.ingest.problems import Problem, Severity, error, warning

ROW = "_row"
TRUE = ("Y", "YES", "TRUE", "1")
FALSE = ("N", "NO", "FALSE", "0")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    """text, date, bool (Y/N) or enum."""
    required: bool
    help: str
    example: str
    vocab: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extract:
    kind: str
    title: str
    columns: tuple[Column, ...]
    date_column: str
    """The date that places a row in time (coverage of the extract)."""
    notes: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema=schema_of(self))


_CHILD = Column("child", "text", True, "the child's 903 CHILD id, exactly as in the 903 return", "100028")


def _date(name: str, help: str, required: bool = True, example: str = "2025-01-31") -> Column:
    return Column(name, "date", required, help, example)


EXTRACTS: dict[str, Extract] = {
    e.kind: e
    for e in (
        Extract("visits", "Statutory visits", (
            _CHILD,
            _date("date", "the day the social worker visited the child"),
            Column("seen_alone", "bool", True, "Y if the child was seen alone, N if not", "Y"),
        ), "date"),
        Extract("health_assessments", "Health assessments", (
            _CHILD,
            _date("date", "the day the assessment was done"),
            Column("type", "enum", True, "initial (IHA) or review (RHA)", "initial", ("initial", "review")),
        ), "date"),
        Extract("dental_checks", "Dental checks", (
            _CHILD, _date("date", "the day of the dental check"),
        ), "date"),
        Extract("peps", "Personal education plans", (
            _CHILD,
            _date("date", "the day the PEP was held or reviewed"),
            Column("term", "text", False, "school year and term it is for, e.g. 2024-25 autumn "
                   "(blank: the term the date falls in)", "2024-25 autumn"),
        ), "date"),
        Extract("return_home_interviews", "Return home interviews", (
            _CHILD,
            _date("missing_start", "MIS_START of the missing episode in the 903 missing table"),
            Column("offered", "bool", True, "Y if an interview was offered", "Y"),
            Column("accepted", "bool", False, "Y if the child took it up, N if declined", "Y"),
            _date("date", "the day of the interview, or of the offer if it was declined", False),
        ), "missing_start"),
        Extract("pathway_plans", "Pathway plans", (
            _CHILD, _date("date", "the day the pathway plan was written or reviewed"),
        ), "date"),
        Extract("pa_allocations", "Personal Adviser allocations", (
            _CHILD,
            Column("adviser", "text", True, "the Personal Adviser's staff id or name", "PA07"),
            _date("start", "first day the adviser was allocated"),
            _date("end", "last day (blank if still allocated)", False, ""),
        ), "start"),
        Extract("pa_contacts", "Personal Adviser contacts", (
            _CHILD,
            _date("date", "the day the adviser was in contact with the young person"),
            Column("adviser", "text", False, "the adviser's staff id or name", "PA07"),
        ), "date"),
        Extract("allocations", "Workers and teams", (
            _CHILD,
            Column("worker", "text", True, "the allocated social worker's staff id or name", "SW104"),
            Column("team", "text", True, "the worker's team", "Children in care 1"),
            _date("start", "first day of the allocation"),
            _date("end", "last day (blank if still allocated)", False, ""),
        ), "start"),
    )
}

_POLARS = {"text": pl.String, "date": pl.Date, "bool": pl.Boolean, "enum": pl.String}


def schema_of(extract: Extract) -> dict[str, pl.DataType]:
    return {c.name: _POLARS[c.kind] for c in extract.columns}  # type: ignore[misc]


class ExtractError(BadInputError):
    """An extract has errors: nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == Severity.ERROR]
        shown = "\n".join(f"  - {p.describe()}" for p in errors[:20])
        more = f"\n  … and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(
            f"{len(errors)} problem(s) in the extract files; nothing was stored. Correct them and "
            f"load again (templates: `carewise extracts template DIR`).\n{shown}{more}"
        )


@dataclass
class ReadExtract:
    kind: str
    file: str
    sha256: str
    frame: pl.DataFrame
    """Typed columns of the spec plus ``_row`` (1-based data row)."""
    problems: list[Problem]


def kind_for(name: str) -> str | None:
    """The extract a file or sheet name is for: its name starts with the extract's kind."""
    stem = name.lower().replace("-", "_").replace(" ", "_")
    for kind in sorted(EXTRACTS, key=len, reverse=True):
        if stem.startswith(kind):
            return kind
    return None


def _typed(col: Column) -> pl.Expr:
    raw = pl.col(col.name).cast(pl.String).str.strip_chars()
    raw = pl.when(raw == "").then(None).otherwise(raw)
    if col.kind == "date":
        text = raw.str.slice(0, 10)
        return pl.coalesce([text.str.to_date(f, strict=False) for f in _DATE_FORMATS])
    if col.kind == "bool":
        up = raw.str.to_uppercase()
        return pl.when(up.is_in(TRUE)).then(True).when(up.is_in(FALSE)).then(False).otherwise(None)
    if col.kind == "enum":
        return raw.str.to_lowercase().replace_strict({v: v for v in col.vocab}, default=None,
                                                     return_dtype=pl.String)
    return raw


_FIX = {
    "date": "Write the date as YYYY-MM-DD or DD/MM/YYYY",
    "bool": "Write Y or N",
    "enum": "Write one of: {}",
    "text": "Fill it in",
}


def check(file: str, extract: Extract, raw: pl.DataFrame, today: date | None = None) -> ReadExtract:
    """Type and check one extract's rows; problems name file, row, column, value and the fix."""
    problems: list[Problem] = []
    raw = raw.rename({c: c.strip().lower().replace(" ", "_") for c in raw.columns})
    raw = raw.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    missing = [c.name for c in extract.columns if c.required and c.name not in raw.columns]
    for name in missing:
        problems.append(error(file, f"the {extract.kind} extract has no column '{name}'",
                              f"Add a '{name}' column ({extract.column(name).help}); see the template "
                              "from `carewise extracts template DIR`", column=name, table=extract.kind))
    if missing:
        return ReadExtract(extract.kind, file, "", extract.empty().with_columns(pl.lit(0).alias(ROW)), problems)
    for name in raw.columns:
        if name != ROW and name not in extract.names:
            problems.append(warning(file, f"column '{name}' is not used by carewise",
                                    "Remove it or check its spelling against the template",
                                    column=name, table=extract.kind))
    raw = raw.with_columns(pl.lit(None, pl.String).alias(c.name) for c in extract.columns
                           if c.name not in raw.columns)
    raw = raw.with_columns(pl.col(c.name).cast(pl.String) for c in extract.columns)
    typed = raw.select(ROW, *[_typed(c).alias(c.name) for c in extract.columns])
    for col in extract.columns:
        given = raw[col.name].str.strip_chars().fill_null("")
        bad_blank = (given == "") if col.required else pl.Series([False] * raw.height)
        bad_value = (given != "") & typed[col.name].is_null()
        if col.name == "date" and extract.kind == "return_home_interviews":
            bad_blank = (given == "") & typed["offered"].fill_null(False)
        for row, value, blank in zip(raw[ROW].filter(bad_blank | bad_value).to_list(),
                                     given.filter(bad_blank | bad_value).to_list(),
                                     bad_blank.filter(bad_blank | bad_value).to_list(), strict=True):
            if blank:
                problems.append(error(file, f"{col.name} is blank", f"Fill in {col.help}", row=row,
                                      column=col.name, value="", table=extract.kind))
            else:
                fix = _FIX[col.kind].format(", ".join(col.vocab))
                problems.append(error(file, f"{col.name} is not a valid {col.kind}", fix, row=row,
                                      column=col.name, value=value, table=extract.kind))
    today = today or date.today()
    for col in (c for c in extract.columns if c.kind == "date"):
        future = typed.filter(pl.col(col.name) > today)
        for row, value in future.select(ROW, col.name).iter_rows():
            problems.append(error(file, f"{col.name} is in the future", "Check the date: events "
                                  "cannot be recorded before they happen", row=row, column=col.name,
                                  value=str(value), table=extract.kind))
    if "start" in extract.names and "end" in extract.names:
        wrong = typed.filter(pl.col("end") < pl.col("start"))
        for row, value in wrong.select(ROW, pl.col("end").cast(pl.String)).iter_rows():
            problems.append(error(file, "end is before start", "Correct the end date, or leave it "
                                  "blank if the allocation is still open", row=row, column="end",
                                  value=value, table=extract.kind))
    dup = typed.filter(pl.struct(extract.names).is_duplicated())
    for row in dup[ROW].to_list():
        problems.append(warning(file, "this row appears more than once", "Remove the repeated row; "
                                "carewise counts it once", row=row, table=extract.kind))
    typed = typed.unique(subset=extract.names, keep="first", maintain_order=True)
    return ReadExtract(extract.kind, file, "", typed, problems)


def _read_table(path: Path) -> dict[str, pl.DataFrame]:
    """Frames by sheet (Excel) or one frame named after the file (CSV), all text."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        sheets = pl.read_excel(path, sheet_id=0, infer_schema_length=0)
        return {name: frame for name, frame in sheets.items()}
    if suffix in (".csv", ".txt"):
        data = path.read_bytes()
        text = data.decode("utf-8-sig") if _utf8(data) else data.decode("cp1252")
        return {path.stem: pl.read_csv(text.encode(), infer_schema=False, truncate_ragged_lines=True)}
    raise BadInputError(f"{path.name}: extracts are CSV or Excel (.xlsx) files; save it as one of those")


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8-sig")
        return True
    except UnicodeDecodeError:
        return False


def read_extracts(paths: list[Path], today: date | None = None) -> list[ReadExtract]:
    """Read and check extract files; which extract each is comes from its file or sheet name."""
    out: list[ReadExtract] = []
    for path in paths:
        if not path.exists():
            raise BadInputError(f"{path}: no such file; check the path")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            frames = _read_table(path)
        except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
            raise BadInputError(f"{path.name}: could not be read as CSV or Excel ({exc}); save it "
                                "again from the template") from None
        for name, frame in frames.items():
            kind = kind_for(name)
            label = path.name if len(frames) == 1 else f"{path.name} [{name}]"
            if kind is None:
                out.append(ReadExtract("", label, digest, pl.DataFrame(), [error(
                    label, "carewise cannot tell which extract this is",
                    "Name the file or sheet after the extract: " + ", ".join(EXTRACTS),
                )]))
                continue
            read = check(label, EXTRACTS[kind], frame, today)
            read.sha256 = digest
            out.append(read)
    return out


def write_templates(folder: Path) -> list[Path]:
    """One CSV per extract (header and one example row) and one Excel workbook with every sheet."""
    import xlsxwriter

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ex in EXTRACTS.values():
        path = folder / f"{ex.kind}.csv"
        pl.DataFrame({c.name: [c.example] for c in ex.columns}).write_csv(path)
        written.append(path)
    book_path = folder / "carewise-extracts.xlsx"
    book = xlsxwriter.Workbook(str(book_path))
    bold = book.add_format({"bold": True})
    for ex in EXTRACTS.values():
        sheet = book.add_worksheet(ex.kind[:31])
        for i, c in enumerate(ex.columns):
            sheet.write(0, i, c.name, bold)
            sheet.write(1, i, c.example)
            sheet.write_comment(0, i, f"{'Required' if c.required else 'Optional'}: {c.help}")
            sheet.set_column(i, i, max(14, len(c.name) + 2))
    book.close()
    written.append(book_path)
    return written
