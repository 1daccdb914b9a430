"""Build a return from plain rows: for tests, spec examples and the web app's upload preview.

``return_from_rows("2024-25", episodes=[{"CHILD": "1", "DECOM": "01/04/2024", ...}])``
gives a :class:`Return` exactly as if those rows had been read from CSV files:
every value text, missing columns blank, rows numbered from 1.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from carewise.returns.model import ROW, Return
from carewise.returns.tables import TABLES
from carewise.returns.years import CollectionYear


def raw_frame(table: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    spec = TABLES[table]
    extra = [c for c in spec.optional_columns if any(c in r for r in rows)]
    columns = list(spec.columns) + extra
    data: dict[str, pl.Series] = {ROW: pl.Series(range(1, len(rows) + 1), dtype=pl.Int64)}
    for col in columns:
        values = []
        for r in rows:
            v = r.get(col)
            values.append(None if v is None or v == "" else str(v))
        data[col] = pl.Series(values, dtype=pl.String)
    return pl.DataFrame(data)


def return_from_rows(year: str | int | CollectionYear, **tables: list[dict[str, object]]) -> Return:
    """A return holding exactly the given tables (absent tables stay absent)."""
    the_year = CollectionYear.parse(year)
    return Return(the_year, raw={name: raw_frame(name, rows) for name, rows in tables.items()})


def write_return_csv(ret: Return, folder: str | Path,
                     file_names: dict[str, str] | None = None) -> list[Path]:
    """Write a return as DfE-layout CSV files (``<table>.csv``), text exactly as held in ``raw``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in ret.raw.items():
        path = out / (file_names or {}).get(name, f"{name}.csv")
        frame.drop(ROW).write_csv(path, null_value="")
        written.append(path)
    return written
