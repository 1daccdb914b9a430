"""The shortlist for one referral: who is excluded and why, who is left and how they score."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from carewise.errors import NotFoundError
from carewise.geo import OVER_MILES
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
from carewise.matching.market import Market, consistency_warnings
from carewise.matching.settings import MatchSettings

SCHOOL_APPROVAL = ("nominated officer (CPPCR 2010 reg 10: a placement that changes school in "
                   "year 10 or 11)")
APPROVAL = {
    "in_area": None,
    "adjoining": "nominated officer (CPPCR 2010 reg 11: placement outside the area)",
    "at_a_distance": "Director of Children's Services (CPPCR 2010 reg 11: placement at a distance)",
}


_FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$")


def _assumed(resolution: str | None, postcode: str | None) -> str | None:
    """What was assumed about a location, or None when it is a known full postcode."""
    text = (postcode or "").strip().upper()
    looks_full = bool(_FULL_POSTCODE.match(text))
    if resolution in ("full", "coordinates", None):
        return None
    if resolution == "unknown":
        return (f"'{postcode}' is not a postcode carewise knows: the distance cannot be worked "
                "out" if text else "no postcode given: the distance cannot be worked out")
    area = "sector" if resolution == "sector" else "district"
    if looks_full:
        return (f"'{postcode}' is not in the ONS postcode directory: the centre of its postcode "
                f"{area} was used")
    if resolution == "what_if":
        return "hypothetical capacity: placed at the centre of the children it was shaped on"
    return (f"'{postcode}' is a postcode {area}: distances are from its centre "
            f"({'about a mile or two' if area == 'sector' else 'several miles'} either way)")


def option_location_note(resolution: str | None, postcode: str | None) -> str | None:
    return _assumed(resolution, postcode)


def referral_location_notes(row: dict) -> list[dict]:
    """The child's home and school locations that are unknown or approximate, what was assumed
    and what it changes, so a silent guess never shapes the shortlist."""
    notes = []
    for where, effect in (("home", "distance from home is not scored, a maximum distance is "
                                    "not applied, and a safeguarding minimum distance excludes "
                                    "every option (none can be shown to be far enough)"),
                          ("school", "distance from school is not scored")):
        res, postcode = row.get(f"{where}_resolution"), row.get(f"{where}_postcode")
        if where == "school" and not (postcode or "").strip():
            continue  # no school: the criterion does not apply, nothing is assumed
        assumed = _assumed(res, postcode)
        if assumed is None:
            continue
        if res == "unknown":
            assumed = f"{assumed}, so {effect}"
        notes.append({"location": where, "postcode": postcode, "resolution": res,
                      "assumed": assumed})
    return notes


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
    """The best candidates, explained (all of them, or the ``limit`` asked for)."""
    candidates_count: int
    funnel: list[dict]
    options_considered: int
    wishes_feelings: str | None = None
    """The child's wishes and feelings as recorded on the referral, shown with the shortlist."""
    sibling_group: dict | None = None
    """For a sibling group: ``sibling_group_id``, ``children``, ``together`` (one shortlist for
    the whole group), the ``referral_ids`` placed together, youngest and oldest ages."""
    location_notes: list[dict] = field(default_factory=list)
    """The child's home or school postcode unknown or approximate, and what was assumed."""
    warnings: list[dict] = field(default_factory=list)
    """Market consistency warnings about the options shown (e.g. vacancies above places)."""
    _fails: np.ndarray | None = field(default=None, repr=False)
    """(C, N) hard constraints failed by each option; exclusions are listed from it on request."""
    _ids: np.ndarray | None = field(default=None, repr=False)
    _kinds: np.ndarray | None = field(default=None, repr=False)

    @property
    def nothing_fits(self) -> bool:
        return self.candidates_count == 0

    @property
    def excluded_count(self) -> int:
        return 0 if self._fails is None else int(self._fails.any(axis=0).sum())

    @property
    def excluded(self) -> list[dict]:
        """Every excluded option with the rules it fails (built only when asked for)."""
        return self.excluded_rows()

    def excluded_rows(self, limit: int | None = None) -> list[dict]:
        fails, ids, kinds = self._fails, self._ids, self._kinds
        if fails is None or ids is None or kinds is None:
            return []
        rows = np.flatnonzero(fails.any(axis=0))
        if limit is not None:
            rows = rows[:limit]
        names = [c.name for c in CONSTRAINTS]
        return [{"option_id": ids[j], "kind": kinds[j],
                 "reasons": [names[c] for c in np.flatnonzero(fails[:, j])]}
                for j in rows]

    @property
    def most_excluding(self) -> dict | None:
        """The constraint that removed most options (ties: the one that alone removed most)."""
        best = max(self.funnel, key=lambda f: (f["excluded"], f["only_reason"]), default=None)
        return best if best and best["excluded"] else None

    def as_dict(self, limit: int | None = None, excluded_limit: int | None = None) -> dict:
        """JSON-ready; ``excluded_limit=0`` summarises exclusions (the funnel's counts) without
        listing each excluded option, as ``carewise match`` does unless asked for the list."""
        return {
            "referral_id": self.referral_id,
            "council": self.council,
            "settings_version": self.settings_version,
            "market_version": self.market_version,
            "options_considered": self.options_considered,
            "candidates_count": self.candidates_count,
            "candidates": self.candidates[:limit] if limit else self.candidates,
            "excluded_count": self.excluded_count,
            "excluded": self.excluded_rows(excluded_limit),
            "excluded_listed": (self.excluded_count if excluded_limit is None
                                else min(excluded_limit, self.excluded_count)),
            "funnel": self.funnel,
            "nothing_fits": self.nothing_fits,
            "most_excluding": (self.most_excluding or {}).get("constraint"),
            "sibling_group": self.sibling_group,
            "wishes_feelings": self.wishes_feelings,
            "location_notes": self.location_notes,
            "warnings": self.warnings,
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


_LOCALITY_NAMES = np.array(["in_area", "adjoining", "at_a_distance", None], dtype=object)


def _criteria(ev: Evaluation, k: int, j: int, settings: MatchSettings) -> list[dict]:
    """Each criterion's score, weight, points and level for candidate ``j``, with its source."""
    wsum = ev.weights[k].sum() or 1.0
    unknown = float(settings.scoring["unknown_score"])
    out = []
    for c, crit in enumerate(CRITERIA_RULES):
        w = ev.weights[k, c]
        s = ev.scores[crit.name][k, j]
        applies = w > 0
        used = unknown if np.isnan(s) else s
        out.append({
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
    return out


def explain(ev: Evaluation, r: ReferralArrays, o: OptionArrays, settings: MatchSettings,
            council: str, k: int = 0, limit: int | None = None
            ) -> tuple[list[dict], int, np.ndarray, list[dict]]:
    """The best ``limit`` candidates explained (connected persons first, then by score), how
    many candidates there are, each option's failed constraints (C, N) and the funnel."""
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
    place = _LOCALITY_NAMES[np.where(o.locality < 0, 3, o.locality)]
    exam = bool(exam_year(r, np.array([row]))[0])
    travel = float(settings.scoring["school_travel_miles"])
    frame = o.frame
    candidates = []
    for rank, j in enumerate(order, start=1):
        loc = place[j]
        miles = _round(d_home[j])
        candidates.append({
            "rank": rank,
            "option_id": o.ids[j],
            "kind": frame["kind"][int(j)],
            "urn": frame["urn"][int(j)],
            "score": round(float(total[j]), 1),
            "places_free": int(o.places[j]),
            "weekly_price": _round(price[j], 2),
            "distance_home_miles": miles,
            "distance_school_miles": _round(d_school[j]),
            "over_20_miles": None if miles is None else bool(d_home[j] > OVER_MILES),
            "location_resolution": frame["resolution"][int(j)],
            "location_note": option_location_note(frame["resolution"][int(j)],
                                                  frame["postcode"][int(j)]),
            "locality": loc,
            "approval_needed": APPROVAL.get(loc) if loc else None,
            "school_change_approval": (SCHOOL_APPROVAL if exam and bool(d_school[j] > travel)
                                       else None),
            "connected_person": bool(connected[j]),
            "cost_basis": ("full cost: allowance and fee plus the council's overhead, or the "
                           "household's own full cost" if o.full_cost[j] else "price offered"),
            "criteria": _criteria(ev, k, int(j), settings),
        })
    stack = np.vstack([ev.fails[c.name][k] for c in CONSTRAINTS])
    n_fail = stack.sum(axis=0)
    funnel = [
        {"constraint": c.name, "reason": c.reason, "source": c.source,
         "excluded": int(stack[i].sum()),
         "only_reason": int((stack[i] & (n_fail == 1)).sum())}
        for i, c in enumerate(CONSTRAINTS)
    ]
    return candidates, len(idx), stack, funnel


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
    shown = {c["urn"] for c in found.candidates if c["urn"]}
    found.warnings = consistency_warnings(market, shown) if shown else []
    wishes = refs.filter(pl.col("referral_id") == referral_id)
    if "wishes_feelings" in wishes.columns:
        found.wishes_feelings = wishes["wishes_feelings"][0]
    return found


def shortlist_json(market: Market, referral_id: str, settings: MatchSettings, limit: int = 20,
                   show_excluded: bool = False, today: date | None = None) -> dict:
    """What ``carewise match REFERRAL_ID`` shows: the best ``limit`` candidates explained and
    the exclusions summarised (each listed only with ``show_excluded``). The benchmark times
    this same function."""
    found = shortlist(market, referral_id, settings, limit=limit, today=today)
    return found.as_dict(limit=limit, excluded_limit=None if show_excluded else 0)


def shortlist_arrays(r: ReferralArrays, o: OptionArrays, settings: MatchSettings, council: str,
                     market_version: str | None = None, limit: int | None = None,
                     row: int = 0) -> Shortlist:
    ev = evaluate(r, o, settings, np.array([row]))
    candidates, count, stack, funnel = explain(ev, r, o, settings, council, 0, limit)
    return Shortlist(str(r.ids[row]), council, settings.version, market_version, candidates,
                     count, funnel, o.size, sibling_group=sibling_group(r, row),
                     location_notes=referral_location_notes(r.frame.row(row, named=True)),
                     _fails=stack, _ids=o.ids, _kinds=o.frame["kind"].to_numpy())


def sibling_group(r: ReferralArrays, row: int) -> dict | None:
    """The sibling group a shortlist is for: who, how many, ages, kept together or not."""
    if r.size[row] <= 1:
        return None
    frame = r.frame.row(row, named=True)
    return {"sibling_group_id": frame.get("sibling_group_id"),
            "children": int(r.size[row]), "together": bool(r.together[row]),
            "referral_ids": list(r.members[row]) if r.together[row] else None,
            "youngest_age": int(r.age[row]), "oldest_age": int(r.age_hi[row])}


def _top_reasons(c: dict, n: int = 3) -> str:
    """The criteria that added most to a candidate's score, and any scored Low, in words."""
    applied = [k for k in c["criteria"] if k["weight"] > 0]
    best = sorted(applied, key=lambda k: -k["contribution"])[:n]
    low = [k for k in applied if k["level"] == "Low" and k not in best]
    parts = [f"{k['label']} {k['level'].lower()} (+{k['contribution']:.1f})" for k in best]
    parts += [f"{k['label']} low (+{k['contribution']:.1f})" for k in low]
    return "; ".join(parts)


def shortlist_text(shown: dict) -> list[str]:
    """A shortlist (``Shortlist.as_dict``) as plain lines: each candidate with its reasons,
    approvals and location notes; the referral's wishes, siblings and assumptions; the
    exclusions summarised (or listed when they were asked for)."""
    lines = [f"Referral {shown['referral_id']}: {shown['candidates_count']:,} of "
             f"{shown['options_considered']:,} options pass every hard constraint "
             f"({shown['excluded_count']:,} excluded)"]
    group = shown.get("sibling_group")
    if group:
        how = "kept together" if group["together"] else "may be split"
        lines.append(f"Sibling group: {group['children']} children aged {group['youngest_age']}"
                     f" to {group['oldest_age']}, {how}")
    if shown.get("wishes_feelings"):
        lines.append(f"The child's wishes and feelings: \"{shown['wishes_feelings']}\"")
    for note in shown.get("location_notes", []):
        lines.append(f"Note ({note['location']} postcode): {note['assumed']}")
    for w in shown.get("warnings", []):
        lines.append(f"Warning: {w['message']}")
    for c in shown["candidates"]:
        miles = c["distance_home_miles"]
        where = {"in_area": "in the area", "adjoining": "adjoining council",
                 "at_a_distance": "at a distance"}.get(c["locality"] or "", "area not known")
        price = "price not known" if c["weekly_price"] is None else \
            f"£{c['weekly_price']:,.0f}/week"
        first = "connected person; " if c.get("connected_person") else ""
        lines.append(f"{c['rank']:>4}. {c['option_id']} {c['kind'].replace('_', ' ')}: score "
                     f"{c['score']}; {first}"
                     f"{'distance not known' if miles is None else f'{miles} miles'}"
                     f"{' (over 20 miles)' if c['over_20_miles'] else ''}; {where}; {price}")
        lines.append(f"        why: {_top_reasons(c)}")
        for label, key in (("needs", "approval_needed"), ("needs", "school_change_approval")):
            if c.get(key):
                lines.append(f"        {label} approval: {c[key]}")
        if c.get("location_note"):
            lines.append(f"        location: {c['location_note']}")
    if shown["nothing_fits"]:
        worst = next((f for f in shown["funnel"] if f["constraint"] == shown["most_excluding"]),
                     None)
        lines.append("Nothing fits. " + (f"The constraint that excluded most: {worst['reason']} "
                                         f"({worst['excluded']:,} options; {worst['source']})"
                                         if worst else "No options are loaded."))
    counts = sorted((f for f in shown["funnel"] if f["excluded"]), key=lambda f: -f["excluded"])
    if counts:
        lines.append("Excluded by each hard constraint: " + "; ".join(
            f"{f['constraint']} {f['excluded']:,}" for f in counts))
    if shown["excluded"]:
        for e in shown["excluded"]:
            lines.append(f"  excluded {e['option_id']} {e['kind']}: {', '.join(e['reasons'])}")
    elif shown["excluded_count"]:
        lines.append("(each excluded option with its reasons: --show-excluded)")
    return lines
