"""Hard constraints and scored criteria, vectorised over referrals × options with numpy.

One rule set serves both jobs: the shortlist for one referral (a 1 × N evaluation) and the
batch assignment (R × N, in chunks of referrals). Each hard constraint is a small function
returning where it *fails*, with its reason and the rule it comes from; each criterion is a
small function returning a 0–1 score (NaN where it cannot be worked out for that option).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from carewise.geo import distance_miles, locality, normalise
from carewise.matching.market import OPTION_SCHEMA, conform, referral_schema
from carewise.matching.schema import (
    ADAPTATIONS,
    CARED_FOR_ALONGSIDE,
    NEEDS,
    OPTION_KINDS,
    REGISTRABLE_NEEDS,
)
from carewise.matching.settings import OFSTED_RANK, MatchSettings
from carewise.matching.siblings import units

_FIXED_TOKENS = (*NEEDS, "uasc", "therapeutic", "parent_and_child")
_INT_MIN, _INT_MAX = np.iinfo(np.int32).min, np.iinfo(np.int32).max
_EPOCH = date(1970, 1, 1)
_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_LOCALITY = {"in_area": 0, "adjoining": 1, "at_a_distance": 2}
_CONTRACT = {"framework": 0, "spot": 1, "in_house": 2}
_FOSTER_KINDS = (OPTION_KINDS.index("in_house_fostering"), OPTION_KINDS.index("agency_fostering"))


class Vocabulary:
    """Need/skill tokens -> bit positions (fixed needs first, then languages and faiths)."""

    def __init__(self, extra: list[str]):
        tokens = list(_FIXED_TOKENS) + sorted(set(extra) - set(_FIXED_TOKENS))
        self.index = {t: i for i, t in enumerate(tokens)}
        self.words = max(1, (len(tokens) + 63) // 64)

    def mask(self, lists: pl.Series) -> np.ndarray:
        """(n, words) uint64 bitmasks of a list-of-tokens column (unknown tokens ignored)."""
        n = len(lists)
        out = np.zeros((n, self.words), dtype=np.uint64)
        if n == 0:
            return out
        filled = pl.DataFrame({"t": lists}).select(
            pl.col("t").fill_null(pl.lit([], pl.List(pl.String))))
        # one column per token (in bit order): does the row's list contain it
        hits = filled.select([pl.col("t").list.contains(t).alias(f"b{i}")
                              for t, i in self.index.items()]).to_numpy().astype(np.uint64)
        for w in range(self.words):
            block = hits[:, w * 64:(w + 1) * 64]
            powers = np.left_shift(np.uint64(1), np.arange(block.shape[1], dtype=np.uint64))
            out[:, w] = (block * powers).sum(axis=1, dtype=np.uint64)  # distinct bits: sum = or
        return out

    def bit(self, token: str) -> np.ndarray:
        m = np.zeros(self.words, dtype=np.uint64)
        i = self.index[token]
        m[i // 64] = np.uint64(1) << np.uint64(i % 64)
        return m


def _tokens(frame: pl.DataFrame, list_col: str, prefix: str) -> pl.Expr:
    return pl.col(list_col).fill_null([]).list.eval(prefix + pl.element().str.to_lowercase())


def referral_tokens(referrals: pl.DataFrame, essential: bool = False) -> pl.Series:
    """A referral's needs as tokens: need flags, uasc, lang:<language>, faith:<faith>.

    ``essential``: only those the referral marks essential (``essential_needs``); a need
    marked essential counts as a need even if its Y/N flag was left N.
    """
    marked = pl.col("essential_needs").fill_null(pl.lit([], pl.List(pl.String)))

    def has(name: str, flag: pl.Expr) -> pl.Expr:
        return marked.list.contains(name) if essential else flag | marked.list.contains(name)

    flags = [pl.when(has(n, pl.col(f"need_{n}").fill_null(False))).then(pl.lit(n))
             for n in NEEDS]
    flags.append(pl.when(has("uasc", pl.col("uasc").fill_null(False))).then(pl.lit("uasc")))
    lang = pl.col("language").str.strip_chars().str.to_lowercase()
    flags.append(pl.when(lang.is_not_null() & ~lang.is_in(["english", "en", ""])
                         & has("language", pl.lit(True))).then("lang:" + lang))
    faith = pl.col("faith_culture").str.strip_chars().str.to_lowercase()
    flags.append(pl.when(faith.is_not_null() & (faith != "") & has("faith_culture", pl.lit(True)))
                 .then("faith:" + faith))
    return referrals.select(pl.concat_list(flags).list.drop_nulls().alias("tokens"))["tokens"]


def adaptation_bits(lists: pl.Series) -> np.ndarray:
    """(n,) int64 bitmask of adaptations (``ADAPTATIONS`` order) in a list column."""
    lists = lists.fill_null(pl.lit([], pl.List(pl.String)))
    frame = pl.DataFrame({"a": lists})
    bits = [pl.col("a").list.contains(a).cast(pl.Int64) * (1 << i)
            for i, a in enumerate(ADAPTATIONS)]
    return frame.select(pl.sum_horizontal(bits)).to_series().to_numpy().astype(np.int64)


def option_tokens(options: pl.DataFrame) -> pl.Series:
    return options.select(
        pl.concat_list(
            pl.col("skills").fill_null([]),
            _tokens(options, "languages", "lang:"),
            _tokens(options, "faiths", "faith:"),
        ).alias("tokens")
    )["tokens"]


def _days(s: pl.Series, fill: int) -> np.ndarray:
    return s.cast(pl.Int32).fill_null(fill).to_numpy().astype(np.int64)


def _f(s: pl.Series) -> np.ndarray:
    return s.cast(pl.Float64).to_numpy().astype(np.float64)


@dataclass
class OptionArrays:
    frame: pl.DataFrame
    ids: np.ndarray
    kind: np.ndarray
    places: np.ndarray
    min_age: np.ndarray
    max_age: np.ndarray
    sex: np.ndarray
    sgm: np.ndarray
    current: np.ndarray
    exemption: np.ndarray
    short_term: np.ndarray
    long_term: np.ndarray
    respite: np.ndarray
    pac: np.ndarray
    active: np.ndarray
    skills: np.ndarray
    covers: np.ndarray
    """Needs the option can meet: its skills, and for a home its registration categories."""
    adapt: np.ndarray
    categories: np.ndarray
    cannot: np.ndarray
    grade: np.ndarray
    price: np.ndarray
    avail_from: np.ndarray
    avail_to: np.ndarray
    e: np.ndarray
    n: np.ndarray
    district: np.ndarray
    """Postcode district (outward code, ``LS9``), "" when not known."""
    sector: np.ndarray
    """Postcode sector (``LS9 8``), "" when not known."""
    la: np.ndarray
    """Children's services authority code, "" when not known."""
    dol: np.ndarray
    pets: np.ndarray
    young: np.ndarray
    """Youngest / oldest child living there now (NaN: none or not known)."""
    old: np.ndarray
    connected: dict[str, list[int]]
    """Child id or referral id -> households approved as connected persons for that child."""
    connected_only: np.ndarray
    """Approved as a connected person for named children (not a mainstream household)."""
    locality: np.ndarray
    """0 in the council's area, 1 adjoining, 2 at a distance, -1 not known (or no council)."""
    contract: np.ndarray
    inspected: np.ndarray
    """Day of the latest Ofsted inspection (days since 1970-01-01; INT_MIN if none)."""
    full_cost: np.ndarray
    """In-house households priced at full cost (allowance plus overhead), not allowance."""
    id_index: dict[str, list[int]]

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass
class ReferralArrays:
    frame: pl.DataFrame
    """One row per unit (``siblings.units``): a kept-together sibling group is one row."""
    ids: np.ndarray
    age: np.ndarray
    """Youngest child's age (``age_lo``); ``age_hi`` the oldest's."""
    age_hi: np.ndarray
    sex: np.ndarray
    size: np.ndarray
    """Children in the sibling group (1 for a child on their own)."""
    together: np.ndarray
    needed: np.ndarray
    types: np.ndarray
    """(R, len(OPTION_KINDS)) bool: placement types sought."""
    duration: np.ndarray
    pac: np.ndarray
    needs: np.ndarray
    essential: np.ndarray
    """(R, W) needs marked essential (hard constraint)."""
    desirable: np.ndarray
    """(R, W) the other needs (scored)."""
    adapt: np.ndarray
    """(R,) adaptations needed (bitmask)."""
    registrable: np.ndarray
    n_tokens: np.ndarray
    band: np.ndarray
    budget: np.ndarray
    max_miles: np.ndarray
    date_needed: np.ndarray
    home_e: np.ndarray
    home_n: np.ndarray
    school_e: np.ndarray
    school_n: np.ndarray
    keep_school: np.ndarray
    previous: list[list[str]]
    excluded: list[list[str]]
    min_miles: np.ndarray
    avoid: list[list[str]]
    """Areas to avoid, normalised: postcode districts/sectors (upper case) or council codes."""
    home_avoided: np.ndarray
    """(R,) the child's home is in one of the areas to avoid."""
    dol: np.ndarray
    child_ids: list[list[str]]
    alongside: np.ndarray
    """Index in ``CARED_FOR_ALONGSIDE`` (-1: not given)."""
    no_pets: np.ndarray
    school_year: np.ndarray
    ehcp: np.ndarray
    preferred_kinds: np.ndarray
    """(R, len(OPTION_KINDS)) kinds the child would prefer (all False: none given)."""
    preferred_areas: list[list[str]]
    members: list[list[str]]
    """Referral ids each unit places."""
    group_key: np.ndarray
    """Sibling group of a child whose group may be split (None otherwise)."""
    today: int
    """The day matching is run, as days since 1970-01-01 (offers must still stand then)."""


def prepare(options: pl.DataFrame, referrals: pl.DataFrame, settings: MatchSettings,
            today: date | None = None, council: str | None = None
            ) -> tuple[OptionArrays, ReferralArrays]:
    """numpy arrays for options and referrals, sharing one token vocabulary.

    ``today`` (default: the real date) is the day matching is run: an offer whose last day is
    before it no longer stands, and an overdue referral needs a place free today. ``council``
    (the placing council) makes in area / adjoining / at a distance a scored criterion.
    """
    options = conform(options, OPTION_SCHEMA)
    referrals = units(conform(referrals, referral_schema()))
    r_tokens = referral_tokens(referrals)
    r_essential = referral_tokens(referrals, essential=True)
    o_tokens = option_tokens(options)
    extra = set(r_tokens.explode().drop_nulls().to_list())
    vocab = Vocabulary(sorted(t for t in extra if ":" in t))
    # postcode districts and sectors are only read when a referral names areas
    areas = any(referrals[c].list.len().fill_null(0).sum() > 0
                for c in ("avoid_areas", "preferred_areas"))
    return _option_arrays(options, o_tokens, vocab, settings, council, areas), _referral_arrays(
        referrals, r_tokens, r_essential, vocab, settings,
        ((today or date.today()) - _EPOCH).days)


def postcode_areas(postcodes: pl.Series) -> pl.DataFrame:
    """Postcode district (``LS9``) and sector (``LS9 8``) of full or partial postcodes, written
    with or without the space; "" when the text is not a postcode."""
    norm = normalise(postcodes.fill_null(""))
    key = norm.str.replace_all(" ", "")
    full = key.str.extract_groups(rf"^({_OUTWARD})([0-9][A-Z]{{2}})$")
    spaced = norm.str.extract_groups(rf"^({_OUTWARD}) ([0-9])[A-Z]?$")
    district = pl.select(pl.coalesce(full.struct.field("1"), spaced.struct.field("1"),
                                     key.str.extract(rf"^({_OUTWARD})$", 1))).to_series()
    sector = pl.select(pl.coalesce(
        full.struct.field("1") + " " + full.struct.field("2").str.slice(0, 1),
        spaced.struct.field("1") + " " + spaced.struct.field("2"))).to_series()
    return pl.DataFrame({"district": district.fill_null(""), "sector": sector.fill_null("")})


def area_tokens(values: list[str]) -> list[str]:
    """Areas as written by a person (``ls9``, ``LS12  5``, ``e08000035``), normalised."""
    return [" ".join(v.upper().split()) for v in values if v and v.strip()]


def _index(ids: np.ndarray, lists: list[list[str]]) -> dict[str, list[int]]:
    """Each name in a per-option list -> the options naming it."""
    out: dict[str, list[int]] = {}
    for i, names in enumerate(lists):
        for name in names or []:
            out.setdefault(name, []).append(i)
    return out


def _prices(o: pl.DataFrame, settings: MatchSettings) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3) weekly price per need band; in-house households at full cost (their own figure,
    else allowance and fee plus the council's overhead), so they compare fairly with agency
    prices, which include the agency's overheads."""
    price = np.column_stack([_f(o["price_standard"]), _f(o["price_complex"]),
                             _f(o["price_specialist"])])
    in_house = (o["kind"] == "in_house_fostering").to_numpy()
    own = _f(o["full_weekly_cost"])
    overhead = float(settings.scoring["in_house_overhead_weekly"])
    full = np.where(np.isnan(own), price[:, 0] + overhead, own)
    price[in_house] = full[in_house][:, None]
    return price, in_house


def _option_arrays(o: pl.DataFrame, tokens: pl.Series, vocab: Vocabulary,
                   settings: MatchSettings, council: str | None,
                   areas_needed: bool = True) -> OptionArrays:
    skills = vocab.mask(tokens)
    categories = vocab.mask(o["categories"].fill_null([]))
    if "therapeutic" in vocab.index:
        has_t = (skills & vocab.bit("therapeutic")).any(axis=1)
        skills[has_t] |= vocab.bit("emotional_behavioural")
    kind_code = {k: i for i, k in enumerate(OPTION_KINDS)}
    ids = o["option_id"].to_numpy().astype(object)
    urns = o["urn"].to_numpy().astype(object)
    id_index: dict[str, list[int]] = {}
    for i, (a, b) in enumerate(zip(ids, urns, strict=True)):
        id_index.setdefault(a, []).append(i)
        if b is not None and b != a:
            id_index.setdefault(b, []).append(i)
    grade = o["ofsted_grade"].replace_strict(OFSTED_RANK, default=-1, return_dtype=pl.Int64)
    areas = (postcode_areas(o["postcode"]) if areas_needed else
             pl.DataFrame({"district": [""] * o.height, "sector": [""] * o.height}))
    price, full_cost = _prices(o, settings)
    connected = o["connected_person_for"].fill_null([]).to_list()
    where = (locality(council, o["la_code"]).replace_strict(_LOCALITY, default=-1,
                                                            return_dtype=pl.Int64).to_numpy()
             if council else np.full(o.height, -1))
    return OptionArrays(
        frame=o,
        ids=ids,
        kind=o["kind"].replace_strict(kind_code, default=-1, return_dtype=pl.Int64).to_numpy(),
        places=o["places_free"].fill_null(0).to_numpy(),
        min_age=o["min_age"].fill_null(0).to_numpy(),
        max_age=o["max_age"].fill_null(25).to_numpy(),
        sex=o["sex_accepted"].replace_strict({"any": 0, "M": 1, "F": 2}, default=0,
                                             return_dtype=pl.Int64).to_numpy(),
        sgm=o["sibling_group_max"].fill_null(1).to_numpy(),
        current=o["current_children"].fill_null(0).to_numpy(),
        exemption=o["fostering_limit_exemption"].fill_null(False).to_numpy(),
        short_term=o["short_term"].fill_null(True).to_numpy(),
        long_term=o["long_term"].fill_null(True).to_numpy(),
        respite=o["respite"].fill_null(True).to_numpy(),
        pac=o["parent_and_child"].fill_null(False).to_numpy(),
        active=o["active"].fill_null(True).to_numpy(),
        skills=skills,
        covers=skills | categories,
        adapt=adaptation_bits(o["adaptations"]),
        categories=categories,
        cannot=vocab.mask(o["cannot_accept"].fill_null([])),
        grade=grade.to_numpy(),
        price=price,
        avail_from=_days(o["available_from"], _INT_MIN),
        avail_to=_days(o["available_to"], _INT_MAX),
        e=_f(o["easting"]),
        n=_f(o["northing"]),
        district=areas["district"].to_numpy().astype(object),
        sector=areas["sector"].to_numpy().astype(object),
        la=o["la_code"].fill_null("").str.to_uppercase().to_numpy().astype(object),
        dol=o["accepts_dol"].fill_null(False).to_numpy(),
        pets=o["pets"].fill_null(False).to_numpy(),
        young=_f(o["current_youngest_age"]),
        old=_f(o["current_oldest_age"]),
        connected=_index(ids, connected),
        connected_only=np.array([bool(c) for c in connected], dtype=bool),
        locality=where,
        contract=o["contract"].replace_strict(_CONTRACT, default=-1,
                                              return_dtype=pl.Int64).to_numpy(),
        inspected=_days(o["ofsted_date"], _INT_MIN),
        full_cost=full_cost,
        id_index=id_index,
    )


def _home_avoided(r: pl.DataFrame) -> np.ndarray:
    """(R,) the home postcode's district or sector, or the home council, is an area to avoid."""
    if not r["avoid_areas"].list.len().fill_null(0).sum():
        return np.zeros(r.height, dtype=bool)
    home = postcode_areas(r["home_postcode"])
    la = r["home_la_code"].fill_null("").str.to_uppercase().to_list()
    return np.array([bool(set(area_tokens(avoid)) & {d, s, c} - {""}) for avoid, d, s, c in zip(
        r["avoid_areas"].fill_null([]).to_list(), home["district"].to_list(),
        home["sector"].to_list(), la, strict=True)], dtype=bool)


def _kinds_mask(lists: pl.Series) -> np.ndarray:
    """(R, len(OPTION_KINDS)) bool: which kinds of option each list names."""
    if not len(lists):
        return np.zeros((0, len(OPTION_KINDS)), dtype=bool)
    return np.column_stack([lists.fill_null([]).list.contains(k).to_numpy()
                            for k in OPTION_KINDS])


def _referral_arrays(r: pl.DataFrame, tokens: pl.Series, essential_tokens: pl.Series,
                     vocab: Vocabulary,
                     settings: MatchSettings, today: int) -> ReferralArrays:
    needs = vocab.mask(tokens)
    essential = vocab.mask(essential_tokens)
    reg = vocab.mask(pl.Series([list(REGISTRABLE_NEEDS)] * r.height, dtype=pl.List(pl.String)))
    n_needs = r.select(pl.sum_horizontal(pl.col(f"need_{x}").fill_null(False).cast(pl.Int64)
                                         for x in NEEDS)).to_series().to_numpy()
    sc = settings.scoring
    band = np.where(n_needs >= sc["price_band_specialist_from"], 2,
                    np.where(n_needs >= sc["price_band_complex_from"], 1, 0))
    size = r["group_children"].fill_null(1).to_numpy()
    together = r["siblings_together_required"].fill_null(False).to_numpy()
    placed = r["sibling_group_size"].fill_null(1).to_numpy()
    types = _kinds_mask(r["placement_types"])
    default_cap = float(settings.constraints["default_max_distance_miles"] or 0)
    max_miles = _f(r["max_distance_miles"])
    if default_cap > 0:
        max_miles = np.where(np.isnan(max_miles), default_cap, max_miles)
    return ReferralArrays(
        frame=r,
        ids=r["referral_id"].to_numpy().astype(object),
        age=r["age_lo"].to_numpy(),
        age_hi=r["age_hi"].to_numpy(),
        sex=r["sex"].replace_strict({"M": 1, "F": 2, "mixed": 3}, default=0,
                                    return_dtype=pl.Int64).to_numpy(),
        size=size,
        together=together,
        needed=np.where(together, placed, 1),
        types=types,
        duration=r["duration"].fill_null("").to_numpy().astype(object),
        pac=(r["placement_types"].fill_null([]).list.contains("parent_and_child")).to_numpy(),
        needs=needs,
        essential=essential,
        desirable=needs & ~essential,
        adapt=adaptation_bits(r["adaptations_needed"]),
        registrable=needs & reg,
        n_tokens=np.bitwise_count(needs).sum(axis=1),
        band=band,
        budget=_f(r["budget_weekly"]),
        max_miles=max_miles,
        date_needed=_days(r["date_needed"], _INT_MAX),
        home_e=_f(r["home_easting"]),
        home_n=_f(r["home_northing"]),
        school_e=_f(r["school_easting"]),
        school_n=_f(r["school_northing"]),
        keep_school=r["keep_school"].fill_null(False).to_numpy(),
        previous=r["previous_carers"].fill_null([]).to_list(),
        excluded=r["excluded"].fill_null([]).to_list(),
        min_miles=_f(r["min_distance_miles"]),
        home_avoided=_home_avoided(r),
        avoid=[area_tokens(v) for v in r["avoid_areas"].fill_null([]).to_list()],
        dol=r["deprivation_of_liberty"].fill_null(False).to_numpy(),
        child_ids=r["child_ids"].to_list(),
        alongside=r["cared_for_alongside"].replace_strict(
            {c: i for i, c in enumerate(CARED_FOR_ALONGSIDE)}, default=-1,
            return_dtype=pl.Int64).to_numpy(),
        no_pets=(r["can_live_with_pets"] == "no").fill_null(False).to_numpy(),
        school_year=_f(r["school_year"]),
        ehcp=r["ehcp"].fill_null(False).to_numpy(),
        preferred_kinds=_kinds_mask(r["preferred_types"]),
        preferred_areas=[area_tokens(v) for v in r["preferred_areas"].fill_null([]).to_list()],
        members=r["members"].to_list(),
        group_key=r["group_key"].to_numpy().astype(object),
        today=today,
    )


# --- one chunk of referrals against every option ---------------------------------------------


@dataclass
class Pairs:
    """Referrals rows ``rows`` (R) against all options (N): the arrays rules read."""

    r: ReferralArrays
    o: OptionArrays
    rows: np.ndarray
    settings: MatchSettings
    _distances: dict = field(default_factory=dict, repr=False)

    def subset(self, keep: np.ndarray) -> Pairs:
        """The same pairs for the referrals where ``keep`` (R,) is True."""
        return Pairs(self.r, self.o, self.rows[keep], self.settings)

    def rcol(self, name: str) -> np.ndarray:
        return getattr(self.r, name)[self.rows][:, None]

    def ocol(self, name: str) -> np.ndarray:
        return getattr(self.o, name)[None, :]

    def sparse(self, lists: list[list[str]]) -> np.ndarray:
        """(R, N) True where the option's id/URN is named in the referral's list."""
        out = np.zeros((len(self.rows), self.o.size), dtype=bool)
        for k, i in enumerate(self.rows):
            for name in lists[i]:
                out[k, self.o.id_index.get(name, [])] = True
        return out

    def distance(self, e: str, n: str) -> np.ndarray:
        """(R, N) DfE miles from the referral's point ``e``/``n`` (worked out once per chunk)."""
        if (e, n) not in self._distances:
            self._distances[e, n] = distance_miles(self.rcol(e), self.rcol(n), self.ocol("e"),
                                                   self.ocol("n"))
        return self._distances[e, n]

    def connected_for(self) -> np.ndarray:
        """(R, N) the household is approved as a connected person for this child (or group)."""
        out = np.zeros((len(self.rows), self.o.size), dtype=bool)
        for k, i in enumerate(self.rows):
            for name in [*self.r.child_ids[i], *self.r.members[i]]:
                out[k, self.o.connected.get(name, [])] = True
        return out

    def in_areas(self, lists: list[list[str]]) -> np.ndarray:
        """(R, N) the option is in one of the referral's areas (district, sector or council)."""
        o = self.o
        out = np.zeros((len(self.rows), o.size), dtype=bool)
        for k, i in enumerate(self.rows):
            for token in lists[i]:
                out[k] |= (o.district == token) | (o.sector == token) | (o.la == token)
        return out


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(R, N): any bit shared between a (R, W) and b (N, W)."""
    return ((a[:, None, :] & b[None, :, :]) != 0).any(axis=2)


def _missing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(R, N): some bit of a (R, W) not in b (N, W)."""
    return ((a[:, None, :] & ~b[None, :, :]) != 0).any(axis=2)


@dataclass(frozen=True)
class Constraint:
    name: str
    reason: str
    source: str
    fails: Callable[[Pairs], np.ndarray]


def _vacancy(p: Pairs) -> np.ndarray:
    """No free place, or not free by the latest date the placement must start (for an overdue
    referral: not free today)."""
    start = np.maximum(p.rcol("date_needed"), p.r.today)
    return (p.ocol("places") < 1) | (p.ocol("avail_from") > start)


def _offer_expired(p: Pairs) -> np.ndarray:
    """The offer's last day is before today: it no longer stands, whatever the date needed."""
    return np.broadcast_to(p.ocol("avail_to") < p.r.today, (len(p.rows), p.o.size))


def _placement_type(p: Pairs) -> np.ndarray:
    """The care plan names the types of placement that could meet need."""
    kind = p.o.kind
    sought = p.r.types[p.rows]
    out = np.ones((len(p.rows), p.o.size), dtype=bool)
    valid = kind >= 0
    out[:, valid] = ~sought[:, kind[valid]]
    return out


def _registration(p: Pairs) -> np.ndarray:
    """Inactive/suspended providers, and homes not registered for the child's needs."""
    home = p.ocol("kind") == OPTION_KINDS.index("childrens_home")
    unregistered = _missing(p.r.registrable[p.rows], p.o.categories)
    return ~p.ocol("active") | (home & unregistered)


def _age_range(p: Pairs) -> np.ndarray:
    """Every child's age (the youngest and the oldest of a sibling group) within the range."""
    return (p.rcol("age") < p.ocol("min_age")) | (p.rcol("age_hi") > p.ocol("max_age"))


def _sex(p: Pairs) -> np.ndarray:
    accepted = p.ocol("sex")
    return (accepted != 0) & (accepted != p.rcol("sex"))


def _setting_age(p: Pairs) -> np.ndarray:
    """Under-16s may not be placed in supported accommodation (reg 27A; SA Regs 2023)."""
    sa = p.ocol("kind") == OPTION_KINDS.index("supported_accommodation")
    return sa & (p.rcol("age") < 16)


def _sibling_capacity(p: Pairs) -> np.ndarray:
    """A group that must stay together needs that many places and approval for the group."""
    needed = p.rcol("needed")
    return (needed > 1) & ((p.ocol("places") < needed) | (p.ocol("sgm") < needed))


def _fostering_limit(p: Pairs) -> np.ndarray:
    """CA 1989 Sch. 7: no more than 3 fostered children unless all are siblings or exempt."""
    limit = int(p.settings.constraints["fostering_limit"])
    kind = p.ocol("kind")
    foster = (kind == OPTION_KINDS.index("in_house_fostering")) | (
        kind == OPTION_KINDS.index("agency_fostering"))
    current = p.ocol("current")
    over = current + p.rcol("needed") > limit
    all_siblings = current == 0
    return foster & ~p.ocol("exemption") & over & ~all_siblings


def _terms_of_approval(p: Pairs) -> np.ndarray:
    """Carer's terms of approval (FSR 2011 reg 27(5)): duration and parent-and-child."""
    dur = p.r.duration[p.rows][:, None]
    short = (dur == "short_term") | (dur == "emergency")
    bad = (short & ~p.ocol("short_term")) | ((dur == "long_term") & ~p.ocol("long_term"))
    bad |= (dur == "respite") & ~p.ocol("respite")
    return bad | (p.rcol("pac") & ~p.ocol("pac"))


def _exclusions(p: Pairs) -> np.ndarray:
    """Named in the referral as not to be used, or the option cannot accept one of the needs."""
    return p.sparse(p.r.excluded) | _overlap(p.r.needs[p.rows], p.o.cannot)


def _essential_needs(p: Pairs) -> np.ndarray:
    """A need marked essential that the option does not list (skills, or a home's registration
    categories), for every kind of option, foster homes included (Fostering NMS 15.1)."""
    return _missing(p.r.essential[p.rows], p.o.covers)


def _adaptations(p: Pairs) -> np.ndarray:
    """An adaptation the child needs (wheelchair access, ground-floor bedroom …) that the
    home does not have."""
    return (p.rcol("adapt") & ~p.ocol("adapt")) != 0


def _distance_cap(p: Pairs) -> np.ndarray:
    """Further from home than the referral's maximum (unknown distances are not excluded)."""
    with np.errstate(invalid="ignore"):
        return p.distance("home_e", "home_n") > p.rcol("max_miles")


def _keeps_away(p: Pairs) -> np.ndarray:
    """(R,) the safeguarding plan keeps the child away from home: a minimum distance, or the
    child's own home district, sector or council among the areas to avoid."""
    with np.errstate(invalid="ignore"):
        return (p.r.min_miles[p.rows] > 0) | p.r.home_avoided[p.rows]


def _min_distance(p: Pairs) -> np.ndarray:
    """Nearer to home than the safeguarding minimum, or the distance cannot be worked out (a
    child kept away from home is never placed on a guess)."""
    d = p.distance("home_e", "home_n")
    with np.errstate(invalid="ignore"):
        near = d < p.rcol("min_miles")
    return _keeps_away(p)[:, None] & (near | np.isnan(d))


def _avoid_areas(p: Pairs) -> np.ndarray:
    """In an area the child must not live in (postcode district or sector, or council), or
    where the option is cannot be told."""
    unknown = (p.o.district == "") & (p.o.la == "")
    asked = np.array([bool(p.r.avoid[i]) for i in p.rows], dtype=bool)
    return p.in_areas(p.r.avoid) | (asked[:, None] & unknown[None, :])


def _deprivation_of_liberty(p: Pairs) -> np.ndarray:
    """A child under a deprivation of liberty order only where the setting can care for one."""
    return p.rcol("dol") & ~p.ocol("dol")


def _household(p: Pairs) -> np.ndarray:
    """A child who should be the only child where other children live now; a child who cannot
    live with pets where there are pets."""
    solo = p.rcol("alongside") == CARED_FOR_ALONGSIDE.index("solo")
    return (solo & (p.ocol("current") > 0)) | (p.rcol("no_pets") & p.ocol("pets"))


def _connected_person(p: Pairs) -> np.ndarray:
    """A household approved as a connected person for other, named children only."""
    return p.ocol("connected_only") & ~p.connected_for()


def _ofsted_floor(p: Pairs) -> np.ndarray:
    floor = OFSTED_RANK.get(str(p.settings.constraints["ofsted_floor"]), 3)
    return p.ocol("grade") > floor


CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("vacancy", "no free place by the date needed",
               "vacancy and latest start date (RCC home search standard)", _vacancy),
    Constraint("offer_expired", "the offer has expired", "vacancy offer end date (RCC home search "
               "standard)", _offer_expired),
    Constraint("placement_type", "not a type of placement sought",
               "care plan; CA 1989 s22C placement ladder", _placement_type),
    Constraint("registration", "not active or not registered for the child's needs",
               "Ofsted registration and Statement of Purpose (Children's Homes Regs 2015)",
               _registration),
    Constraint("age_range", "a child's age is outside the age range approved or registered",
               "terms of approval (FSR 2011 reg 27) / Statement of Purpose", _age_range),
    Constraint("sex", "does not accept the child's sex", "terms of approval / Statement of Purpose",
               _sex),
    Constraint("setting_age", "supported accommodation is for 16-17s",
               "CPPCR 2010 reg 27A (SI 2021/161); Supported Accommodation Regs 2023", _setting_age),
    Constraint("sibling_capacity", "cannot take the whole sibling group together",
               "CA 1989 s22C(8)(c) siblings together; terms of approval", _sibling_capacity),
    Constraint("fostering_limit", "would exceed the usual fostering limit of 3",
               "CA 1989 Sch. 7 para 2", _fostering_limit),
    Constraint("terms_of_approval", "not approved for this kind of care",
               "FSR 2011 reg 27(5)", _terms_of_approval),
    Constraint("exclusions", "excluded for this child or cannot accept one of the needs",
               "referral exclusions; Fostering NMS 15.1 (can meet assessed needs)", _exclusions),
    Constraint("essential_needs", "does not meet a need marked essential",
               "Fostering NMS 15.1 (can reasonably be expected to meet the child's assessed "
               "needs); Statement of Purpose (Children's Homes Regs 2015 reg 16)",
               _essential_needs),
    Constraint("adaptations", "lacks an adaptation the child needs",
               "CA 1989 s22C(8)(d) suitable for a disabled child's needs; RCC home search "
               "standard (home adaptations)", _adaptations),
    Constraint("distance_cap", "further from home than the referral allows",
               "referral maximum distance", _distance_cap),
    Constraint("min_distance", "nearer to home than the safeguarding plan allows (or distance "
               "not known)", "safeguarding plan; CA 1989 s22C(7)-(8) 'so far as consistent with "
               "the child's welfare'", _min_distance),
    Constraint("avoid_areas", "in an area the child must not live in (or location not known)",
               "safeguarding plan: locations to avoid (RCC home search standard)", _avoid_areas),
    Constraint("household", "other children live there and the child should be the only one, "
               "or pets and the child cannot live with them", "national Placement Standard (who "
               "the child can be cared for alongside; can live with pets); Fostering NMS 15.1 "
               "(impact on the household)", _household),
    Constraint("connected_person", "approved as a connected person for another child",
               "CPPCR 2010 reg 24 (temporary approval of a connected person for a named child); "
               "FSR 2011", _connected_person),
    Constraint("deprivation_of_liberty", "cannot care for a child under a deprivation of "
               "liberty order", "DoL order (national Placement Standard); High Court inherent "
               "jurisdiction", _deprivation_of_liberty),
    Constraint("ofsted_floor", "Ofsted grade below the council's floor", "council policy setting",
               _ofsted_floor),
)
CONSTRAINT_NAMES = tuple(c.name for c in CONSTRAINTS)


# --- criteria ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    name: str
    label: str
    why: str
    score: Callable[[Pairs], np.ndarray]
    """(R, N) 0–1 score, NaN where unknown for that option."""
    applies: Callable[[Pairs], np.ndarray]
    """(R,) bool: does the criterion apply to the referral at all."""


def _distance_score(miles: np.ndarray, settings: MatchSettings) -> np.ndarray:
    zero = float(settings.scoring["distance_zero_score_miles"])
    return np.clip(1.0 - miles / zero, 0.0, 1.0)


def _c_home(p: Pairs) -> np.ndarray:
    return _distance_score(p.distance("home_e", "home_n"), p.settings)


def _c_school(p: Pairs) -> np.ndarray:
    return _distance_score(p.distance("school_e", "school_n"), p.settings)


def _c_in_house(p: Pairs) -> np.ndarray:
    is_in = (p.o.kind == OPTION_KINDS.index("in_house_fostering")).astype(float)
    return np.broadcast_to(is_in, (len(p.rows), p.o.size))


def price_for(p: Pairs) -> np.ndarray:
    """(R, N) weekly price of each option for each referral's need band."""
    return p.o.price[:, p.r.band[p.rows]].T


def _c_cost(p: Pairs) -> np.ndarray:
    """1 when free, 0.5 at the budget, 0 at twice the budget or more."""
    budget = p.rcol("budget")
    budget = np.where(np.isnan(budget), float(p.settings.scoring["reference_weekly_cost"]), budget)
    return np.clip(1.0 - price_for(p) / (2.0 * budget), 0.0, 1.0)


def _c_ofsted(p: Pairs) -> np.ndarray:
    scores = p.settings.ofsted_scores
    by_rank = np.array([scores["outstanding"], scores["good"], scores["requires_improvement"],
                        scores["inadequate"]])
    grade = p.o.grade.copy()
    in_house = p.o.kind == OPTION_KINDS.index("in_house_fostering")
    own = OFSTED_RANK.get(str(p.settings.constraints["in_house_ofsted_grade"]), -1)
    grade[in_house] = own
    uninspected = p.o.frame["ofsted_grade"].to_numpy() == "not_yet_inspected"
    s = np.where(grade >= 0, by_rank[np.clip(grade, 0, 3)], np.nan)
    s = np.where(uninspected, scores["not_yet_inspected"], s)
    return np.broadcast_to(s, (len(p.rows), p.o.size))


def _c_skills(p: Pairs) -> np.ndarray:
    """Share of the desirable needs (those not marked essential) the option can meet."""
    need = p.r.desirable[p.rows]
    covered = np.bitwise_count(need[:, None, :] & p.o.covers[None, :, :]).sum(axis=2)
    count = np.maximum(np.bitwise_count(need).sum(axis=1), 1)[:, None]
    return covered / count


def _c_siblings(p: Pairs) -> np.ndarray:
    size = p.rcol("size")
    return ((p.ocol("places") >= size) & (p.ocol("sgm") >= size)).astype(float)


def _c_continuity(p: Pairs) -> np.ndarray:
    return p.sparse(p.r.previous).astype(float)


def _c_wishes(p: Pairs) -> np.ndarray:
    """Kind and area the child would prefer: each given one counts half when both are given."""
    kinds = p.r.preferred_kinds[p.rows]
    asked_kind = kinds.any(axis=1)[:, None]
    valid = p.o.kind >= 0
    kind_ok = np.zeros((len(p.rows), p.o.size), dtype=bool)
    kind_ok[:, valid] = kinds[:, p.o.kind[valid]]
    asked_area = np.array([bool(p.r.preferred_areas[i]) for i in p.rows])[:, None]
    area_ok = p.in_areas(p.r.preferred_areas)
    parts = asked_kind.astype(float) + asked_area
    met = np.where(asked_kind, kind_ok, 0.0) + np.where(asked_area, area_ok, 0.0)
    return met / np.maximum(parts, 1)


def _wishes_apply(p: Pairs) -> np.ndarray:
    return p.r.preferred_kinds[p.rows].any(axis=1) | np.array(
        [bool(p.r.preferred_areas[i]) for i in p.rows], dtype=bool)


def _c_household(p: Pairs) -> np.ndarray:
    """Who the child should live alongside against the children there now: only older (every
    child there older), only younger, or with other children (some there). Ages not known
    where children live: unknown."""
    want = p.rcol("alongside")
    current = p.ocol("current")
    with np.errstate(invalid="ignore"):
        older = np.where(current == 0, 1.0, np.where(np.isnan(p.ocol("young")), np.nan,
                                                     (p.ocol("young") > p.rcol("age_hi"))))
        younger = np.where(current == 0, 1.0, np.where(np.isnan(p.ocol("old")), np.nan,
                                                       (p.ocol("old") < p.rcol("age"))))
    others = (current > 0).astype(float)
    idx = CARED_FOR_ALONGSIDE.index
    return np.where(want == idx("older_children_only"), older,
                    np.where(want == idx("younger_children_only"), younger,
                             np.broadcast_to(others, older.shape)))


def _household_applies(p: Pairs) -> np.ndarray:
    idx = CARED_FOR_ALONGSIDE.index
    return np.isin(p.r.alongside[p.rows], [idx("older_children_only"),
                                           idx("younger_children_only"),
                                           idx("with_other_children")])


def _c_placement_order(p: Pairs) -> np.ndarray:
    """CA 1989 s22C(6): connected person 1, other local authority foster parent 0.75,
    children's home 0.5, other arrangements 0.25."""
    kind = p.o.kind
    base = np.where(np.isin(kind, _FOSTER_KINDS), 0.75,
                    np.where(kind == OPTION_KINDS.index("childrens_home"), 0.5, 0.25))
    return np.where(p.connected_for(), 1.0, base[None, :])


def _c_locality(p: Pairs) -> np.ndarray:
    """In the council's area 1, an adjoining council 0.5, at a distance 0 (not known: NaN)."""
    s = np.array([1.0, 0.5, 0.0, np.nan])[np.where(p.o.locality < 0, 3, p.o.locality)]
    return np.broadcast_to(s, (len(p.rows), p.o.size))


def _c_contract(p: Pairs) -> np.ndarray:
    """Framework providers are quality-assured on agreed terms; a spot purchase is not."""
    spot = float(p.settings.scoring["spot_contract_score"])
    s = np.array([1.0, spot, 1.0, np.nan])[np.where(p.o.contract < 0, 3, p.o.contract)]
    return np.broadcast_to(s, (len(p.rows), p.o.size))


def _c_inspection(p: Pairs) -> np.ndarray:
    """1 if inspected within ``inspection_full_months``, falling to 0 at
    ``inspection_zero_months``; no inspection date: NaN."""
    full = float(p.settings.scoring["inspection_full_months"]) * 30.44
    zero = float(p.settings.scoring["inspection_zero_months"]) * 30.44
    age = (p.r.today - p.o.inspected).astype(float)
    s = np.where(p.o.inspected == _INT_MIN, np.nan,
                 np.clip((zero - age) / max(zero - full, 1.0), 0.0, 1.0))
    return np.broadcast_to(s, (len(p.rows), p.o.size))


def _always(p: Pairs) -> np.ndarray:
    return np.ones(len(p.rows), dtype=bool)


CRITERIA_RULES: tuple[Criterion, ...] = (
    Criterion("distance_home", "distance from home",
              "CA 1989 s22C(7)-(9): near home, within the area (not scored when a safeguarding "
              "minimum distance keeps the child away from home)", _c_home,
              lambda p: ~np.isnan(p.r.home_e[p.rows]) & ~_keeps_away(p)),
    Criterion("distance_school", "distance from school",
              "CA 1989 s22C(8)(b); CPPCR 2010 reg 10: avoid disrupting education (weight up when "
              "the school must be kept, in exam years 10-11 and with an EHC plan)", _c_school,
              lambda p: ~np.isnan(p.r.school_e[p.rows])),
    Criterion("in_house", "in-house carer", "council policy (switchable weight)", _c_in_house,
              _always),
    Criterion("cost", "weekly cost against budget", "best use of resources", _c_cost, _always),
    Criterion("ofsted", "Ofsted grade", "quality of care", _c_ofsted, _always),
    Criterion("skills", "skills for the child's desirable needs",
              "Fostering NMS 15; CA 1989 s22(5)(c) religion, culture, language", _c_skills,
              lambda p: np.bitwise_count(p.r.desirable[p.rows]).sum(axis=1) > 0),
    Criterion("siblings_together", "room for the whole sibling group", "CA 1989 s22C(8)(c)",
              _c_siblings, lambda p: p.r.size[p.rows] > 1),
    Criterion("continuity", "lived there before", "stability; Wirral/Lincolnshire matching "
              "factors (previous placements)", _c_continuity,
              lambda p: np.array([len(p.r.previous[i]) > 0 for i in p.rows], dtype=bool)),
    Criterion("wishes", "the child's wishes and feelings", "CA 1989 s22(4)-(5): ascertain and "
              "give due consideration to the child's wishes and feelings", _c_wishes,
              _wishes_apply),
    Criterion("household", "who the child would live alongside",
              "Fostering NMS 15.1 (impact on the household); national Placement Standard (who "
              "the child can be cared for alongside)", _c_household, _household_applies),
    Criterion("placement_order", "order of preference for the kind of placement",
              "CA 1989 s22C(6)-(7)(a): connected person first, then other foster parents, "
              "children's homes, other arrangements", _c_placement_order, _always),
    Criterion("locality", "in the area, adjoining or at a distance",
              "CA 1989 s22C(9): within the area unless not reasonably practicable; CPPCR 2010 "
              "reg 11 (approval outside it)", _c_locality,
              lambda p: (p.o.locality >= 0).any() & ~_keeps_away(p)),
    Criterion("contract", "framework or spot contract", "council commissioning: framework "
              "providers are quality-assured on agreed terms", _c_contract, _always),
    Criterion("inspection", "how recent the Ofsted inspection is", "Ofsted inspection (SCCIF): "
              "a recent judgement says more about care now", _c_inspection, _always),
)


def exam_year(r: ReferralArrays, rows: np.ndarray) -> np.ndarray:
    """(R,) in year 10 or 11, the GCSE years."""
    return np.isin(r.school_year[rows], (10.0, 11.0))


def school_multiplier(r: ReferralArrays, rows: np.ndarray, settings: MatchSettings
                      ) -> np.ndarray:
    """How much more school counts for each referral: keep the school, exam years, EHC plan."""
    sc = settings.scoring
    return (np.where(r.keep_school[rows], float(sc["keep_school_multiplier"]), 1.0)
            * np.where(exam_year(r, rows), float(sc["exam_year_multiplier"]), 1.0)
            * np.where(r.ehcp[rows], float(sc["ehcp_multiplier"]), 1.0))


@dataclass
class Evaluation:
    """R × N results for one chunk of referrals."""

    rows: np.ndarray
    fails: dict[str, np.ndarray]
    feasible: np.ndarray
    scores: dict[str, np.ndarray]
    weights: np.ndarray
    """(R, C) effective weight of each criterion for each referral (0 where not applicable)."""
    total: np.ndarray
    """(R, N) 0–100 weighted score."""


def evaluate(r: ReferralArrays, o: OptionArrays, settings: MatchSettings,
             rows: np.ndarray | None = None) -> Evaluation:
    """Apply every hard constraint and score every criterion for referrals ``rows``."""
    rows = np.arange(len(r.ids)) if rows is None else rows
    p = Pairs(r, o, rows, settings)
    fails = {c.name: np.broadcast_to(c.fails(p), (len(rows), o.size)) for c in CONSTRAINTS}
    feasible = ~np.logical_or.reduce(list(fails.values())) if fails else np.ones(
        (len(rows), o.size), dtype=bool)
    unknown = float(settings.scoring["unknown_score"])
    scores: dict[str, np.ndarray] = {}
    weights = np.zeros((len(rows), len(CRITERIA_RULES)))
    total = np.zeros((len(rows), o.size))
    for k, crit in enumerate(CRITERIA_RULES):
        w = settings.weights[crit.name]
        applies = crit.applies(p)
        if crit.name == "distance_school":
            wr = w * school_multiplier(r, rows, settings)
        else:
            wr = np.full(len(rows), w)
        wr = np.where(applies, wr, 0.0)
        weights[:, k] = wr
        use = wr > 0
        if not use.any():
            scores[crit.name] = np.broadcast_to(np.nan, (len(rows), o.size))
            continue
        # scored only for the referrals it applies to (the rest stay NaN: not applicable)
        with np.errstate(invalid="ignore"):
            if use.all():
                s = np.asarray(crit.score(p), dtype=float)
                total += wr[:, None] * np.where(np.isnan(s), unknown, s)
            else:
                part = np.asarray(crit.score(p.subset(use)), dtype=float)
                s = np.full((len(rows), o.size), np.nan)
                s[use] = part
                total[use] += wr[use, None] * np.where(np.isnan(part), unknown, part)
        scores[crit.name] = s
    denom = weights.sum(axis=1)
    total = np.where(denom[:, None] > 0, 100.0 * total / np.where(denom > 0, denom, 1)[:, None],
                     0.0)
    return Evaluation(rows, fails, feasible, scores, weights, total)
