"""Row checks every 903 file gets, whatever its format: repeated rows and keys, blank fields.

A repeated row would be counted twice in every figure, and a row without its key (a child id,
an episode's start date) cannot be told apart from the child's others, so both are errors: the
import is refused and nothing is stored until the file is corrected. A blank field DfE asks for on
every row is a warning: the row is stored as written and the DfE rules list it too.
"""

from __future__ import annotations

import polars as pl

from carewise.ingest.problems import Problem, error, warning
from carewise.returns.model import ROW, typed_from_raw
from carewise.returns.tables import TableSpec

MANDATORY: dict[str, tuple[str, ...]] = {
    "header": ("SEX", "DOB", "ETHNIC"),
    "episodes": ("RNE", "LS", "CIN", "PLACE"),
    "reviews": ("REVIEW_CODE",),
    "missing": ("MISSING",),
    "uasc": ("DUC",),
    "oc3": ("IN_TOUCH", "ACTIV", "ACCOM"),
    "social_worker_episodes": ("SW_ID",),
}
"""Fields besides the key that DfE needs on every row of a table (DfE 903 guide; rules 101-103,
131-134, 143-146, 166, 191, 205 and SW01 check them)."""


def row_problems(raw: pl.DataFrame, spec: TableSpec, file: str, limit: int = 50) -> list[Problem]:
    """Blank keys and fields, then repeated rows and keys, of one table read from ``file``."""
    if raw.height == 0:
        return []
    return blank_problems(raw, spec, file, limit) + duplicate_problems(raw, spec, file, limit)


def blank_problems(raw: pl.DataFrame, spec: TableSpec, file: str, limit: int = 50) -> list[Problem]:
    """An error for each row with a blank key field, a warning for each blank mandatory field
    (a cell with something unreadable in it is reported by the date and code checks instead)."""
    found: list[Problem] = []
    key = [c for c in spec.key if c in raw.columns]
    fields = [(c, True) for c in key] + [(c, False) for c in MANDATORY.get(spec.name, ()) if c in raw.columns]
    blank = [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c, _ in fields]
    counts = raw.select(b.sum().alias(f"{i}") for i, b in enumerate(blank)).row(0) if fields else ()
    for (col, is_key), is_blank, count in zip(fields, blank, counts, strict=True):
        if not count:
            continue  # one pass counts every field's blanks; only fields with some are listed
        rows = raw.filter(is_blank).get_column(ROW)
        if is_key:
            what = "the child's id" if col == "CHILD" else f"part of what identifies the row ({', '.join(key)})"
            make, message = error, f"{col} is blank, and it is {what}; the row cannot be stored"
            fix = f"Fill in {col} (or remove the row), then import again; nothing is stored until then."
        else:
            make, message = warning, f"{col} is blank; the row was kept with {col} blank"
            fix = f"DfE needs {col} on every row: fill it in before you submit the return."
        for row in rows.head(limit).to_list():
            found.append(make(file, message, fix, row=row, column=col, table=spec.name))
        if rows.len() > limit:
            found.append(make(file, f"{rows.len() - limit} more rows: {message}", fix, column=col, table=spec.name))
    return found


def duplicate_problems(raw: pl.DataFrame, spec: TableSpec, file: str, limit: int = 50) -> list[Problem]:
    """An error for each row repeating an earlier one, or its key, naming both rows.

    The key is the table's (``TableSpec.key``: CHILD for the header, CHILD and DECOM for episodes
    …), compared as read (codes trimmed and upper-cased, dates as dates); rows with a blank key
    are reported by :func:`blank_problems` instead.
    """
    key = [c for c in spec.key if c in raw.columns]
    if not key:
        return []
    keys = typed_from_raw(raw.select(ROW, *key), spec).drop_nulls(key)
    repeated = keys.filter(keys.select(key).is_duplicated())
    if repeated.height == 0:
        return []
    # Only the rows sharing a key are typed in full, to tell an exact copy from a clash of keys.
    typed = typed_from_raw(raw.join(repeated.select(ROW), on=ROW), spec)
    cols = [c for c in typed.columns if c != ROW]
    repeats = (
        typed.drop_nulls(key)
        .with_columns(
            pl.col(ROW).first().over(key).alias("_first"),
            pl.col(ROW).first().over(cols).alias("_first_same"),
        )
        .filter(pl.col(ROW) != pl.col("_first"))
        .sort(ROW)
    )
    found: list[Problem] = []
    names = " and ".join(key)
    for record in repeats.head(limit).iter_rows(named=True):
        value = ", ".join(_text(record[c]) for c in key)
        if record["_first_same"] != record[ROW]:
            message = f"this row repeats row {record['_first_same']} exactly"
        else:
            message = f"this row has the same {names} as row {record['_first']}"
        found.append(error(file, message, f"Keep one of the two rows (rows {record['_first']} and {record[ROW]}); "
                           "a repeated row would be counted twice.",
                           row=record[ROW], column=",".join(key), value=value, table=spec.name))
    if repeats.height > limit:
        found.append(error(file, f"{repeats.height - limit} more rows repeat an earlier row's {names}",
                           "Remove the repeated rows.", column=",".join(key), table=spec.name))
    return found


def _text(value: object) -> str:
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)
