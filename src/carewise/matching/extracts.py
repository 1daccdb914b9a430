"""Read and check the market extracts (CSV or Excel) against their schema.

Every problem is reported with file, row, column, value and what to do, like the 903 import.
Nothing here writes anything: ``carewise.matching.store`` saves a set of extracts only when
this reader found no error, so an import lands whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from carewise.errors import BadInputError
from carewise.geo import normalise, resolve
from carewise.ingest.problems import Problem, Severity, error, warning
from carewise.matching.schema import TABLES, Column, Table

TRUE = ("Y", "YES", "TRUE", "1")
FALSE = ("N", "NO", "FALSE", "0")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d")


class ExtractError(BadInputError):
    """The extracts have errors; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == Severity.ERROR]
        shown = "\n".join(f"  - {p.describe()}" for p in errors[:30])
        more = f"\n  … and {len(errors) - 30} more" if len(errors) > 30 else ""
        super().__init__(
            f"{len(errors)} problem(s) in the market extracts; nothing was stored. "
            f"Fix them and load the files again.\n{shown}{more}"
        )


def _raw_tables(path: Path) -> list[tuple[str, pl.DataFrame]]:
    """(sheet or file name, all-text frame) pairs from a CSV or an Excel workbook."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        sheets = pl.read_excel(path, sheet_id=0, infer_schema_length=0, raise_if_empty=False)
        return [(name, frame) for name, frame in sheets.items() if name.lower() != "readme"]
    if suffix in (".csv", ".txt"):
        return [(path.stem, pl.read_csv(path, infer_schema=False, truncate_ragged_lines=False))]
    raise BadInputError(
        f"{path.name}: carewise reads market extracts as .csv or .xlsx files. Save it in one of "
        "those formats (the templates from `carewise market template` show the layout)."
    )


def identify(name: str, columns: list[str]) -> Table | None:
    """Which extract a file or sheet holds: by its name, else by its header."""
    lowered = name.lower()
    for table in TABLES.values():
        if table.name in lowered or table.name.rstrip("s") in lowered:
            return table
    cols = {c.strip().lower() for c in columns}
    hits = [t for t in TABLES.values() if set(t.required) <= cols]
    return hits[0] if len(hits) == 1 else None


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    exprs = [
        pl.col(c).cast(pl.String).str.strip_chars().replace("", None).alias(c)
        for c in frame.columns
    ]
    return frame.select(exprs).with_row_index("_row", offset=1)


def _typed(col: Column) -> pl.Expr:
    raw = pl.col(col.name)
    if col.kind == "int":
        num = raw.str.replace_all(",", "").cast(pl.Float64, strict=False)
        return pl.when(num == num.round(0)).then(num).cast(pl.Int64)
    if col.kind == "float":
        return raw.str.replace_all(r"[£,\s]", "").cast(pl.Float64, strict=False)
    if col.kind == "date":
        text = raw.str.slice(0, 10)
        return pl.coalesce(
            [text.str.to_date(f, strict=False) for f in _DATE_FORMATS]
            + [raw.str.to_date("%d/%m/%Y %H:%M:%S", strict=False)]
        )
    if col.kind == "bool":
        up = raw.str.to_uppercase()
        return pl.when(up.is_in(TRUE)).then(True).when(up.is_in(FALSE)).then(False)
    if col.kind == "enum":
        lookup = {v.lower(): v for v in col.vocab or ()}
        norm = raw.str.to_lowercase().str.replace_all(r"[\s\-']+", "_")
        return norm.replace_strict(lookup, default=None, return_dtype=pl.String)
    if col.kind == "list":
        parts = raw.str.split(";").list.eval(
            pl.element().str.strip_chars().str.to_lowercase().str.replace_all(r"[\s\-']+", "_")
            if col.vocab
            else pl.element().str.strip_chars()
        )
        return parts.list.eval(pl.element().filter(pl.element().str.len_chars() > 0)).fill_null([])
    if col.kind == "postcode":
        return normalise(raw.fill_null(""))  # resolved later; blank stays ""
    return raw


_FIX = {
    "int": "Write a whole number",
    "float": "Write a number (no text)",
    "date": "Write the date as YYYY-MM-DD or DD/MM/YYYY",
    "bool": "Write Y or N",
}


def _check_table(file: str, table: Table, raw: pl.DataFrame) -> tuple[pl.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    frame = _clean(raw)
    missing = [c for c in table.required if c not in frame.columns]
    for name in missing:
        problems.append(error(file, f"the {table.name} extract has no column '{name}'",
                              f"Add a '{name}' column ({table.column(name).help}); see the "
                              "template from `carewise market template`", column=name,
                              table=table.name))
    if missing:
        return frame, problems
    known = {c.name for c in table.columns}
    for name in frame.columns:
        if name != "_row" and name not in known:
            problems.append(warning(file, f"column '{name}' is not used by carewise", "Remove it "
                                    "or check its spelling against the template", column=name,
                                    table=table.name))
    frame = frame.with_columns(
        pl.lit(None, pl.String).alias(c.name) for c in table.columns if c.name not in frame.columns
    )
    typed = frame.select("_row", *[_typed(c).alias(c.name) for c in table.columns])
    for col in table.columns:
        problems += _column_problems(file, table, col, frame, typed)
    dup = typed.filter(pl.col(table.key).is_not_null() & pl.col(table.key).is_duplicated())
    for row, value in dup.select("_row", table.key).iter_rows():
        problems.append(error(file, f"{table.key} appears more than once", "Give each row its own "
                              f"{table.key}, or remove the repeated row", row=row,
                              column=table.key, value=value, table=table.name))
    return typed, problems


def _column_problems(file: str, table: Table, col: Column, raw: pl.DataFrame,
                     typed: pl.DataFrame) -> list[Problem]:
    out: list[Problem] = []
    both = pl.DataFrame({"_row": raw["_row"], "raw": raw[col.name], "typed": typed[col.name]})
    where = dict(column=col.name, table=table.name)
    if col.required:
        for (row,) in both.filter(pl.col("raw").is_null()).select("_row").iter_rows():
            out.append(error(file, f"{col.name} is blank", f"Fill in {col.help}", row=row, **where))
    if col.kind in ("int", "float", "date", "bool", "enum"):
        bad = both.filter(pl.col("raw").is_not_null() & pl.col("typed").is_null())
        fix = _FIX.get(col.kind) or f"Use one of: {', '.join(col.vocab or ())}"
        for row, value in bad.select("_row", "raw").iter_rows():
            out.append(error(file, f"{col.name} is not valid", fix, row=row, value=value, **where))
    if col.kind in ("int", "float") and (col.low is not None or col.high is not None):
        low = col.low if col.low is not None else float("-inf")
        high = col.high if col.high is not None else float("inf")
        bad = both.filter((pl.col("typed") < low) | (pl.col("typed") > high))
        for row, value in bad.select("_row", "raw").iter_rows():
            out.append(error(file, f"{col.name} is out of range",
                             f"Give a value from {low:g} to {high:g}", row=row, value=value, **where))
    if col.kind == "list" and col.vocab:
        bad = (
            both.select("_row", "raw", pl.col("typed").alias("token")).explode("token")
            .filter(pl.col("token").is_not_null() & ~pl.col("token").is_in(list(col.vocab)))
        )
        for row, _raw, token in bad.iter_rows():
            out.append(error(file, f"'{token}' is not a known value of {col.name}",
                             f"Use values from: {', '.join(col.vocab)} (separated by ;)", row=row,
                             value=token, **where))
    return out


def _locate(file: str, table: Table, frame: pl.DataFrame, postcode_col: str,
            prefix: str, strict: bool) -> tuple[pl.DataFrame, list[Problem]]:
    """Add <prefix>easting/northing/la_code/resolution from the postcode or given coordinates."""
    problems: list[Problem] = []
    found = resolve(frame[postcode_col].fill_null(""))
    given_e = frame["easting"] if prefix == "" and "easting" in frame.columns else None
    given_n = frame["northing"] if prefix == "" and "northing" in frame.columns else None
    cols = {
        f"{prefix}easting": found["easting"],
        f"{prefix}northing": found["northing"],
        f"{prefix}la_code": found["la_code"],
        f"{prefix}resolution": found["resolution"],
    }
    if given_e is not None and given_n is not None:
        use_given = given_e.is_not_null() & given_n.is_not_null() & found["easting"].is_null()
        cols["easting"] = pl.select(pl.when(use_given).then(given_e).otherwise(cols["easting"]))
        cols["easting"] = cols["easting"].to_series()
        cols["northing"] = pl.select(pl.when(use_given).then(given_n).otherwise(cols["northing"]))
        cols["northing"] = cols["northing"].to_series()
        cols["resolution"] = pl.select(
            pl.when(use_given).then(pl.lit("coordinates")).otherwise(cols["resolution"])
        ).to_series()
    out = frame.with_columns(pl.Series(k, v) if not isinstance(v, pl.Series) else v.alias(k)
                             for k, v in cols.items())
    res = f"{prefix}resolution"
    unknown = out.filter((pl.col(postcode_col) != "") & (pl.col(res) == "unknown"))
    make = error if strict else warning
    for row, value in unknown.select("_row", postcode_col).iter_rows():
        problems.append(make(file, f"{postcode_col} is not a UK postcode or sector carewise knows",
                             "Check it for typos (a sector such as LS1 1 is fine)", row=row,
                             column=postcode_col, value=value, table=table.name))
    if strict:
        blank = out.filter(pl.col(res) == "unknown").filter(pl.col(postcode_col) == "")
        for (row,) in blank.select("_row").iter_rows():
            problems.append(warning(file, "no location given", "Give a postcode (or easting and "
                                    "northing) so distances can be worked out; until then "
                                    "distance criteria count as unknown", row=row,
                                    column=postcode_col, table=table.name))
    return out, problems


def _cross_checks(files: dict[str, str], frames: dict[str, pl.DataFrame],
                  known_urns: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    for name, frame in frames.items():
        if {"min_age", "max_age"} <= set(frame.columns):
            bad = frame.filter(pl.col("min_age") > pl.col("max_age"))
            for (row,) in bad.select("_row").iter_rows():
                problems.append(error(files[name], "min_age is greater than max_age",
                                      "Swap them or correct the age range", row=row,
                                      column="min_age", table=name))
    if "carers" in frames:
        c = frames["carers"]
        bad = c.filter(pl.col("vacancies") > pl.col("approved_places") - pl.col("current_children"))
        for row, v in bad.select("_row", "vacancies").iter_rows():
            problems.append(error(files["carers"], "more vacancies than approved places not filled",
                                  "Vacancies can be at most approved_places - current_children",
                                  row=row, column="vacancies", value=str(v), table="carers"))
    if "vacancies" in frames:
        urns = known_urns | (set(frames["providers"]["urn"].to_list()) if "providers" in frames
                             else set())
        v = frames["vacancies"]
        bad = v.filter(pl.col("urn").is_not_null() & ~pl.col("urn").is_in(sorted(urns)))
        for row, urn in bad.select("_row", "urn").iter_rows():
            problems.append(error(files["vacancies"], "vacancy for a provider that is not in the "
                                  "providers extract", "Add the provider to the providers extract "
                                  "(or load it with these files), or correct the URN", row=row,
                                  column="urn", value=urn, table="vacancies"))
    return problems


def read_extracts(paths: list[Path], known_urns: set[str] | None = None
                  ) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """Typed frames for each extract found in ``paths`` and every problem found.

    ``known_urns``: providers already stored, so a vacancies file can be loaded on its own.
    Postcodes are resolved here (``easting``, ``northing``, ``la_code``, ``resolution``;
    referrals get ``home_…`` and ``school_…`` columns).
    """
    problems: list[Problem] = []
    frames: dict[str, pl.DataFrame] = {}
    files: dict[str, str] = {}
    failed: set[str] = set()
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise BadInputError(f"{path}: no such file. Check the path and try again.")
        for name, raw in _raw_tables(path):
            label = path.name if name == path.stem else f"{path.name} [{name}]"
            table = identify(name, raw.columns)
            if table is None:
                problems.append(error(label, "carewise cannot tell which extract this is",
                                      "Name the file or sheet carers, providers, vacancies or "
                                      "referrals, or use the template's header row"))
                continue
            if table.name in frames:
                problems.append(error(label, f"a second {table.name} extract", "Load one "
                                      f"{table.name} file at a time (combine them first)"))
                continue
            typed, found = _check_table(label, table, raw)
            problems += found
            if any(p.severity == Severity.ERROR for p in found):
                failed.add(table.name)
                continue
            frames[table.name], files[table.name] = typed, label
    for name, frame in list(frames.items()):
        if name == "referrals":
            frame, p1 = _locate(files[name], TABLES[name], frame, "home_postcode", "home_", False)
            frame, p2 = _locate(files[name], TABLES[name], frame, "school_postcode", "school_",
                                False)
            problems += p1 + p2
        else:
            frame, found = _locate(files[name], TABLES[name], frame, "postcode", "",
                                   strict=name != "vacancies")
            problems += found
        frames[name] = frame
    if "providers" in failed:
        frames.pop("vacancies", None)  # its URNs cannot be checked until providers load
    problems += _cross_checks(files, frames, known_urns or set())
    return frames, problems


def check_extracts(paths: list[Path], known_urns: set[str] | None = None
                   ) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """``read_extracts`` that raises ``ExtractError`` if any problem is an error."""
    frames, problems = read_extracts(paths, known_urns)
    if any(p.severity == Severity.ERROR for p in problems):
        raise ExtractError(problems)
    return frames, problems
