"""Sufficiency gap: the need the market cannot meet, and what extra capacity would meet it.

The unmet-need report groups unmet referrals by DfE age group, main need and the placement
type sought first. For the largest groups it proposes extra capacity shaped like the group
(the type sought, its age range, its needs as skills, near the children's homes) and re-solves
the assignment with that capacity added, so each suggestion says how many it would really
meet. ``what_if`` runs any commissioner's own additions the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np
import polars as pl

from carewise.errors import UserFacingError
from carewise.geo import OVER_MILES, distance_miles, la_name, resolve
from carewise.matching.batch import Assignment, assign
from carewise.matching.engine import OptionArrays, ReferralArrays, prepare
from carewise.matching.market import OPTION_SCHEMA, Market, conform, referral_schema
from carewise.matching.schema import NEEDS, OPTION_KINDS, REGISTRABLE_NEEDS, SKILLS
from carewise.matching.settings import MatchSettings
from carewise.matching.siblings import units
from carewise.returns.frames import as_float, as_int

REGISTRATION_CATEGORIES = {
    "disability": "learning disability, physical disability or sensory impairment",
    "emotional_behavioural": "emotional and behavioural difficulties",
    "substance_misuse": "drug or alcohol misuse",
}
"""Needs in the words of children's home registration categories (Ofsted)."""

AGE_GROUPS = ((0, 0, "under 1"), (1, 4, "1 to 4"), (5, 9, "5 to 9"), (10, 15, "10 to 15"),
              (16, 17, "16 and over"))
"""DfE's age groups for children looked after (SSDA903 statistics)."""

NEED_ORDER = ("disability", "exploitation", "offending", "substance_misuse", "missing",
              "emotional_behavioural")
"""Main need: the first present in this order (most specialised first), else UASC, else none."""


def age_group_expr(col: str = "age") -> pl.Expr:
    expr = pl.lit(None, pl.String)
    for lo, hi, label in reversed(AGE_GROUPS):
        expr = pl.when(pl.col(col).is_between(lo, hi)).then(pl.lit(label)).otherwise(expr)
    return expr


def main_need_expr() -> pl.Expr:
    expr = pl.when(pl.col("uasc").fill_null(False)).then(pl.lit("uasc")).otherwise(
        pl.lit("no additional needs"))
    for need in reversed(NEED_ORDER):
        expr = pl.when(pl.col(f"need_{need}").fill_null(False)).then(pl.lit(need)).otherwise(expr)
    return expr


@dataclass
class Addition:
    """Hypothetical capacity for a what-if: ``count`` options of ``kind``, ``places`` each."""

    kind: str
    count: int = 1
    places: int = 1
    min_age: int = 0
    max_age: int = 17
    sex_accepted: str = "any"
    skills: list[str] = field(default_factory=list)
    postcode: str | None = None
    easting: float | None = None
    northing: float | None = None
    weekly_price: float | None = None

    def terms(self) -> dict:
        """The capacity in the terms its kind is commissioned in: a children's home's Ofsted
        registration categories (Statement of Purpose), a foster carer's terms of approval
        (FSR 2011 reg 27), supported accommodation's registration for 16-17s."""
        home = self.kind == "childrens_home"
        skills = [s for s in self.skills if not (home and s in REGISTRABLE_NEEDS)]
        if home:
            return {"registration_categories": [REGISTRATION_CATEGORIES[n] for n in self.skills
                                                if n in REGISTRABLE_NEEDS],
                    "ages": [self.min_age, self.max_age], "places": self.places,
                    "staff_skills": skills}
        if self.kind in ("in_house_fostering", "agency_fostering"):
            return {"approval": {"min_age": self.min_age, "max_age": self.max_age,
                                 "children": self.places, "sibling_group_max": self.places},
                    "skills": skills}
        return {"ages": [max(self.min_age, 16) if self.kind == "supported_accommodation"
                         else self.min_age, self.max_age], "places": self.places,
                "skills": skills}

    def describe(self, council: str) -> str:
        where = f"near {self.postcode}" if self.postcode else f"in or near {la_name(council)}"
        terms = self.terms()
        skills = ", ".join(s.replace("_", " ") for s in terms.get("skills",
                                                                   terms.get("staff_skills", [])))
        if self.kind == "childrens_home":
            cats = "; ".join(terms["registration_categories"]) or "no particular category"
            text = (f"{self.count} more children's home place(s) for ages {self.min_age}-"
                    f"{self.max_age}, registered for {cats}"
                    + (f", staff skilled in {skills}" if skills else ""))
        elif self.kind in ("in_house_fostering", "agency_fostering"):
            who = "in-house" if self.kind == "in_house_fostering" else "agency"
            each = (f"{self.places} children each (sibling groups)" if self.places > 1
                    else "1 child each")
            text = (f"{self.count} more {who} fostering household(s) approved for ages "
                    f"{self.min_age}-{self.max_age}, {each}"
                    + (f", with skills in {skills}" if skills else ""))
        elif self.kind == "supported_accommodation":
            text = (f"{self.count} more registered supported accommodation place(s) for 16-17 "
                    "year olds" + (f", with support for {skills}" if skills else ""))
        else:
            text = (f"{self.count} more {self.kind.replace('_', ' ')} place(s)"
                    + (f" with {skills}" if skills else ""))
        return f"{text} {where}"

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()} | {"terms": self.terms()}


def parse_addition(text: str) -> Addition:
    """``kind=in_house_fostering,count=5,min_age=11,max_age=17,skills=missing;exploitation``."""
    fields: dict[str, object] = {}
    skills: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "=" not in part:
            raise UserFacingError(f"'{part}' in --add '{text}' is not name=value. Example: "
                                  "--add 'kind=in_house_fostering,count=5,min_age=11,max_age=17'")
        key, value = (x.strip() for x in part.split("=", 1))
        if key in ("count", "places", "min_age", "max_age"):
            fields[key] = int(value)
        elif key in ("easting", "northing", "weekly_price"):
            fields[key] = float(value)
        elif key == "skills":
            skills = [s.strip() for s in value.split(";") if s.strip()]
            fields[key] = skills
        elif key in ("kind", "sex_accepted", "postcode"):
            fields[key] = value
        else:
            raise UserFacingError(f"unknown field '{key}' in --add. Fields: kind, count, places, "
                                  "min_age, max_age, sex_accepted, skills, postcode, easting, "
                                  "northing, weekly_price")
    if fields.get("kind") not in OPTION_KINDS:
        raise UserFacingError(f"--add needs kind= one of {', '.join(OPTION_KINDS)}")
    bad = [s for s in skills if s not in SKILLS]
    if bad:
        raise UserFacingError(f"unknown skill(s) {', '.join(bad)}; use {', '.join(SKILLS)}")
    return Addition(**fields)  # type: ignore[arg-type]  # each field's type is set per key above


def hypothetical_options(additions: list[Addition], market: Market, options: pl.DataFrame,
                         settings: MatchSettings, tag: str = "WHATIF") -> pl.DataFrame:
    """Options frame rows for the additions (price: the market's median for that kind)."""
    rows = []
    for a_i, a in enumerate(additions, start=1):
        e, n, la, res = a.easting, a.northing, market.la_code, "what_if"
        if a.postcode:
            found = resolve(pl.Series([a.postcode]))
            if found["resolution"][0] == "unknown":
                raise UserFacingError(f"what-if postcode '{a.postcode}' is not a known postcode "
                                      "or sector")
            e, n, la = found["easting"][0], found["northing"][0], found["la_code"][0]
        same = options.filter(pl.col("kind") == a.kind)["price_standard"].drop_nulls()
        price = a.weekly_price if a.weekly_price is not None else (
            as_float(same.median()) if len(same) else float(settings.scoring["reference_weekly_cost"]))
        for k in range(a.count):
            rows.append({
                "option_id": f"{tag}-{a_i}-{k + 1:02d}", "kind": a.kind, "urn": None,
                "places_free": a.places, "min_age": a.min_age, "max_age": a.max_age,
                "sex_accepted": a.sex_accepted, "sibling_group_max": a.places,
                "current_children": 0, "fostering_limit_exemption": False,
                "short_term": True, "long_term": True, "respite": True,
                "parent_and_child": a.kind == "parent_and_child" or "parent_and_child" in a.skills,
                "skills": a.skills, "languages": [], "faiths": [], "categories":
                [s for s in a.skills if s in NEEDS], "cannot_accept": [], "active": True,
                "ofsted_grade": None if a.kind == "in_house_fostering" else "good",
                "contract": "what_if", "price_standard": price, "price_complex": price,
                "price_specialist": price, "available_from": None, "available_to": None,
                "easting": e, "northing": n, "la_code": la, "resolution": res,
            })
    return pl.DataFrame(rows, schema=OPTION_SCHEMA)


class Outcomes(Protocol):
    """What ``unmet_report`` reads of a result: one row per referral (``referral_id``, ``met``,
    ``feasible_options``, ``binding_constraint``), as an ``Assignment`` has."""

    @property
    def referrals(self) -> pl.DataFrame: ...


def unmet_report(market: Market, referrals: pl.DataFrame, result: Outcomes) -> pl.DataFrame:
    """Unmet referrals by age group × main need × placement type sought first.

    ``binding_constraint`` is the commonest reason in the group: ``capacity`` (suitable options
    exist, all needed for other children) or the eligibility rule that binds (see
    ``batch.binding_rule``); ``limited_by`` says which of the two holds for most of the group.
    """
    joined = referrals.join(result.referrals.select("referral_id", "met", "feasible_options",
                                                    "binding_constraint"), on="referral_id")
    unmet = joined.filter(~pl.col("met"))
    return (
        unmet.with_columns(
            age_group_expr().alias("age_group"),
            main_need_expr().alias("main_need"),
            pl.col("placement_types").list.first().alias("placement_type"),
            pl.when(pl.col("siblings_together_required").fill_null(False))
            .then(pl.col("sibling_group_size")).otherwise(1).alias("children"),
        )
        .group_by("age_group", "main_need", "placement_type")
        .agg(
            pl.len().alias("referrals"),
            pl.col("children").sum(),
            (pl.col("feasible_options") == 0).sum().alias("nothing_fits"),
            (pl.col("feasible_options") > 0).sum().alias("outcompeted"),
            pl.col("binding_constraint").filter(pl.col("binding_constraint") != "capacity")
            .drop_nulls().mode().sort().first().alias("_rule"),
            (pl.col("binding_constraint") == "capacity").sum().alias("_capacity"),
            pl.col("age").min().alias("min_age"),
            pl.col("age").max().alias("max_age"),
            pl.col("referral_id").sort(),
        )
        .with_columns(pl.when(pl.col("_capacity") * 2 >= pl.col("referrals"))
                      .then(pl.lit("capacity")).otherwise(pl.lit("eligibility"))
                      .alias("limited_by"))
        .with_columns(pl.when(pl.col("limited_by") == "capacity").then(pl.lit("capacity"))
                      .otherwise(pl.col("_rule")).alias("binding_constraint"))
        .drop("_capacity", "_rule")
        .sort(["children", "age_group", "main_need"], descending=[True, False, False])
    )


def _group_addition(group: dict, referrals: pl.DataFrame, market: Market) -> Addition:
    members = referrals.filter(pl.col("referral_id").is_in(group["referral_id"]))
    needs = [n for n in NEEDS if members[f"need_{n}"].fill_null(False).any()]
    if members["uasc"].fill_null(False).any():
        needs.append("uasc")
    sought = members["placement_types"].explode().drop_nulls().unique().to_list()
    kind = "in_house_fostering" if "in_house_fostering" in sought else group["placement_type"]
    # one household or place per unit: a sibling group kept together needs room for all of them
    placed = units(conform(members, referral_schema()))
    together = placed.filter(pl.col("siblings_together_required"))
    places = as_int(together["sibling_group_size"].max()) if together.height else 1
    bounds = next(((lo, hi) for lo, hi, label in AGE_GROUPS if label == group["age_group"]),
                  (int(group["min_age"]), int(group["max_age"])))
    bounds = (min(bounds[0], as_int(placed["age_lo"].min())),
              max(bounds[1], as_int(placed["age_hi"].max())))
    e = members["home_easting"].drop_nulls()
    n = members["home_northing"].drop_nulls()
    return Addition(kind=kind, count=placed.height, places=places,
                    min_age=bounds[0], max_age=bounds[1], skills=needs,
                    easting=as_float(e.mean()) if len(e) else None,
                    northing=as_float(n.mean()) if len(n) else None)


def run_assignment(market: Market, settings: MatchSettings, referrals: pl.DataFrame | None = None,
                   extra_options: pl.DataFrame | None = None, today: date | None = None
                   ) -> tuple[Assignment, OptionArrays, ReferralArrays]:
    refs = market.open_referrals() if referrals is None else referrals
    options = market.options()
    if extra_options is not None and extra_options.height:
        options = pl.concat([options, extra_options])
    o, r = prepare(options, refs, settings, today, market.la_code)
    return assign(r, o, settings), o, r


def commissioning_figures(result: Assignment, o: OptionArrays, r: ReferralArrays,
                          settings: MatchSettings) -> dict:
    """What the allocation means for commissioning, counted in children placed.

    In-house share of fostering is on a mainstream basis (connected-person households left
    out), against the council's target (``batch.in_house_fostering_target``); distance is
    DfE's straight-line miles from home (over 20: DfE's measure); out of area is outside the
    council (adjoining or at a distance, CPPCR 2010 reg 11); weekly cost is each placement's
    price for the child's need band (in-house at full cost) times the children placed.
    """
    pairs, chosen = result.pairs, result.chosen
    ref, opt = pairs.ref[chosen], pairs.opt[chosen]
    kids = r.needed[ref].astype(np.int64)
    kind = o.kind[opt]
    miles = distance_miles(r.home_e[ref], r.home_n[ref], o.e[opt], o.n[opt])
    price = o.price[opt, r.band[ref]]
    where = o.locality[opt]
    in_house = (kind == OPTION_KINDS.index("in_house_fostering")) & ~o.connected_only[opt]
    agency = kind == OPTION_KINDS.index("agency_fostering")
    n_in, n_ag = int(kids[in_house].sum()), int(kids[agency].sum())
    target = float(settings.batch["in_house_fostering_target"])
    share = n_in / (n_in + n_ag) if n_in + n_ag else None
    with np.errstate(invalid="ignore"):
        over = miles > OVER_MILES
    return {
        "children_placed": int(kids.sum()),
        "children_unmet": result.summary["children_unmet"],
        "children_by_kind": {k: int(kids[kind == i].sum()) for i, k in enumerate(OPTION_KINDS)},
        "connected_person_children": int(kids[o.connected_only[opt]].sum()),
        "fostering": {
            "basis": "mainstream fostering: connected-person (family and friends) households "
                     "left out",
            "children_in_house": n_in, "children_agency": n_ag,
            "in_house_share": None if share is None else round(share, 3),
            "target": target,
            "gap_children": (None if share is None
                             else max(0, int(np.ceil(target * (n_in + n_ag) - n_in)))),
        },
        "over_20_miles": int(kids[over].sum()),
        "distance_not_known": int(kids[np.isnan(miles)].sum()),
        "out_of_area": int(kids[where > 0].sum()),
        "at_a_distance": int(kids[where == 2].sum()),
        "area_not_known": int(kids[where < 0].sum()),
        "weekly_cost": round(float(np.nansum(price * kids)), 2),
        "children_without_price": int(kids[np.isnan(price)].sum()),
    }


def sufficiency_gap(market: Market, settings: MatchSettings, referrals: pl.DataFrame | None = None,
                    suggestions: int = 3, today: date | None = None) -> dict:
    """Batch assignment, unmet-need report and tested capacity suggestions, as one report."""
    refs = market.open_referrals() if referrals is None else referrals
    result, o, r = run_assignment(market, settings, refs, today=today)
    report = unmet_report(market, refs, result)
    proposals = []
    for group in report.head(suggestions).iter_rows(named=True):
        addition = _group_addition(group, refs, market)
        extra = hypothetical_options([addition], market, o.frame, settings)
        after, _, _ = run_assignment(market, settings, refs, extra, today)
        proposals.append({
            "for_group": {k: group[k] for k in ("age_group", "main_need", "placement_type")},
            "addition": addition.as_dict(),
            "description": addition.describe(market.la_code),
            "unmet_before": result.summary["unmet"],
            "unmet_after": after.summary["unmet"],
            "would_meet": result.summary["unmet"] - after.summary["unmet"],
        })
    return {"assignment": result, "unmet_groups": report, "suggestions": proposals,
            "commissioning": commissioning_figures(result, o, r, settings)}


def what_if(market: Market, settings: MatchSettings, additions: list[Addition],
            referrals: pl.DataFrame | None = None, today: date | None = None) -> dict:
    """Re-solve with hypothetical capacity added; compare met need before and after."""
    refs = market.open_referrals() if referrals is None else referrals
    before, o, _ = run_assignment(market, settings, refs, today=today)
    extra = hypothetical_options(additions, market, o.frame, settings)
    after, _, _ = run_assignment(market, settings, refs, extra, today)
    newly = after.referrals.filter(pl.col("met")).join(
        before.referrals.filter(~pl.col("met")).select("referral_id"), on="referral_id")
    used = after.referrals.filter(pl.col("option_id").str.starts_with("WHATIF"))
    return {
        "additions": [a.as_dict() | {"description": a.describe(market.la_code)} for a in additions],
        "before": before.summary,
        "after": after.summary,
        "met_gain": after.summary["met"] - before.summary["met"],
        "score_gain": round(after.summary["total_score"] - before.summary["total_score"], 1),
        "newly_met": newly["referral_id"].to_list(),
        "hypothetical_places_used": int(used.height),
        "unmet_groups_after": unmet_report(market, refs, after).to_dicts(),
    }
