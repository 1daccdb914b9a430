"""The published figures a synthetic council is shaped by, and the generator's parameters.

``data/council-figures.csv`` holds, per children's-services authority and for England, DfE's
"Children looked after in England including adoptions" figures summed over the years ending
31 March 2023-2025 (2025 release; Open Government Licence v3.0), taken from
``shared/benchmarks/cla-by-la.csv``: children looked after at 31 March, starts and ceased in
the year, placement type at 31 March (DfE's eight groups), UASC, placed outside the council.
Summing three years steadies small councils' shares; suppressed cells stay blank and the
national share is used instead. ``data/council-characteristics.csv`` adds DfE's characteristics
of the children looked after at 31 March (age, sex, ethnicity, legal status, category of need,
placement, UASC, locality, provider, distance), pooled over the same years by
:mod:`carewise.synth.build_data`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import polars as pl

from carewise.errors import UserFacingError

ENGLAND = "E92000001"
DEFAULT_COUNCIL = "E06000056"  # Central Bedfordshire

PLACEMENT_GROUPS = (
    "foster",
    "for_adoption",
    "with_parents",
    "independent_supported",
    "secure_and_childrens_homes",
    "other_residential",
    "residential_schools",
    "other",
)

SIZES = {"small": 150, "medium": 450, "large": 1000}
"""Children looked after at a time, by --size name."""


class UnknownCouncilError(UserFacingError):
    """The --council code is not an English children's services authority."""


class BadSizeError(UserFacingError):
    """--size is neither small, medium, large nor a number of children."""


@lru_cache(maxsize=1)
def _table() -> pl.DataFrame:
    path = resources.files("carewise.synth") / "data" / "council-figures.csv"
    with resources.as_file(path) as p:
        return pl.read_csv(p, schema_overrides={"la_number": pl.String})


@lru_cache(maxsize=1)
def _characteristics() -> pl.DataFrame:
    path = resources.files("carewise.synth") / "data" / "council-characteristics.csv"
    with resources.as_file(path) as p:
        return pl.read_csv(p)


CHARACTERISTIC_GROUPS = {
    "age": ("age_under_1", "age_1_to_4", "age_5_to_9", "age_10_to_15", "age_16_and_over"),
    "sex": ("sex_male", "sex_female"),
    "eth": ("eth_white", "eth_mixed", "eth_asian", "eth_black", "eth_other", "eth_refused"),
    "ls": ("ls_interim", "ls_full", "ls_placement_order", "ls_s20", "ls_detained",
           "ls_youth_justice"),
    "cin": tuple(f"cin_n{i}" for i in range(1, 9)),
    "pl": tuple(f"pl_{g}" for g in PLACEMENT_GROUPS),
}
"""Characteristics that add up to all children looked after (each group sums to 1)."""
SINGLE_CHARACTERISTICS = ("uasc", "outside", "over_20_miles", "prov_own", "prov_private",
                          "prov_voluntary", "prov_other_la")


def characteristics(la_code: str) -> dict[str, float]:
    """A council's published shares at 31 March (2023-2025), England's where it has none.

    Within a group (age, sex, ethnicity, legal status, need, placement) a suppressed share
    takes England's and the group is rescaled to add up to 1.
    """
    table = _characteristics()
    rows = table.filter(pl.col("la_code") == la_code).to_dicts()
    england = table.filter(pl.col("la_code") == ENGLAND).to_dicts()[0]
    row = rows[0] if rows else england
    out: dict[str, float] = {}
    for cols in CHARACTERISTIC_GROUPS.values():
        vals = {c: _share(row, england, c) for c in cols}
        total = sum(vals.values()) or 1.0
        out.update({c: v / total for c, v in vals.items()})
    for c in SINGLE_CHARACTERISTICS:
        out[c] = _share(row, england, c)
    return out


def _share(row: dict[str, Any], england: dict[str, Any], column: str) -> float:
    """The council's published share, England's where the council's is suppressed."""
    value = row.get(column)
    return value if value is not None else england[column]


@dataclass(frozen=True)
class CouncilFigures:
    """One council's published shape (shares are of children looked after at 31 March)."""

    la_code: str
    la_name: str
    la_number: str
    cla_latest: int
    starts_per_cla: float
    ceased_per_cla: float
    placement_shares: dict[str, float]
    uasc_share: float
    outside_share: float
    three_plus_share: float = 0.105
    """Children looked after at 31 March with 3+ placements in the year (DfE stability)."""
    mix: dict[str, float] = field(default_factory=dict)
    """Published characteristics at 31 March (:func:`characteristics`)."""


def _shares(row: dict, england: dict) -> dict[str, float]:
    """Placement-group shares; a suppressed group takes England's share, then all rescale."""
    total = row["cla_31_march"] or 0
    eng_total = england["cla_31_march"]
    shares: dict[str, float] = {}
    known = 0.0
    missing = []
    for group in PLACEMENT_GROUPS:
        value = row.get(f"placement_{group}")
        if value is None or not total:
            missing.append(group)
        else:
            shares[group] = value / total
            known += shares[group]
    for group in missing:
        shares[group] = england[f"placement_{group}"] / eng_total
    s = sum(shares.values())
    return {g: v / s for g, v in shares.items()}


def council_figures(la_code: str) -> CouncilFigures:
    """The figures of one council (``E92000001`` gives England's)."""
    table = _table()
    rows = table.filter(pl.col("la_code") == la_code.strip().upper()).to_dicts()
    if not rows:
        raise UnknownCouncilError(
            f"'{la_code}' is not an English children's services authority code",
            )
    row = rows[0]
    england = table.filter(pl.col("la_code") == ENGLAND).to_dicts()[0]
    if not row["cla_31_march"]:
        row = {**england, "la_code": row["la_code"], "la_name": row["la_name"],
               "la_number": row["la_number"], "cla_latest": row["cla_latest"] or 0}

    def ratio(num: str, base: dict = row) -> float:
        value = base.get(num)
        if value is None:
            return england[num] / england["cla_31_march"]
        return value / base["cla_31_march"]

    return CouncilFigures(
        la_code=row["la_code"],
        la_name=row["la_name"],
        la_number=row["la_number"] or "",
        cla_latest=int(row["cla_latest"] or 0),
        starts_per_cla=ratio("starts_in_year"),
        ceased_per_cla=ratio("ceased_in_year"),
        placement_shares=_shares(row, england),
        uasc_share=ratio("uasc_31_march"),
        outside_share=ratio("placed_outside_la_boundary"),
        three_plus_share=ratio("stability_3plus_placements_number"),
        mix=characteristics(row["la_code"]),
    )


def national_councils() -> list[tuple[str, int]]:
    """Every council with its latest published count of children looked after."""
    table = _table().filter((pl.col("la_code") != ENGLAND) & pl.col("cla_latest").is_not_null())
    return [(c, int(n)) for c, n in table.select("la_code", "cla_latest").iter_rows()]


def parse_size(size: str | int) -> int:
    """'small' / 'medium' / 'large' or a number: children looked after at a time."""
    if isinstance(size, int):
        value = size
    else:
        text = str(size).strip().lower().replace(",", "").replace("_", "")
        if text in SIZES:
            return SIZES[text]
        if not text.isdigit():
            raise BadSizeError(
                f"--size '{size}' is not understood: give small, medium, large or a number "
                "of children looked after at a time (e.g. 300)"
            )
        value = int(text)
    if not 5 <= value <= 20_000:
        raise BadSizeError(
            f"--size {value} is out of range: give between 5 and 20,000 children looked after"
        )
    return value


@dataclass
class Truth:
    """The parameters a synthetic council was generated from, for checking estimates against.

    Rates are per year; ``entry_rate_per_year`` counts first entries to care (re-entries come
    on top, with probability ``reentry_probability`` after a return home before 16).
    ``male_share``, ``ethnic_probs`` and ``cin_probs`` are for children who are not UASC,
    chosen so that with the UASC the council's published mix comes out.
    """

    target_in_care: int
    entry_rate_per_year: float
    reentry_probability: float
    entry_age_probs: dict[str, float]
    uasc_entry_share: float
    route_probs: dict[str, dict[str, float]]
    route_median_days: dict[str, float]
    placement_move_rate: dict[str, float]
    placement_weights: dict[str, dict[str, float]]
    in_house_share_of_mainstream_fostering: float
    exit_probs: dict[str, dict[str, float]]
    missing_child_share: dict[str, float]
    male_share: float = 0.53
    ethnic_probs: dict[str, float] = field(default_factory=dict)
    cin_probs: dict[str, float] = field(default_factory=dict)
    ico_mean_days: float = 240.0
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)
