"""How a synthetic council compares with its own published figures and with England's.

The generated figures are what carewise's measures compute from the council's returns
(``carewise.measures.evaluate`` on ``carewise.history.stitch(council.returns)``), so they are
counted as DfE counts them (short breaks left out, placement groups as DfE reports them). The
published figures are DfE's, pooled over 31 March 2023-2025 (:mod:`carewise.synth.figures`).
``python -m carewise.synth.realism E10000014 E09000012 E08000004`` prints the table kept in
``docs/synthetic-data.md``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import polars as pl

from carewise.codes import SHORT_BREAKS
from carewise.returns import CollectionYear
from carewise.synth.council import SyntheticCouncil, generate_council
from carewise.synth.figures import ENGLAND, _table, characteristics, council_figures

MEASURE_IDS = (
    "cla_at_date", "placement_type_at_date", "placed_outside_council", "foster_in_house_share",
    "started_in_period", "ceased_in_period", "ceased_adopted", "stability_three_plus_placements",
    "stability_long_term", "missing_children",
)

BREAKDOWNS: tuple[tuple[str, str, str, str], ...] = (
    # (label, measure breakdown, category, characteristics column)
    ("aged under 1", "age_band", "Under 1 year", "age_under_1"),
    ("aged 1-4", "age_band", "1 to 4 years", "age_1_to_4"),
    ("aged 5-9", "age_band", "5 to 9 years", "age_5_to_9"),
    ("aged 10-15", "age_band", "10 to 15 years", "age_10_to_15"),
    ("aged 16+", "age_band", "16 years and over", "age_16_and_over"),
    ("male", "sex", "Male", "sex_male"),
    ("White", "ethnic_group", "White", "eth_white"),
    ("Mixed", "ethnic_group", "Mixed or Multiple ethnic groups", "eth_mixed"),
    ("Asian", "ethnic_group", "Asian or Asian British", "eth_asian"),
    ("Black", "ethnic_group", "Black, African, Caribbean or Black British", "eth_black"),
    ("other ethnic group", "ethnic_group", "Other ethnic group", "eth_other"),
    ("interim care order", "legal_status", "Interim care order", "ls_interim"),
    ("full care order", "legal_status", "Full care order", "ls_full"),
    ("placement order", "legal_status", "Placement order granted", "ls_placement_order"),
    ("section 20", "legal_status", "Voluntary agreements under S20 CA 1989", "ls_s20"),
    ("need: abuse or neglect (N1)", "need", "N1. Abuse or neglect", "cin_n1"),
    ("need: family dysfunction (N5)", "need", "N5. Family dysfunction", "cin_n5"),
    ("need: absent parenting (N8)", "need", "N8. Absent parenting", "cin_n8"),
    ("UASC", "uasc_status", "UASC", "uasc"),
    ("foster placements", "placement_group", "Foster placements", "pl_foster"),
    ("placed for adoption", "placement_group", "Placed for adoption", "pl_for_adoption"),
    ("placed with parents", "placement_group",
     "Placed with parents or other person with parental responsibility", "pl_with_parents"),
    ("independent / supported", "placement_group",
     "Independent and semi-independent living arrangements/supported accommodation",
     "pl_independent_supported"),
    ("secure and children's homes", "placement_group", "Secure homes and children's homes",
     "pl_secure_and_childrens_homes"),
    ("other residential", "placement_group", "Other residential settings",
     "pl_other_residential"),
    ("residential schools", "placement_group", "Residential schools", "pl_residential_schools"),
    ("other placements", "placement_group", "Other placements", "pl_other"),
)


@dataclass(frozen=True)
class RealismRow:
    """One figure: generated, the council's own published value, England's (None: none)."""

    label: str
    generated: float | None
    council: float | None
    england: float | None
    unit: str = "%"


def _published(la_code: str) -> dict[str, float | None]:
    """Per-child-looked-after ratios from ``council-figures.csv`` (2023-2025 pooled)."""
    rows = _table().filter(pl.col("la_code") == la_code).to_dicts()
    if not rows or not rows[0]["cla_31_march"]:
        return {}
    row = rows[0]

    def per(col: str) -> float | None:
        v = row.get(col)
        return None if v is None else v / row["cla_31_march"]

    return {"starts": per("starts_in_year"), "ceased": per("ceased_in_year"),
            "three_plus": per("stability_3plus_placements_number")}


def realism(council: SyntheticCouncil, year: str = "2024-25") -> list[RealismRow]:
    """The generated council's shape in ``year`` beside its published and England's."""
    from carewise.history import stitch
    from carewise.measures import evaluate

    history = stitch(council.returns)
    results = {r.id: r for r in evaluate(history, year, council.la_code, ids=MEASURE_IDS,
                                         with_comparators=False)}
    own, eng = characteristics(council.la_code), characteristics(ENGLAND)
    pub, pub_eng = _published(council.la_code), _published(ENGLAND)
    cla = results["cla_at_date"].value or 1.0
    rows = [RealismRow("children looked after at 31 March", cla, None, None, "")]

    def share(measure: str, breakdown: str, category: str) -> float | None:
        for row in results[measure].breakdowns.get(breakdown, []):
            if row.category == category:
                return 100.0 * (row.numerator or 0.0) / cla
        return None

    for label, breakdown, category, column in BREAKDOWNS:
        measure = "placement_type_at_date" if breakdown == "placement_group" else "cla_at_date"
        rows.append(RealismRow(label, share(measure, breakdown, category),
                               100 * own[column], 100 * eng[column]))
    value = lambda i: results[i].value  # noqa: E731
    rows += [
        RealismRow("placed outside the council", value("placed_outside_council"),
                   100 * own["outside"], 100 * eng["outside"]),
        RealismRow("in-house share of foster placements", value("foster_in_house_share"),
                   None, None),
        RealismRow("3+ placements in the year", value("stability_three_plus_placements"),
                   _pct(pub.get("three_plus")), _pct(pub_eng.get("three_plus"))),
        RealismRow("long-term stability", value("stability_long_term"), None, 68.5),
        RealismRow("starts per child looked after", (value("started_in_period") or 0) / cla,
                   pub.get("starts"), pub_eng.get("starts"), ""),
        RealismRow("ceased per child looked after", (value("ceased_in_period") or 0) / cla,
                   pub.get("ceased"), pub_eng.get("ceased"), ""),
        RealismRow("adopted per child looked after", (value("ceased_adopted") or 0) / cla,
                   None, 3040 / 81770, ""),
        RealismRow("children with a missing incident per child looked after",
                   (value("missing_children") or 0) / cla, None, 12150 / 82170, ""),
        RealismRow("reviews on time (12 months to 31 March)", _reviews_on_time(history, year),
                   None, None),
    ]
    return rows + _episode_rows(council, CollectionYear.parse(year))


def _reviews_on_time(history, year: str) -> float | None:
    """Reviews on time as the compliance engine measures them (reg 33, the 903 reviews table)."""
    from carewise.compliance import Extracts, assess

    end = CollectionYear.parse(year).end
    return assess(history, Extracts(), end).summary["reviews_on_time"]["value"]


def _episode_rows(council: SyntheticCouncil, year: CollectionYear) -> list[RealismRow]:
    """Episodes per child, short breaks, temporary placements and deaths in the year's return."""
    ep = council.returns[year].table("episodes")
    short = ep.filter(pl.col("LS").is_in(SHORT_BREAKS))
    care = ep.filter(~pl.col("CHILD").is_in(short["CHILD"].implode()))
    children = care["CHILD"].n_unique() or 1
    return [
        RealismRow("episodes per child in the year (no short breaks)", care.height / children,
                   None, None, ""),
        RealismRow("children on short breaks (V3/V4) in the year", short["CHILD"].n_unique(),
                   None, None, ""),
        RealismRow("short-break episodes per such child",
                   short.height / max(short["CHILD"].n_unique(), 1), None, None, ""),
        RealismRow("temporary placements (T0-T4) in the year",
                   care.filter(pl.col("PLACE").str.starts_with("T")).height, None, None, ""),
        RealismRow("deaths (E2) in the year", care.filter(pl.col("REC") == "E2").height,
                   None, None, ""),
    ]


def _pct(x: float | None) -> float | None:
    return None if x is None else 100 * x


def _fmt(x: float | None, unit: str) -> str:
    if x is None:
        return "—"
    if unit == "%":
        return f"{x:.1f}%"
    if abs(x) >= 20 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:.3f}" if abs(x) < 1 else f"{x:.2f}"


def markdown(tables: list[tuple[SyntheticCouncil, list[RealismRow]]]) -> str:
    """One row per figure; per council: generated / its published; then England."""
    head = ["measure"]
    for council, _ in tables:
        head += [f"{council.figures.la_name}: generated", "published"]
    head.append("England")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, first in enumerate(tables[0][1]):
        cells = [first.label]
        for _, rows in tables:
            r = rows[i]
            cells += [_fmt(r.generated, r.unit), _fmt(r.council, r.unit)]
        cells.append(_fmt(first.england, first.unit))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    codes = argv or ["E10000014", "E09000012", "E08000004"]
    tables = []
    for code in codes:
        size = council_figures(code).cla_latest
        council = generate_council(size, "2021-22..2025-26", seed=1, la_code=code)
        tables.append((council, realism(council)))
    print(markdown(tables))


if __name__ == "__main__":
    main(sys.argv[1:])
