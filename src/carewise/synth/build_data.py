"""Rebuild ``data/council-characteristics.csv`` from the shared DfE benchmark files.

``python -m carewise.synth.build_data /path/to/shared/benchmarks`` reads DfE's "children looked
after at 31 March by characteristics" (``cla-31-march-characteristics-by-la.csv``, 2025 release,
Open Government Licence v3.0) and writes, per council and for England, each characteristic's
share of the children looked after at 31 March over the years ending 2023-2025 (one row per
council, one column per characteristic, see ``COLUMNS``). A suppressed
cell (``c``) leaves that year out of both the count and the total for that characteristic, so a
share is blank only when every year is suppressed. The generator calibrates each council to these
shares (falling back to England's).
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import polars as pl

YEARS = ("2023", "2024", "2025")
COLUMNS: dict[tuple[str, str], str] = {
    ("Age group", "Under 1 year"): "age_under_1",
    ("Age group", "1 to 4 years"): "age_1_to_4",
    ("Age group", "5 to 9 years"): "age_5_to_9",
    ("Age group", "10 to 15 years"): "age_10_to_15",
    ("Age group", "16 years and over"): "age_16_and_over",
    ("Sex", "Male"): "sex_male",
    ("Sex", "Female"): "sex_female",
    ("Ethnicity", "White"): "eth_white",
    ("Ethnicity", "Mixed or Multiple ethnic groups"): "eth_mixed",
    ("Ethnicity", "Asian or Asian British"): "eth_asian",
    ("Ethnicity", "Black, African, Caribbean or Black British"): "eth_black",
    ("Ethnicity", "Other ethnic group"): "eth_other",
    ("Ethnicity", "Refused or information not yet available"): "eth_refused",
    ("Legal status", "Interim care order"): "ls_interim",
    ("Legal status", "Full care order"): "ls_full",
    ("Legal status", "Placement order granted"): "ls_placement_order",
    ("Legal status", "Voluntary agreements under S20 CA 1989"): "ls_s20",
    ("Legal status", "Detained for child protection"): "ls_detained",
    ("Legal status", "Youth justice legal statuses"): "ls_youth_justice",
    **{("Category of need", f"N{i}. {name}"): f"cin_n{i}" for i, name in enumerate((
        "Abuse or neglect", "Child's disability", "Parental illness or disability",
        "Family in acute stress", "Family dysfunction", "Socially unacceptable behaviour",
        "Low income", "Absent parenting"), start=1)},
    ("Placement", "Foster placements"): "pl_foster",
    ("Placement", "Placed for adoption"): "pl_for_adoption",
    ("Placement", "Placed with parents or other person with parental responsibility"):
        "pl_with_parents",
    ("Placement", "Independent and semi-independent living arrangements/supported "
                  "accommodation"): "pl_independent_supported",
    ("Placement", "Secure homes and children's homes"): "pl_secure_and_childrens_homes",
    ("Placement", "Other residential settings"): "pl_other_residential",
    ("Placement", "Residential schools"): "pl_residential_schools",
    ("Placement", "Other placements"): "pl_other",
    ("Unaccompanied asylum-seeking children", "UASC"): "uasc",
    ("Locality of placement", "Placed outside the local authority boundary"): "outside",
    ("Place providers", "Own provision (by the LA)"): "prov_own",
    ("Place providers", "Private provision"): "prov_private",
    ("Place providers", "Voluntary/third sector provision"): "prov_voluntary",
    ("Place providers", "Other LA provision"): "prov_other_la",
    ("Distance between home and placement", "Placed more than 20 miles from home"):
        "over_20_miles",
}
"""(DfE group, characteristic) -> column of ``council-characteristics.csv``."""
GROUPS = tuple(sorted({g for g, _ in COLUMNS}))


def build(benchmarks: Path) -> pl.DataFrame:
    """Shares per (la_code, cla_group, characteristic), 2023-2025 pooled."""
    raw = pl.read_csv(benchmarks / "cla-31-march-characteristics-by-la.csv",
                      infer_schema_length=0)
    rows = raw.filter(
        pl.col("time_period").is_in(YEARS) & pl.col("cla_group").is_in(GROUPS)
        & pl.col("geographic_level").is_in(["National", "Local authority"])
    ).with_columns(
        n=pl.col("number").cast(pl.Float64, strict=False),
        characteristic=pl.col("characteristic").str.replace_all(r"\s+", " "),
    )
    totals = rows.filter(pl.col("characteristic") == "Total").select(
        "time_period", "la_code", "cla_group", pl.col("n").alias("total"))
    parts = rows.filter(pl.col("characteristic") != "Total").join(
        totals, on=["time_period", "la_code", "cla_group"])
    long = (
        parts.filter(pl.col("n").is_not_null() & (pl.col("total") > 0))
        .group_by("la_code", "cla_group", "characteristic")
        .agg((pl.col("n").sum() / pl.col("total").sum()).round(4).alias("share"))
        .with_columns(column=pl.struct("cla_group", "characteristic").map_elements(
            lambda r: COLUMNS.get((r["cla_group"], r["characteristic"])),
            return_dtype=pl.String))
        .filter(pl.col("column").is_not_null())
    )
    wide = long.pivot(on="column", index="la_code", values="share")
    return wide.select("la_code", *[c for c in COLUMNS.values() if c in wide.columns]
                       ).sort("la_code")


def main(argv: list[str]) -> None:
    benchmarks = Path(argv[0] if argv else Path(__file__).resolve().parents[4] / "shared" / "benchmarks")
    out = resources.files("carewise.synth") / "data" / "council-characteristics.csv"
    with resources.as_file(out) as path:
        build(benchmarks).write_csv(path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
