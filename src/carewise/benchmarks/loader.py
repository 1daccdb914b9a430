"""Read the shipped DfE/ONS figures and pick comparators for a council."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from statistics import median

import polars as pl

DATA = Path(__file__).parent / "data"
ENGLAND = "E92000001"
SOURCE = "DfE, Children looked after in England including adoptions"
POPULATION_SOURCE = "ONS mid-year population estimates (mid-2024 release series), ages 0-17"


@dataclass(frozen=True)
class Comparator:
    """One published figure to show beside a council's own."""

    label: str
    """"England", the region's name, "Statistical neighbours (median)" or "Published (this council)"."""
    area_code: str | None
    value: float | None
    """None when DfE suppressed it (``c``), it does not apply (``z``) or is not available (``x``)."""
    year: int
    """Year ending 31 March that the figure describes."""
    release: str
    """The DfE release (reporting year) the figure was taken from: DfE revises back years."""
    source: str = SOURCE
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _number(col: str) -> pl.Expr:
    """DfE's text values as numbers; their symbols (c, z, x, k, blank) become null."""
    return pl.col(col).str.replace_all(",", "").cast(pl.Float64, strict=False)


@lru_cache(maxsize=1)
def cla_by_la() -> pl.DataFrame:
    """``cla-by-la.csv`` as text (DfE's symbols kept); ``time_period`` is an integer."""
    frame = pl.read_csv(DATA / "cla-by-la.csv", infer_schema_length=0)
    return frame.with_columns(pl.col("time_period").cast(pl.Int32))


@lru_cache(maxsize=1)
def characteristics() -> pl.DataFrame:
    """CLA at 31 March by characteristic, long format (``cla_group``, ``characteristic``)."""
    frame = pl.read_csv(DATA / "cla-31-march-characteristics-by-la.csv.gz", infer_schema_length=0)
    return frame.with_columns(pl.col("time_period").cast(pl.Int32))


@lru_cache(maxsize=1)
def _population() -> pl.DataFrame:
    frame = pl.read_csv(DATA / "under18-population.csv", infer_schema_length=0)
    return frame.with_columns(pl.col("year").cast(pl.Int32), _number("population_0_17"))


@lru_cache(maxsize=1)
def _neighbours() -> pl.DataFrame:
    return pl.read_csv(DATA / "statistical-neighbours.csv", infer_schema_length=0).with_columns(
        pl.col("rank").cast(pl.Int32)
    )


@lru_cache(maxsize=512)
def _council_rows(la_code: str) -> pl.DataFrame:
    """Rows for a council by its current code, its published code or its DfE number."""
    table = cla_by_la()
    return table.filter(
        (pl.col("la_code_current") == la_code)
        | (pl.col("la_code") == la_code)
        | (pl.col("old_la_code") == la_code)
    )


def under18_population(la_code: str, mid_year: int) -> tuple[int, int] | None:
    """Children aged 0-17 in the council at mid-``mid_year`` and the mid-year actually used.

    DfE's rate for the year ending 31 March Y uses the mid-(Y-1) estimate. When the asked
    mid-year is later than the latest shipped estimate, the latest is used (and returned, so the
    caller can say so). None when the council is not in the file.
    """
    pop = _population().filter(
        (
            (pl.col("la_code_current") == la_code)
            | (pl.col("la_code") == la_code)
            | (pl.col("old_la_code") == la_code)
        )
        & pl.col("population_0_17").is_not_null()
        & (pl.col("year") <= mid_year)
    )
    if pop.height == 0:
        return None
    row = pop.sort("year").row(-1, named=True)
    return int(row["population_0_17"]), int(row["year"])


@lru_cache(maxsize=512)
def region_of(la_code: str) -> tuple[str, str] | None:
    """The council's region (9 English regions, as ONS code and name)."""
    rows = _council_rows(la_code).filter(pl.col("region_code").is_not_null())
    if rows.height == 0:
        return None
    row = rows.sort("time_period").row(-1, named=True)
    return row["region_code"], row["region"]


def statistical_neighbours(la_code: str) -> list[tuple[str, str]]:
    """DfE's 2025 model: the ten councils most like this one, closest first (code, name)."""
    return list(_neighbours_of(la_code))


@lru_cache(maxsize=512)
def _neighbours_of(la_code: str) -> tuple[tuple[str, str], ...]:
    rows = _neighbours().filter(pl.col("la_code") == la_code).sort("rank")
    return tuple(
        zip(rows["neighbour_code"].to_list(), rows["neighbour_name"].to_list(), strict=True)
    )


def _value(rows: pl.DataFrame, column: str, denominator: str | None) -> float | None:
    if rows.height == 0:
        return None
    frame = rows.select(
        _number(column).alias("n"), *([_number(denominator).alias("d")] if denominator else [])
    )
    n = frame["n"][0]
    if n is None:
        return None
    if denominator is None:
        return float(n)
    d = frame["d"][0]
    if not d:
        return None
    return round(100.0 * n / d, 1)


def published(
    la_code: str, column: str, year: int, denominator: str | None = None
) -> Comparator | None:
    """The council's own published figure (for checking carewise against DfE)."""
    rows = _council_rows(la_code).filter(pl.col("time_period") == year)
    if rows.height == 0:
        return None
    return Comparator(
        "Published (this council)",
        la_code,
        _value(rows, column, denominator),
        year,
        rows["release"][0] or "",
    )


@lru_cache(maxsize=64)
def _years_with(column: str) -> tuple[int, ...]:
    """Years ending 31 March for which some row has a number in ``column``."""
    table = cla_by_la()
    return tuple(sorted(set(table.filter(_number(column).is_not_null())["time_period"])))


@dataclass(frozen=True)
class _YearValues:
    """One column's figure (or percentage) for every row of one year, by area code."""

    by_code: dict[str, tuple[float | None, str]]
    regions: dict[str, tuple[float | None, str]]
    by_current: dict[str, tuple[float | None, str]]


@lru_cache(maxsize=256)
def _year_values(column: str, denominator: str | None, year: int) -> _YearValues:
    """Computed once per column and year, so each council's comparators are look-ups."""
    rows = cla_by_la().filter(pl.col("time_period") == year)
    frame = rows.select(
        "la_code",
        "la_code_current",
        "geographic_level",
        pl.col("release").fill_null(""),
        _number(column).alias("n"),
        (_number(denominator) if denominator else pl.lit(None, dtype=pl.Float64)).alias("d"),
    )
    by_code: dict[str, tuple[float | None, str]] = {}
    regions: dict[str, tuple[float | None, str]] = {}
    by_current: dict[str, tuple[float | None, str]] = {}
    for code, current, level, release, n, d in frame.iter_rows():
        if n is None:
            v = None
        elif denominator is None:
            v = float(n)
        else:
            v = round(100.0 * n / d, 1) if d else None
        by_code.setdefault(code, (v, release))
        if level == "Regional":
            regions.setdefault(code, (v, release))
        if current:
            by_current.setdefault(current, (v, release))
    return _YearValues(by_code, regions, by_current)


def comparators(
    la_code: str | None, column: str, year: int, denominator: str | None = None
) -> list[Comparator]:
    """England, the council's region and its statistical neighbours' median for one DfE column.

    ``column`` is a ``cla-by-la.csv`` column; with ``denominator`` the comparator is the
    percentage ``column / denominator`` (e.g. foster placements / CLA at 31 March). ``year`` is
    the year ending 31 March; when it is later than the data, the latest year is used and the
    comparator's ``year`` says so.
    """
    available = _years_with(column)
    if not available:
        return []
    earlier = [y for y in available if y <= year]
    use_year = year if year in available else (max(earlier) if earlier else max(available))
    values = _year_values(column, denominator, use_year)
    note = "" if use_year == year else f"latest published year ({use_year}) shown"
    out: list[Comparator] = []
    eng_value, eng_release = values.by_code.get(ENGLAND, (None, ""))
    out.append(Comparator("England", ENGLAND, eng_value, use_year, eng_release, note=note))
    if la_code:
        region = region_of(la_code)
        if region:
            reg_value, reg_release = values.regions.get(region[0], (None, ""))
            out.append(
                Comparator(region[1], region[0], reg_value, use_year, reg_release, note=note)
            )
        neighbours = statistical_neighbours(la_code)
        if neighbours:
            found = [values.by_current.get(code, (None, "")) for code, _name in neighbours]
            numbers = [v for v, _r in found if v is not None]
            releases = {r for v, r in found if v is not None and r}
            out.append(
                Comparator(
                    "Statistical neighbours (median)",
                    None,
                    round(median(numbers), 1) if numbers else None,
                    use_year,
                    ",".join(sorted(releases)),
                    note=f"median of {len(numbers)} of 10 neighbours (DfE 2025 model)"
                    + (f"; {note}" if note else ""),
                )
            )
    return out
