"""The shortlist for one referral: who is excluded and why, who is left and how they score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from carewise.errors import NotFoundError
from carewise.geo import OVER_MILES, locality
from carewise.matching.engine import (
    CONSTRAINTS,
    CRITERIA_RULES,
    Evaluation,
    OptionArrays,
    ReferralArrays,
    evaluate,
    exam_year,
    prepare,
    price_for,
)
from carewise.matching.engine import Pairs as _Pairs
from carewise.matching.market import Market
from carewise.matching.settings import MatchSettings

SCHOOL_APPROVAL = ("nominated officer (CPPCR 2010 reg 10: a placement that changes school in "
                   "year 10 or 11)")
APPROVAL = {
    "in_area": None,
    "adjoining": "nominated officer (CPPCR 2010 reg 11: placement outside the area)",
    "at_a_distance": "Director of Children's Services (CPPCR 2010 reg 11: placement at a distance)",
}


def level(score: float | None) -> str:
    """Queensland matching tool wording: High / Medium / Low / N/A for each criterion."""
    if score is None or np.isnan(score):
        return "N/A"
    return "High" if score >= 0.75 else "Medium" if score >= 0.4 else "Low"


@dataclass
class Shortlist:
    referral_id: str
    council: str
    settings_version: str
    market_version: str | None
    candidates: list[dict]
    excluded: list[dict]
    funnel: list[dict]
    options_considered: int
    wishes_feelings: str | None = None
    """The child's wishes and feelings as recorded on the referral, shown with the shortlist."""
    sibling_group: dict | None = None
    """For a sibling group: ``sibling_group_id``, ``children``, ``together`` (one shortlist for
    the whole group), the ``referral_ids`` placed together, youngest and oldest ages."""

    @property
    def nothing_fits(self) -> bool:
        return not self.candidates

    @property
    def most_excluding(self) -> dict | None:
        """The constraint that removed most options (ties: the one that alone removed most)."""
        best = max(self.funnel, key=lambda f: (f["excluded"], f["only_reason"]), default=None)
        return best if best and best["excluded"] else None

    def as_dict(self, limit: int | None = None, excluded_limit: int | None = None) -> dict:
        return {
            "referral_id": self.referral_id,
            "council": self.council,
            "settings_version": self.settings_version,
            "market_version": self.market_version,
            "options_considered": self.options_considered,
            "candidates_count": len(self.candidates),
            "candidates": self.candidates[:limit] if limit else self.candidates,
            "excluded_count": len(self.excluded),
            "excluded": self.excluded[:excluded_limit] if excluded_limit else self.excluded,
            "funnel": self.funnel,
            "nothing_fits": self.nothing_fits,
            "most_excluding": (self.most_excluding or {}).get("constraint"),
            "sibling_group": self.sibling_group,
            "wishes_feelings": self.wishes_feelings,
        }

    def ranked(self) -> pl.DataFrame:
        """Candidates as a frame: option_id, kind, score, rank and one column per criterion."""
        rows = [{"option_id": c["option_id"], "kind": c["kind"], "score": c["score"],
                 "rank": c["rank"], **{k["criterion"]: k["score"] for k in c["criteria"]}}
                for c in self.candidates]
        return pl.DataFrame(rows) if rows else pl.DataFrame(
            schema={"option_id": pl.String, "kind": pl.String, "score": pl.Float64,
                    "rank": pl.Int64})


def _round(x: float | None, nd: int = 1) -> float | None:
    return None if x is None or np.isnan(x) else round(float(x), nd)


def explain(ev: Evaluation, r: ReferralArrays, o: OptionArrays, settings: MatchSettings,
            council: str, k: int = 0, limit: int | None = None) -> tuple[list[dict], list[dict],
                                                                         list[dict]]:
    """Candidates (best first, with criteria breakdown), exclusions (with reasons) and funnel."""
    feasible = ev.feasible[k]
    total = ev.total[k]
    idx = np.flatnonzero(feasible)
    row = ev.rows[k]
    p = _Pairs(r, o, np.array([row]), settings)
    # connected persons first (CA 1989 s22C(7)(a)), then by score
    connected = p.connected_for()[0]
    order = idx[np.lexsort((o.ids[idx].astype(str), -total[idx], ~connected[idx]))]
    if limit:
        order = order[:limit]
    d_home = p.distance("home_e", "home_n")[0]
    d_school = p.distance("school_e", "school_n")[0]
    price = price_for(p)[0]
    place = locality(council, o.frame["la_code"]).to_numpy()
    exam = bool(exam_year(r, np.array([row]))[0])
    wsum = ev.weights[k].sum() or 1.0
    unknown = float(settings.scoring["unknown_score"])
    candidates = []
    for rank, j in enumerate(order, start=1):
        criteria = []
        for c, crit in enumerate(CRITERIA_RULES):
            w = ev.weights[k, c]
            s = ev.scores[crit.name][k, j]
            applies = w > 0
            used = unknown if np.isnan(s) else s
            criteria.append({
                "criterion": crit.name,
                "label": crit.label,
                "score": _round(s, 3) if applies else None,
                "weight": round(float(w), 3),
                "contribution": round(100.0 * w * used / wsum, 2) if applies else 0.0,
                "level": level(s) if applies else "N/A",
                "note": ("unknown for this option: counted at the neutral score"
                         if applies and np.isnan(s) else None),
                "why": crit.why,
            })
        loc = place[j]
        miles = _round(d_home[j])
        far_from_school = bool(d_school[j] > float(settings.scoring["school_travel_miles"]))
        candidates.append({
            "rank": rank,
            "option_id": o.ids[j],
            "kind": o.frame["kind"][int(j)],
            "urn": o.frame["urn"][int(j)],
            "score": round(float(total[j]), 1),
            "places_free": int(o.places[j]),
            "weekly_price": _round(price[j], 2),
            "distance_home_miles": miles,
            "distance_school_miles": _round(d_school[j]),
            "over_20_miles": None if miles is None else bool(d_home[j] > OVER_MILES),
            "location_resolution": o.frame["resolution"][int(j)],
            "locality": loc,
            "approval_needed": APPROVAL.get(loc) if loc else None,
            "school_change_approval": SCHOOL_APPROVAL if exam and far_from_school else None,
            "connected_person": bool(connected[j]),
            "cost_basis": ("full cost: allowance and fee plus the council's overhead, or the "
                           "household's own full cost" if o.full_cost[j] else "price offered"),
            "criteria": criteria,
        })
    fails = {c.name: ev.fails[c.name][k] for c in CONSTRAINTS}
    stack = np.vstack([fails[c.name] for c in CONSTRAINTS])
    n_fail = stack.sum(axis=0)
    excluded = [
        {"option_id": o.ids[j], "kind": o.frame["kind"][int(j)],
         "reasons": [c.name for c in CONSTRAINTS if fails[c.name][j]]}
        for j in np.flatnonzero(~feasible)
    ]
    funnel = [
        {"constraint": c.name, "reason": c.reason, "source": c.source,
         "excluded": int(fails[c.name].sum()),
         "only_reason": int((fails[c.name] & (n_fail == 1)).sum())}
        for c in CONSTRAINTS
    ]
    return candidates, excluded, funnel


def shortlist(market: Market, referral_id: str, settings: MatchSettings,
              options: pl.DataFrame | None = None, limit: int | None = None,
              today: date | None = None) -> Shortlist:
    """Rank every option for one referral (open or not), excluding those a hard rule forbids."""
    refs = market.referrals.filter(pl.col("referral_id") == referral_id)
    if refs.height and "sibling_group_id" in refs.columns and refs["sibling_group_id"][0]:
        group = refs["sibling_group_id"][0]
        refs = market.referrals.filter((pl.col("sibling_group_id") == group)
                                       & pl.col("status").fill_null("open").is_in(["open"])
                                       | (pl.col("referral_id") == referral_id))
    if refs.height == 0:
        raise NotFoundError(f"No referral '{referral_id}' in the loaded market for {market.la_code}."
                            " Check the id, or load the referrals extract with "
                            "`carewise market load`.")
    opts = market.options() if options is None else options
    o, r = prepare(opts, refs, settings, today, market.la_code)
    row = next(k for k, members in enumerate(r.members) if referral_id in members)
    found = shortlist_arrays(r, o, settings, market.la_code, market.version, limit, row)
    found.referral_id = referral_id
    wishes = refs.filter(pl.col("referral_id") == referral_id)
    if "wishes_feelings" in wishes.columns:
        found.wishes_feelings = wishes["wishes_feelings"][0]
    return found


def shortlist_arrays(r: ReferralArrays, o: OptionArrays, settings: MatchSettings, council: str,
                     market_version: str | None = None, limit: int | None = None,
                     row: int = 0) -> Shortlist:
    ev = evaluate(r, o, settings, np.array([row]))
    candidates, excluded, funnel = explain(ev, r, o, settings, council, 0, limit)
    return Shortlist(str(r.ids[row]), council, settings.version, market_version, candidates,
                     excluded, funnel, o.size, sibling_group=sibling_group(r, row))


def sibling_group(r: ReferralArrays, row: int) -> dict | None:
    """The sibling group a shortlist is for: who, how many, ages, kept together or not."""
    if r.size[row] <= 1:
        return None
    frame = r.frame.row(row, named=True)
    return {"sibling_group_id": frame.get("sibling_group_id"),
            "children": int(r.size[row]), "together": bool(r.together[row]),
            "referral_ids": list(r.members[row]) if r.together[row] else None,
            "youngest_age": int(r.age[row]), "oldest_age": int(r.age_hi[row])}
