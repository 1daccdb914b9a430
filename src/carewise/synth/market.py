"""Synthetic placements market and referral stream for a council, in the template layout.

The market is realistic in shape (calibrated to the national figures in ``matching.md`` §2.6):
children's homes have a median of 4 places (7% single-place), about 80% are judged good or
outstanding (2023-24: 9.8% outstanding, 69.8% good, 15.3% requires improvement, 5.1%
inadequate), 80-85% of home places are filled, about 16-20% of foster places are vacant,
in-house care costs about half an agency placement. Every location is a real postcode in the
council or its neighbours (ONS postcode directory via ``carewise.geo``); a share of the
referrals' home postcodes are sectors (``LS9 8``), as the 903's HOME_POST often is.
No real person's data is used or produced.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from carewise.geo import neighbours, postcodes_in
from carewise.matching.schema import NEEDS, TABLES

WISHES = ("Wants to stay near school and friends", "Would like to live with a family",
          "Does not want to live with younger children", "Wants to keep seeing grandparents",
          "Would rather live in a children's home than with a family",
          "Wants to be somewhere new, away from the area")
LANGUAGES = ("Arabic", "Pashto", "Tigrinya", "Kurdish", "Dari", "Vietnamese")
COMMUNITY_LANGUAGES = ("Urdu", "Punjabi", "Polish", "Arabic", "Bengali")
FAITHS = ("Muslim", "Christian", "Sikh", "Hindu", "Jewish")
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
HOME_GRADE_P = (0.098, 0.698, 0.153, 0.051)
AGE_BANDS = ((0, 4), (0, 10), (5, 17), (8, 17), (11, 17), (0, 17))


def _yn(x: np.ndarray) -> list[str]:
    return ["Y" if v else "N" for v in x]


def _pick(rng: np.random.Generator, pool: pl.DataFrame, n: int) -> list[str]:
    if n == 0 or pool.height == 0:
        return [""] * n
    return pool["postcode"].gather(rng.integers(0, pool.height, n)).to_list()


def _tokens(rng: np.random.Generator, n: int, probs: dict[str, float]) -> list[str]:
    draws = {k: rng.random(n) < p for k, p in probs.items()}
    return [";".join(k for k in probs if draws[k][i]) for i in range(n)]


def _pools(la_code: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Postcodes in the council, in its neighbours, and one ring further out."""
    near = neighbours(la_code)
    ring2 = sorted({x for n in near for x in neighbours(n)} - set(near) - {la_code})
    return postcodes_in([la_code]), postcodes_in(near), postcodes_in(ring2)


def _located(rng: np.random.Generator, n: int, pools: tuple, shares: tuple[float, ...]
             ) -> list[str]:
    where = rng.choice(len(shares), size=n, p=np.array(shares) / sum(shares))
    out = [""] * n
    for k, pool in enumerate(pools):
        idx = np.flatnonzero(where == k)
        pool = pool if pool.height else pools[0]
        for i, pc in zip(idx, _pick(rng, pool, len(idx)), strict=True):
            out[i] = pc
    return out


def _carers(rng: np.random.Generator, n: int, pools: tuple) -> pl.DataFrame:
    approved = rng.choice([1, 2, 3, 4], size=n, p=[0.35, 0.4, 0.2, 0.05])
    current = rng.binomial(approved, 0.78)
    free = approved - current
    vacancies = np.where(rng.random(n) < 0.45, free, 0)  # about half of free places unavailable
    young = [int(rng.integers(0, 17)) if c else None for c in current]
    band = rng.integers(0, len(AGE_BANDS), n)
    return pl.DataFrame({
        "household_id": [f"H{i + 1:04d}" for i in range(n)],
        "postcode": _located(rng, n, pools, (0.85, 0.15, 0.0)),
        "easting": [None] * n,
        "northing": [None] * n,
        "approved_places": approved,
        "min_age": [AGE_BANDS[b][0] for b in band],
        "max_age": [AGE_BANDS[b][1] for b in band],
        "sex_accepted": rng.choice(["any", "M", "F"], size=n, p=[0.85, 0.075, 0.075]),
        "sibling_group_max": np.minimum(approved, rng.choice([1, 2, 3], size=n, p=[.4, .45, .15])),
        "short_term": _yn(rng.random(n) < 0.8),
        "long_term": _yn(rng.random(n) < 0.7),
        "parent_and_child": _yn(rng.random(n) < 0.04),
        "respite": _yn(rng.random(n) < 0.4),
        "current_children": current,
        "pets": _yn(rng.random(n) < 0.4),
        "current_youngest_age": young,
        "current_oldest_age": [None if y is None else min(17, y + int(rng.integers(0, 6)) * (c > 1))
                               for y, c in zip(young, current, strict=True)],
        "connected_person_for": [""] * n,
        "full_weekly_cost": [None] * n,
        "vacancies": vacancies,
        "available_from": [""] * n,
        "skills": _tokens(rng, n, {"emotional_behavioural": 0.35, "disability": 0.1,
                                   "exploitation": 0.08, "missing": 0.1, "offending": 0.04,
                                   "substance_misuse": 0.04, "uasc": 0.08, "therapeutic": 0.08}),
        "languages": [rng.choice(COMMUNITY_LANGUAGES) if u < 0.1 else "" for u in rng.random(n)],
        "faiths": [rng.choice(FAITHS) if u < 0.2 else "" for u in rng.random(n)],
        "cannot_accept": _tokens(rng, n, {"offending": 0.15, "substance_misuse": 0.1,
                                          "exploitation": 0.05}),
        "fostering_limit_exemption": _yn(rng.random(n) < 0.03),
        "accepts_dol": _yn(rng.random(n) < 0.01),
        "adaptations": _tokens(rng, n, {"wheelchair_access": 0.03, "ground_floor_bedroom": 0.06,
                                        "adapted_bathroom": 0.02}),
        "weekly_cost": np.round(rng.normal(400, 50, n), 2),
    }, strict=False)


def _providers(rng: np.random.Generator, size: int, pools: tuple, as_at: date) -> pl.DataFrame:
    n_ag, n_home = max(4, size // 8), max(4, size // 3)
    n_sa, n_pc = max(2, size // 12), 1
    kinds = (["agency"] * n_ag + ["childrens_home"] * n_home + ["supported_accommodation"] * n_sa
             + ["parent_and_child_unit"] * n_pc)
    n = len(kinds)
    kind = np.array(kinds)
    home = kind == "childrens_home"
    places = np.where(
        home, rng.choice([1, 2, 3, 4, 5, 6], size=n, p=[0.073, 0.12, 0.2, 0.33, 0.17, 0.107]),
        np.where(kind == "agency", rng.integers(30, 200, n), rng.integers(4, 12, n)))
    base = np.select([kind == "agency", home, kind == "supported_accommodation"],
                     [rng.normal(830, 60, n), rng.normal(5200, 900, n), rng.normal(1200, 300, n)],
                     rng.normal(1600, 100, n))
    grade = rng.choice(GRADES, size=n, p=HOME_GRADE_P)
    min_age = np.select([kind == "supported_accommodation", home], [16, rng.choice([8, 10, 11],
                                                                                   size=n)], 0)
    inspected = [as_at - timedelta(days=int(d)) for d in rng.integers(30, 900, n)]
    cats = np.where(home, _tokens(rng, n, {"emotional_behavioural": 0.85, "disability": 0.15,
                                           "substance_misuse": 0.1}), "")
    return pl.DataFrame({
        "urn": [f"SC{900000 + i:06d}" if k != "agency" else f"{1190000 + i:07d}"
                for i, k in enumerate(kinds)],
        "name": [f"Synthetic {k.replace('_', ' ')} {i + 1}" for i, k in enumerate(kinds)],
        "provider_type": kinds,
        "ofsted_grade": grade,
        "ofsted_date": [f"{d:%d/%m/%Y}" for d in inspected],
        "registered_places": places,
        "categories": cats,
        "min_age": min_age,
        "max_age": np.full(n, 17),
        "sex_accepted": rng.choice(["any", "M", "F"], size=n, p=[0.8, 0.1, 0.1]),
        "postcode": _located(rng, n, pools, (0.35, 0.45, 0.2)),
        "easting": [None] * n,
        "northing": [None] * n,
        "contract": rng.choice(["framework", "spot"], size=n, p=[0.75, 0.25]),
        "price_standard": np.round(base, 2),
        "price_complex": np.round(base * 1.15, 2),
        "price_specialist": np.round(base * 1.4, 2),
        "skills": _tokens(rng, n, {"exploitation": 0.3, "missing": 0.35, "offending": 0.2,
                                   "substance_misuse": 0.15, "disability": 0.1, "uasc": 0.15,
                                   "therapeutic": 0.25, "emotional_behavioural": 0.5}),
        "languages": [rng.choice(LANGUAGES) if u < 0.1 else "" for u in rng.random(n)],
        "faiths": [""] * n,
        "cannot_accept": [""] * n,
        "active": _yn(rng.random(n) < 0.98),
        # a few homes (often solo, high staffing) can care for a child under a DoL order
        "accepts_dol": _yn(home & (rng.random(n) < 0.1)),
        "adaptations": _tokens(rng, n, {"wheelchair_access": 0.1, "ground_floor_bedroom": 0.2,
                                        "adapted_bathroom": 0.08, "hoist": 0.03}),
    }, strict=False)


def _vacancies(rng: np.random.Generator, providers: pl.DataFrame, size: int, pools: tuple,
               as_at: date) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    for urn, kind, places in providers.select("urn", "provider_type",
                                              "registered_places").iter_rows():
        if kind == "agency":
            count = rng.poisson(max(1.0, 0.3 * size / max(4, size // 8)))
        elif kind == "childrens_home":
            count = int(rng.random() < min(0.9, 0.17 * places))  # 80-85% occupancy
        else:
            count = int(rng.random() < 0.5)
        for _ in range(count):
            band = AGE_BANDS[rng.integers(0, len(AGE_BANDS))] if kind == "agency" else (None, None)
            rows.append({
                "vacancy_id": f"V{len(rows) + 1:05d}",
                "urn": urn,
                "places": int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1])) if kind == "agency" else 1,
                "available_from": f"{as_at + timedelta(days=int(rng.integers(0, 21))):%d/%m/%Y}",
                "available_to": "",
                "postcode": _located(rng, 1, pools, (0.5, 0.4, 0.1))[0] if kind == "agency" else "",
                "easting": None,
                "northing": None,
                "min_age": band[0],
                "max_age": band[1],
                "sex_accepted": "",
                "sibling_group_max": None,
                "current_children": int(rng.integers(0, 3)) if kind == "agency" else None,
                "pets": ("Y" if rng.random() < 0.4 else "N") if kind == "agency" else "",
                "current_youngest_age": None,
                "current_oldest_age": None,
                "weekly_price": None,
                "skills": "",
                "adaptations": "",
            })
    cols = [c.name for c in TABLES["vacancies"].columns]
    return pl.DataFrame(rows, schema_overrides={"min_age": pl.Int64, "max_age": pl.Int64,
                                                "sibling_group_max": pl.Int64,
                                                "current_children": pl.Int64,
                                                "weekly_price": pl.Float64,
                                                "easting": pl.Float64, "northing": pl.Float64},
                        strict=False).select(cols) if rows else pl.DataFrame(
        schema=dict.fromkeys(cols, pl.String))


def _referrals(rng: np.random.Generator, n: int, pools: tuple, carers: pl.DataFrame,
               providers: pl.DataFrame, as_at: date) -> pl.DataFrame:
    age = np.concatenate([rng.integers(lo, hi + 1, n) for lo, hi in ((0, 4), (5, 9), (10, 15),
                                                                    (16, 17))])
    band = rng.choice(4, size=n, p=[0.15, 0.15, 0.45, 0.25])
    age = age.reshape(4, n)[band, np.arange(n)]
    teen = age >= 11
    uasc = (age >= 15) & (rng.random(n) < 0.12)
    p = {"disability": np.full(n, 0.1), "emotional_behavioural": np.where(teen, 0.6, 0.3),
         "exploitation": np.where(teen, 0.2, 0.0), "missing": np.where(teen, 0.25, 0.02),
         "offending": np.where(teen, 0.1, 0.0), "substance_misuse": np.where(teen, 0.1, 0.0)}
    needs = {k: rng.random(n) < v for k, v in p.items()}
    n_needs = sum((needs[k].astype(int) for k in NEEDS), np.zeros(n, dtype=int))
    siblings = np.where((age < 12) & (rng.random(n) < 0.15), rng.choice([2, 3], size=n), 1)
    types = []
    for a, k in zip(age, n_needs, strict=True):
        t = ["in_house_fostering", "agency_fostering"]
        if a >= 11 and k >= 2:
            t.append("childrens_home")
        if a >= 16:
            t.append("supported_accommodation")
        types.append(";".join(t))
    home = _located(rng, n, pools, (1.0, 0.0, 0.0))
    sector = rng.random(n) < 0.4
    home = [h[:-2] if s and h else h for h, s in zip(home, sector, strict=True)]
    school_age = (age >= 5) & (age <= 16)
    school = [pc if s else "" for pc, s in zip(_located(rng, n, pools, (1.0, 0.0, 0.0)),
                                                 school_age, strict=True)]
    budget = np.where(np.char.find(np.array(types), "childrens_home") >= 0, 5500.0, 900.0)
    # safeguarding: about 4 in 10 children at risk of exploitation are to be kept away from
    # home (a minimum distance, and their home district to avoid); DoL orders are rare
    away = needs["exploitation"] & (rng.random(n) < 0.4)
    min_miles = np.where(away, rng.choice([10.0, 15.0, 20.0], size=n), np.nan)
    avoid = [h.split(" ")[0] if a and h else "" for h, a in zip(home, away, strict=True)]
    dol = teen & (n_needs >= 3) & (rng.random(n) < 0.05)
    # essential needs: most disabled children's needs, some others', an interpreter-carer for
    # a third of UASC; adaptations for about a third of disabled children
    essential = [";".join(k for k in NEEDS if needs[k][i] and rng.random() < (
        0.6 if k == "disability" else 0.2)) + (";language" if uasc[i] and rng.random() < 0.3
                                               else "") for i in range(n)]
    essential = [e.strip(";") for e in essential]
    adapt = _tokens(rng, n, {"wheelchair_access": 0.15, "ground_floor_bedroom": 0.25})
    adapt = [a if needs["disability"][i] else "" for i, a in enumerate(adapt)]
    prev_ids = carers["household_id"].to_list()
    urns = providers["urn"].to_list()
    return pl.DataFrame({
        "referral_id": [f"R{i + 1:04d}" for i in range(n)],
        "child_id": [f"SYN{rng.integers(100000, 999999)}" for _ in range(n)],
        "age": age,
        "sex": np.where(uasc, "M", rng.choice(["M", "F"], size=n, p=[0.56, 0.44])),
        "legal_status": np.where(uasc, "V2", rng.choice(["C2", "V2", "C1", "L2"], size=n,
                                                       p=[0.6, 0.25, 0.1, 0.05])),
        **{f"need_{k}": _yn(needs[k]) for k in NEEDS},
        "uasc": _yn(uasc),
        "essential_needs": essential,
        "adaptations_needed": adapt,
        "language": [rng.choice(LANGUAGES) if u else "" for u in uasc],
        "faith_culture": [rng.choice(FAITHS) if r < 0.1 else "" for r in rng.random(n)],
        "sibling_group_size": siblings,
        "siblings_together_required": _yn((siblings > 1) & (rng.random(n) < 0.7)),
        "home_postcode": [("" if u else h) for h, u in zip(home, uasc, strict=True)],
        "school_postcode": school,
        "keep_school": _yn(school_age & (rng.random(n) < 0.5)),
        "urgency": rng.choice(["today", "within_5_days", "over_5_days"], size=n, p=[.2, .3, .5]),
        "date_needed": [f"{as_at + timedelta(days=int(d)):%d/%m/%Y}"
                        for d in rng.integers(0, 28, n)],
        "duration": rng.choice(["emergency", "short_term", "long_term"], size=n, p=[.15, .35, .5]),
        "placement_types": types,
        "budget_weekly": budget,
        "max_distance_miles": [None if a else (20.0 if u < 0.5 else None)
                               for u, a in zip(rng.random(n), away, strict=True)],
        "min_distance_miles": [None if np.isnan(m) else float(m) for m in min_miles],
        "avoid_areas": avoid,
        "deprivation_of_liberty": _yn(dol),
        "previous_carers": [rng.choice(prev_ids) if (r < 0.1 and prev_ids) else ""
                            for r in rng.random(n)],
        "excluded": [rng.choice(urns) if (r < 0.05 and urns) else "" for r in rng.random(n)],
        "status": ["open"] * n,
        "wishes_feelings": [rng.choice(WISHES) if u < 0.6 else "" for u in rng.random(n)],
        "preferred_types": [rng.choice(["in_house_fostering", "childrens_home"])
                            if u < 0.3 else "" for u in rng.random(n)],
        "preferred_areas": [h.split(" ")[0] if (u < 0.2 and h and not a) else ""
                            for h, u, a in zip(home, rng.random(n), away, strict=True)],
        "cared_for_alongside": np.where(
            teen & (n_needs >= 2) & (rng.random(n) < 0.3), "solo",
            rng.choice(["no_preference", "older_children_only", "younger_children_only",
                        "with_other_children"], size=n, p=[0.85, 0.05, 0.05, 0.05])),
        "can_live_with_pets": rng.choice(["yes", "no", "not_known"], size=n, p=[.7, .1, .2]),
        "school_year": [int(a - 4) if s else None for a, s in zip(age, school_age, strict=True)],
        "ehcp": _yn(school_age & (rng.random(n) < np.where(needs["disability"], 0.5, 0.08))),
    }, strict=False)


def _connected_carers(rng: np.random.Generator, carers: pl.DataFrame,
                      referrals: pl.DataFrame) -> pl.DataFrame:
    """About 1 in 12 children has a family-and-friends (connected person) household being
    assessed or approved for them: a household with a free place becomes theirs."""
    free = carers.with_row_index("_i").filter(pl.col("vacancies") > 0)["_i"].to_list()
    kids = [c for c, u in zip(referrals["child_id"], rng.random(referrals.height), strict=True)
            if u < 1 / 12]
    named = [""] * carers.height
    for i, child in zip(rng.permutation(free) if free else [], kids, strict=False):
        named[int(i)] = child
    return carers.with_columns(pl.Series("connected_person_for", named))


def _sibling_rows(rng: np.random.Generator, referrals: pl.DataFrame) -> pl.DataFrame:
    """Sibling groups as practice records them: about half on one row (group size, youngest
    and oldest ages), half as one row per child linked by ``sibling_group_id`` (the rows after
    the first child become its brothers and sisters, so the extract keeps ``size`` rows)."""
    rows = referrals.to_dicts()
    taken: set[int] = set()
    groups = 0
    for i, row in enumerate(rows):
        k = int(row["sibling_group_size"])
        row.setdefault("sibling_group_id", "")
        row.setdefault("sibling_youngest_age", None)
        row.setdefault("sibling_oldest_age", None)
        if i in taken or k < 2:
            continue
        ages = sorted({int(np.clip(row["age"] + d, 0, 17))
                       for d in rng.integers(-4, 5, k - 1)} | {int(row["age"])})
        following = [j for j in range(i + 1, min(i + k, len(rows))) if j not in taken]
        if rng.random() < 0.5 or len(following) < k - 1:
            row["sibling_youngest_age"], row["sibling_oldest_age"] = ages[0], ages[-1]
            continue
        groups += 1
        gid = f"G{groups:04d}"
        row.update(sibling_group_id=gid, sibling_group_size=1)
        for j, age in zip(following, rng.integers(max(0, row["age"] - 4),
                                                  min(17, row["age"] + 4) + 1, k - 1),
                          strict=True):
            rows[j] = dict(row, referral_id=rows[j]["referral_id"], child_id=rows[j]["child_id"],
                           age=int(age), sex=rows[j]["sex"] if row["uasc"] != "Y" else "M")
            taken.add(j)
    return pl.DataFrame(rows, schema_overrides={"sibling_youngest_age": pl.Int64,
                                                "sibling_oldest_age": pl.Int64}, strict=False)


def generate_market(la_code: str, seed: int = 0, size: int = 40,
                    as_at: date | None = None) -> dict[str, pl.DataFrame]:
    """Carers, providers, vacancies and referrals extracts for ``la_code``, template layout.

    ``size`` is the number of open referrals; the market is scaled to it (about 0.9 in-house
    households per referral, one agency per 8, one children's home per 3). Same seed, same
    market. ``as_at`` (default today) anchors vacancy and referral dates.
    """
    rng = np.random.default_rng(seed)
    as_at = as_at or date.today()
    pools = _pools(la_code)
    if pools[0].height == 0:
        raise ValueError(f"no postcodes found for {la_code}")
    carers = _carers(rng, max(1, round(size * 0.9)), pools)
    providers = _providers(rng, size, pools, as_at)
    vacancies = _vacancies(rng, providers, size, pools, as_at)
    referrals = _sibling_rows(rng, _referrals(rng, size, pools, carers, providers, as_at))
    carers = _connected_carers(rng, carers, referrals)
    frames = {"carers": carers, "providers": providers, "vacancies": vacancies,
              "referrals": referrals}
    return {name: frame.select([c.name for c in TABLES[name].columns])
            for name, frame in frames.items()}


def write_market(frames: dict[str, pl.DataFrame], folder: Path) -> list[Path]:
    """Write the extracts as ``<table>.csv`` files (the layout ``carewise market load`` reads)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        frame.write_csv(path)
        paths.append(path)
    return paths
