"""The population explorer's predefined tables: the characteristics a view can be filtered by,
taken at the period's end, and the filtered histories internal users' views are made from.

For audiences that may not see children the filtered views are slices of one table family
suppressed together (``carewise.measures.family``); this module says what the filters are.
"""

from __future__ import annotations

import polars as pl

from carewise.history import History
from carewise.measures import codes
from carewise.measures.frames import looked_after_at
from carewise.measures.period import Period, parse_period

EXPLORER_IDS = ("cla_at_date", "placement_type_at_date", "started_in_period", "ceased_in_period")
"""The measures the explorer shows (and filters)."""

FILTERS = {
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "legal_status": "Legal status",
    "placement_type": "Placement type",
    "uasc": "Unaccompanied asylum-seeking",
}


_SOURCE_COLUMNS = {
    "age_band": ("age_band",),
    "sex": ("sex",),
    "ethnicity": ("ethnic_group", "ethnicity"),
    "legal_status": ("legal_status",),
    "placement_type": ("placement_group", "placement_type", "placement"),
    "uasc": ("uasc",),
}


def with_filter_columns(at: pl.DataFrame) -> pl.DataFrame:
    """The explorer's filter names as columns of the measures' "looked after at" frame."""
    if "PLACE" in at.columns and not any(c in at.columns for c in _SOURCE_COLUMNS["placement_type"]):
        # DfE's placement groups, as the measures' "Placement (DfE groups)" breakdown uses them
        at = at.with_columns(
            codes.group_expr("PLACE", codes.PLACEMENT_GROUPS, "Other placements").alias("placement_group")
        )
    exprs = []
    for name, sources in _SOURCE_COLUMNS.items():
        found = next((c for c in sources if c in at.columns), None)
        if found is not None:
            expr = pl.col(found)
            if name == "uasc":
                expr = pl.when(expr).then(pl.lit("Yes")).otherwise(pl.lit("No"))
            exprs.append(expr.cast(pl.String).alias(f"__{name}"))
    at = at.with_columns(exprs)
    return at.drop([n for n in _SOURCE_COLUMNS if n in at.columns]).rename(
        {f"__{n}": n for n in _SOURCE_COLUMNS if f"__{n}" in at.columns}
    )


def filter_history(history: History, period: str | Period, filters: dict[str, str]) -> History:
    """The history of only the children who match the explorer's filters at the period's end."""
    on = parse_period(period).end
    at = looked_after_at(history, on)
    keep = with_filter_columns(at)
    for name, value in filters.items():
        if not value or name not in keep.columns:
            continue
        keep = keep.filter(pl.col(name).cast(pl.String) == value)
    children = keep["CHILD"].unique()
    tables = {n: t.filter(pl.col("CHILD").is_in(children)) for n, t in history.tables.items()}
    return History(
        episodes=history.episodes.filter(pl.col("CHILD").is_in(children)),
        header=history.header.filter(pl.col("CHILD").is_in(children)),
        tables=tables,
        conflicts=history.conflicts.clear(),
        years=history.years,
    )


def filter_options(history: History, period: str | Period) -> dict[str, list[str]]:
    """The values each explorer filter can take at the period's end."""
    return options_of(with_filter_columns(looked_after_at(history, parse_period(period).end)))


def options_of(at: pl.DataFrame) -> dict[str, list[str]]:
    """The values each filter takes in a frame that has the filter columns."""
    options: dict[str, list[str]] = {}
    for name in FILTERS:
        if name in at.columns:
            options[name] = sorted(v for v in at[name].cast(pl.String).unique().to_list() if v is not None)
    return options
