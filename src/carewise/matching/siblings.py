"""Sibling groups as groups: the units the matcher places.

A referrals extract may give siblings one row each, linked by ``sibling_group_id`` (each
child's own age, sex and needs), or a whole group on one row (``sibling_group_size`` with the
youngest and oldest ages). A group to be kept together (``siblings_together_required``,
CA 1989 s22C(8)(c): siblings accommodated together so far as reasonably practicable and
consistent with welfare) becomes **one unit**: every child's age must be within the option's
approval or registration, the option must accept every child's sex, meet every child's needs,
and have room and approval for all of them. A group that may be split stays one unit per
child; the batch then prefers to place its children together (see ``batch``).
"""

from __future__ import annotations

import polars as pl

_URGENCY_RANK = {"today": 0, "within_5_days": 1, "over_5_days": 2}
_RANK_URGENCY = {v: k for k, v in _URGENCY_RANK.items()}
_MIN = ("date_needed", "max_distance_miles")
_MAX = ("min_distance_miles",)


def _with_group_facts(r: pl.DataFrame) -> pl.DataFrame:
    gid = pl.col("sibling_group_id")
    size = pl.col("sibling_group_size").fill_null(1)
    together = pl.col("siblings_together_required").fill_null(False)
    return r.with_columns(
        size.alias("sibling_group_size"),
        pl.when(gid.is_not_null()).then(size.sum().over("sibling_group_id")).otherwise(size)
        .alias("group_children"),
        pl.when(gid.is_not_null()).then(together.any().over("sibling_group_id"))
        .otherwise(together).alias("siblings_together_required"),
        pl.min_horizontal("age", pl.col("sibling_youngest_age").fill_null(pl.col("age")))
        .alias("age_lo"),
        pl.max_horizontal("age", pl.col("sibling_oldest_age").fill_null(pl.col("age")))
        .alias("age_hi"),
        pl.int_range(pl.len()).alias("_order"),
    )


def _no_groups(r: pl.DataFrame) -> pl.DataFrame:
    """``units`` when no row has a sibling group id: every row is its own unit (the facts
    ``_with_group_facts`` works out, without its per-group windows)."""
    size = pl.col("sibling_group_size").fill_null(1)
    return r.with_columns(
        size.alias("sibling_group_size"),
        size.alias("group_children"),
        pl.col("siblings_together_required").fill_null(False),
        pl.min_horizontal("age", pl.col("sibling_youngest_age").fill_null(pl.col("age")))
        .alias("age_lo"),
        pl.max_horizontal("age", pl.col("sibling_oldest_age").fill_null(pl.col("age")))
        .alias("age_hi"),
        pl.concat_list(pl.col("referral_id")).alias("members"),
        pl.concat_list(pl.col("child_id")).list.drop_nulls().alias("child_ids"),
        pl.lit(None, pl.String).alias("group_key"),
    )


def _aggregations(r: pl.DataFrame) -> list[pl.Expr]:
    """How a kept-together group's rows combine into one unit, column by column."""
    out: list[pl.Expr] = [
        pl.col("referral_id").sort().first(),
        pl.col("referral_id").sort().alias("members"),
        pl.col("child_id").drop_nulls().alias("child_ids"),
        pl.col("_order").min(),
        pl.col("age").min(),
        pl.col("age_lo").min(),
        pl.col("age_hi").max(),
        pl.col("sibling_group_size").sum(),
        pl.col("group_children").first(),
        pl.when(pl.col("sex").n_unique() == 1).then(pl.col("sex").first())
        .otherwise(pl.lit("mixed")).alias("sex"),
        pl.col("urgency").replace_strict(_URGENCY_RANK, default=3, return_dtype=pl.Int64).min()
        .replace_strict(_RANK_URGENCY, default=None, return_dtype=pl.String).alias("urgency"),
        pl.col("status").fill_null("open").min().alias("status"),
    ]
    done = {"referral_id", "_order", "age", "age_lo", "age_hi", "sibling_group_size",
            "group_children", "sex", "urgency", "status", "sibling_group_id", "placement_types"}
    for name, dtype in r.schema.items():
        if name in done:
            continue
        col = pl.col(name)
        if dtype == pl.Boolean:
            out.append(col.any())
        elif isinstance(dtype, pl.List):
            out.append(col.list.explode(keep_nulls=False, empty_as_null=False).drop_nulls()
                       .unique().sort().alias(name))
        elif name in _MIN:
            out.append(col.min())
        elif name in _MAX:
            out.append(col.max())
        else:
            out.append(col.drop_nulls().first())
    return out


def _shared_types(rows: pl.DataFrame) -> pl.DataFrame:
    """Per group, the placement types every child's care plan allows (the intersection)."""
    n = rows.group_by("sibling_group_id").agg(pl.col("referral_id").n_unique().alias("_n"))
    return (
        rows.select("sibling_group_id", "referral_id", "placement_types")
        .explode("placement_types")
        .group_by("sibling_group_id", "placement_types")
        .agg(pl.col("referral_id").n_unique().alias("_k"))
        .join(n, on="sibling_group_id")
        .filter((pl.col("_k") == pl.col("_n")) & pl.col("placement_types").is_not_null())
        .group_by("sibling_group_id")
        .agg(pl.col("placement_types").sort())
    )


def units(referrals: pl.DataFrame) -> pl.DataFrame:
    """One row per unit to place: kept-together groups merged, everyone else as given.

    Adds ``members`` (the referral ids placed by the unit), ``age_lo`` / ``age_hi`` (youngest
    and oldest child), ``group_children`` (children in the sibling group) and ``group_key``
    (the sibling group of a child whose group may be split; else null). A mixed-sex group's
    ``sex`` is ``mixed`` (only options accepting any sex can take it).
    """
    if referrals["sibling_group_id"].null_count() == referrals.height:
        return _no_groups(referrals)
    r = _with_group_facts(referrals)
    merge = pl.col("sibling_group_id").is_not_null() & pl.col("siblings_together_required")
    alone = r.filter(~merge).with_columns(
        pl.concat_list(pl.col("referral_id")).alias("members"),
        pl.concat_list(pl.col("child_id")).list.drop_nulls().alias("child_ids"),
        pl.col("sibling_group_id").alias("group_key"),
    )
    grouped = r.filter(merge)
    if grouped.height == 0:
        return alone.sort("_order").drop("_order")
    merged = (
        grouped.group_by("sibling_group_id", maintain_order=True).agg(_aggregations(grouped))
        .drop("placement_types", strict=False)
        .join(_shared_types(grouped), on="sibling_group_id", how="left")
        .with_columns(pl.col("placement_types").fill_null([]),
                      pl.lit(None, pl.String).alias("group_key"))
    )
    merged = merged.select([pl.col(c).cast(t) for c, t in alone.schema.items()])
    return pl.concat([alone, merged]).sort("_order").drop("_order")
