"""A synthetic council: its simulated children cut into one 903 return per collection year.

Each return holds what a council would submit: every episode open at any time in the year
(an episode open on 31 March has a blank DEC there and its end in the next return), a header
row per child, and the other tables with the codes of that year (SEX 1/2 until 2023-24 and
M/F after; H5 until registered supported accommodation K3 from 2024-25; social-worker
episodes from 2023-24; deprivation of liberty orders from 2026-27). Frames are text exactly as
the CSV files hold them, so writing and reading back gives the same returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from carewise.codes import SHORT_BREAKS
from carewise.codes.lists import sex_code
from carewise.errors import SettingError
from carewise.returns import ROW, CollectionYear, Return, tables_for
from carewise.returns.frames import MISSING
from carewise.returns.tables import TABLES
from carewise.synth import events
from carewise.synth import model as m
from carewise.synth.figures import (
    DEFAULT_COUNCIL,
    CouncilFigures,
    Truth,
    _table,
    council_figures,
    national_councils,
    parse_size,
)
from carewise.synth.places import postcodes
from carewise.synth.simulate import (
    OTHER_SPLIT_FROM,
    YEAR,
    Simulation,
    _pick,
    birthday,
    calibrate,
    day,
    simulate,
    text,
)


@dataclass
class SyntheticCouncil:
    """A generated council: its returns by collection year and the truth behind them."""

    la_code: str
    la_name: str
    seed: int
    size: int
    years: list[CollectionYear]
    returns: dict[CollectionYear, Return]
    truth: Truth
    figures: CouncilFigures
    simulation: Simulation | None = field(default=None, repr=False)

    def manifest(self) -> dict:
        return {
            "la_code": self.la_code, "la_name": self.la_name, "synthetic": True,
            "seed": self.seed, "size": self.size, "years": [y.label for y in self.years],
        }

    def summary(self) -> dict:
        """Per year: children, episodes and rows per table (the CLI's --json shape)."""
        return {
            y.label: {"children": r.children, "episodes": r.episodes, "tables": r.counts()}
            for y, r in sorted(self.returns.items())
        }


def _years(years: str | list) -> list[CollectionYear]:
    """The collection years asked for; a year whose return layout carewise does not hold is
    refused (its returns would have no tables at all, silently)."""
    from carewise.returns import year_range
    from carewise.returns.years import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR

    the_years = year_range(years) if isinstance(years, str) else sorted(CollectionYear.parse(y) for y in years)
    outside = [y.label for y in the_years if not y.supported]
    if outside:
        raise SettingError(
            f"Synthetic returns can only be made for the collection years carewise knows the layout of, "
            f"{CollectionYear(FIRST_SUPPORTED_YEAR)} to {CollectionYear(LAST_SUPPORTED_YEAR)}; not {', '.join(outside)}. "
            "Choose years in that range (for example --years 2020-21..2025-26)."
        )
    return the_years


def generate_council(
    size: str | int,
    years: str | list,
    seed: int,
    la_code: str | None = None,
) -> SyntheticCouncil:
    """Simulate a council of about ``size`` children looked after at a time, seeded."""
    n_target = parse_size(size)
    the_years = _years(years)
    fig = council_figures(la_code or DEFAULT_COUNCIL)
    return _generate(n_target, the_years, seed, fig)


def _generate(n_target: int, years: list[CollectionYear], seed: int, fig: CouncilFigures
              ) -> SyntheticCouncil:
    rng = np.random.default_rng(np.random.SeedSequence([seed, int(fig.la_code[1:])]))
    pc = postcodes()
    truth = calibrate(rng, n_target, fig)
    first, last = years[0], years[-1]
    sim = simulate(rng, truth, day(first.start), day(last.end), fig, pc)
    builder = _ReturnBuilder(rng, sim, fig, n_target)
    returns = {y: builder.build(y) for y in years}
    return SyntheticCouncil(
        la_code=fig.la_code, la_name=f"{fig.la_name} (synthetic)", seed=seed, size=n_target,
        years=years, returns=returns, truth=truth, figures=fig, simulation=sim,
    )


def _stock(periods: pl.DataFrame, on: int) -> int:
    return periods.filter((pl.col("entry") <= on) & (pl.col("end") > on)).height


def write_council(council: SyntheticCouncil, out_dir: str | Path) -> Path:
    """``out_dir/<year>/<table>.csv`` for every table of every year, and carewise-council.json."""
    out = Path(out_dir)
    for year, ret in sorted(council.returns.items()):
        folder = out / year.label
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in ret.raw.items():
            frame.drop(ROW).write_csv(folder / f"{name}.csv", null_value="")
    out.mkdir(parents=True, exist_ok=True)
    (out / "carewise-council.json").write_text(json.dumps(council.manifest(), indent=2) + "\n")
    return out


def generate_national(
    years: str | list,
    seed: int,
    out_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    councils: list[str] | None = None,
) -> Iterator[SyntheticCouncil]:
    """Every council sized by its published count of children looked after (one at a time).

    With ``out_dir`` each council is written to ``out_dir/<la_code>/`` as it is made, and
    dropped from memory unless the caller keeps it.
    """
    the_years = _years(years)
    chosen = national_councils()
    if councils is not None:
        wanted = set(councils)
        chosen = [c for c in chosen if c[0] in wanted]
    for la_code, count in chosen:
        if count < 1:
            continue
        council = _generate(max(count, 5), the_years, seed, council_figures(la_code))
        council.simulation = None
        if out_dir is not None:
            write_council(council, Path(out_dir) / la_code)
        if progress:
            progress(la_code)
        yield council


# --------------------------------------------------------------------------------------------


def _date(col: str) -> pl.Expr:
    """Day numbers to DD/MM/YYYY text; negative or null days stay blank."""
    c = pl.col(col)
    return (
        pl.when(c.is_null() | (c < 0)).then(None)
        .otherwise(c.cast(pl.Int32).cast(pl.Date).dt.strftime("%d/%m/%Y"))
        .alias(col)
    )


def _raw(frame: pl.DataFrame, table: str, dates: tuple[str, ...]) -> pl.DataFrame:
    spec = TABLES[table]
    exprs = []
    for col in spec.columns:
        if col not in frame.columns:
            exprs.append(pl.lit(None, dtype=pl.String).alias(col))
        elif col in dates:
            exprs.append(_date(col))
        else:
            exprs.append(pl.col(col).cast(pl.String))
    out = frame.select(exprs)
    return out.select(pl.int_range(1, out.height + 1, dtype=pl.Int64).alias(ROW), pl.all())


class _ReturnBuilder:
    def __init__(self, rng: np.random.Generator, sim: Simulation, fig: CouncilFigures,
                 n_target: int):
        self.rng = rng
        self.fig = fig
        self.horizon = sim.horizon
        periods = sim.periods
        everyone = periods.select("child", "dob", "uasc", "entry", "end")
        if sim.short_break_children is not None:
            everyone = pl.concat([everyone, sim.short_break_children.select(
                [pl.col(c).cast(t) for c, t in everyone.schema.items()])])
        self.kids = events.children(rng, everyone, fig.la_number, sim.truth)
        key = self.kids.select("child", "CHILD", "dob", "male", "uasc", "ETHNIC", "UPN",
                               "mc_dob")
        self.key = key
        self.periods = periods.join(key.select("child", "CHILD"), on="child")
        self.episodes = sim.episodes.join(key.select("child", "CHILD", "dob"), on="child")
        self.reviews = events.reviews(rng, periods, self.horizon).join(
            self.periods.select("period", "CHILD", "dob"), on="period")
        self.missing = events.missing(rng, periods, self.horizon).join(
            self.periods.select("period", "CHILD", "dob"), on="period")
        short = (sim.short_break_children["child"] if sim.short_break_children is not None
                 else pl.Series("child", [], dtype=pl.Int64))
        self.short_only = key.filter(pl.col("child").is_in(short.implode()))["CHILD"]
        self.sw = events.social_workers(rng, self.kids, n_target).filter(
            ~pl.col("child").is_in(short.implode())).join(
            key.select("child", "CHILD", "dob"), on="child")
        self.adoption = events.adoption(rng, periods)
        la_numbers = sorted(x for x in _table()["la_number"].drop_nulls().to_list() if x)
        self.prev_perm = events.previous_permanence(rng, periods, la_numbers,
                                                    fig.la_number or "999")
        self.leavers = self._leavers()
        a5 = self.episodes.filter(pl.col("PLACE").is_in(["A5", "A3"])).select("period").unique()
        self.foster_adopted = set(a5["period"].to_list())

    def _leavers(self) -> pl.DataFrame:
        """Care leavers: left at 16 or over after 13 weeks in care since 14, never back."""
        p = self.periods.sort("child", "entry")
        last = p.group_by("child", maintain_order=True).last()
        dob = last["dob"].to_numpy()
        b14, b16 = birthday(dob, 14), birthday(dob, 16)
        end, entry = last["end"].to_numpy(), last["entry"].to_numpy()
        weeks_ok = (end - np.maximum(entry, b14)) >= 91
        ok = (end >= b16) & weeks_ok & (end <= self.horizon) & ~np.isin(
            last["rec"].to_numpy(), ["E2", "E3", "E11", "E12", "E15"])
        return last.filter(pl.Series(ok)).select("child", "CHILD", "dob", "end", "rec")

    def build(self, year: CollectionYear) -> Return:
        s, e = day(year.start), day(year.end)
        rng = np.random.default_rng(np.random.SeedSequence(
            [int(self.rng.integers(0, 2**31)), year.start_year]))
        eps = self.episodes.filter((pl.col("DECOM") <= e) & (pl.col("DEC") >= s))
        in_care = eps.select("CHILD").unique()
        raw: dict[str, pl.DataFrame] = {}
        names = {spec.name for spec in tables_for(year)}
        oc3 = self._oc3(rng, year)
        raw["header"] = self._header(year, eps, oc3)
        raw["episodes"] = self._episodes(eps, e)
        raw["reviews"] = self._reviews(rng, s, e)
        raw["uasc"] = self._uasc(year, in_care)
        raw["oc2"] = self._oc2(rng, year, eps)
        raw["oc3"] = _raw(oc3, "oc3", ("DOB",))
        raw["ad1"] = self._ad1(s, e)
        raw["placed_for_adoption"] = self._placed(s, e, in_care)
        raw["previous_permanence"] = self._prev_perm(s, e)
        missing = self.missing.filter(pl.col("MIS_START").is_between(s, e))
        raw["missing"] = _raw(missing.with_columns(DOB=pl.col("dob")).sort("CHILD", "MIS_START"),
                              "missing", ("DOB", "MIS_START", "MIS_END"))
        if "social_worker_episodes" in names:
            raw["social_worker_episodes"] = self._sw(in_care, s, e)
        if "dolo" in names:
            raw["dolo"] = self._dolo(rng, eps, s, e)
        raw = {k: v for k, v in raw.items() if k in names}
        return Return(year, raw=raw)

    # ---- tables ----------------------------------------------------------------------------

    def _header(self, year: CollectionYear, eps: pl.DataFrame, oc3: pl.DataFrame
                ) -> pl.DataFrame:
        e = day(year.end)
        # the last day looked after in the year: a first child born later is not recorded
        # (rule 625)
        last_day = eps.group_by("CHILD").agg(pl.col("DEC").max().clip(upper_bound=e)
                                             .alias("last_day"))
        kids = self.key.filter(pl.col("CHILD").is_in(last_day["CHILD"].implode())
                               | pl.col("CHILD").is_in(oc3["CHILD"].implode())
                               ).join(last_day, on="CHILD", how="left")
        looked_after = pl.col("last_day").is_not_null()
        dob = kids["dob"].to_numpy()
        age = (e - dob) / YEAR
        sex = _sex(year, kids["male"].to_numpy())
        upn = np.where(kids["uasc"].to_numpy(), "UN2",
                       np.where(age < 5, "UN1", kids["UPN"].to_numpy()))
        mc = kids["mc_dob"].to_numpy()
        # MOTHER for every girl looked after in the year (rules 165, 393, 607); motherhood
        # details are not given for care leavers who were not (rule 628)
        girl = (pl.Series(~kids["male"].to_numpy()) & looked_after
                & ~pl.col("CHILD").is_in(self.short_only.implode()))
        is_mother = pl.Series((mc >= 0) & (mc <= kids["last_day"].fill_null(e).to_numpy()))
        frame = kids.with_columns(
            SEX=pl.Series(sex), DOB=pl.col("dob"), UPN=pl.Series(upn),
            MOTHER=pl.when(girl).then(pl.when(is_mother).then(pl.lit("1")).otherwise(pl.lit("0"))),
            MC_DOB=pl.when(girl & is_mother).then(pl.col("mc_dob")),
        ).sort("CHILD")
        return _raw(frame, "header", ("DOB", "MC_DOB"))

    def _episodes(self, eps: pl.DataFrame, e: int) -> pl.DataFrame:
        ended = pl.col("DEC") <= e
        if e >= OTHER_SPLIT_FROM:
            # Z1 became Z11-Z14 (an open Z1 placement is recoded). DfE has not said what the
            # sub-codes mean, so each child's other placements take one, fixed by its CHILD id
            # (a placement keeps its code across legal-status changes, rule 434)
            z1 = pl.col("PLACE") == "Z1"
            eps = eps.with_columns(PLACE=pl.when(z1).then(
                pl.lit("Z1") + (1 + pl.col("CHILD").cast(pl.Int64) % 4).cast(pl.String))
                .otherwise(pl.col("PLACE")))
        frame = eps.with_columns(
            DEC=pl.when(ended).then(pl.col("DEC")).otherwise(None),
            REC=pl.when(ended).then(pl.col("REC")).otherwise(None),
            REASON_PLACE_CHANGE=pl.when(ended).then(pl.col("REASON_PLACE_CHANGE")).otherwise(None),
        ).sort("CHILD", "DECOM")
        return _raw(frame, "episodes", ("DECOM", "DEC"))

    def _reviews(self, rng: np.random.Generator, s: int, e: int) -> pl.DataFrame:
        r = self.reviews.filter(pl.col("REVIEW").is_between(s, e)).sort("CHILD", "REVIEW")
        under4 = (r["REVIEW"].to_numpy() - r["dob"].to_numpy()) < 4 * YEAR + 1
        young = (r["REVIEW"].to_numpy() < birthday(r["dob"].to_numpy(), 4))
        del under4
        code = np.where(young, "PN0", _pick(rng, m.REVIEW_CODE_PROBS, r.height))
        frame = r.with_columns(DOB=pl.col("dob"), REVIEW_CODE=pl.Series(code.astype(str)))
        return _raw(frame, "reviews", ("DOB", "REVIEW"))

    def _uasc(self, year: CollectionYear, in_care: pl.DataFrame) -> pl.DataFrame:
        kids = self.key.filter(pl.col("uasc")
                               & pl.col("CHILD").is_in(in_care["CHILD"].implode()))
        dob = kids["dob"].to_numpy()
        frame = kids.with_columns(
            SEX=pl.Series(_sex(year, kids["male"].to_numpy())),
            DOB=pl.col("dob"), DUC=pl.Series(birthday(dob, 18)),
        ).sort("CHILD")
        return _raw(frame, "uasc", ("DOB", "DUC"))

    def _oc2(self, rng: np.random.Generator, year: CollectionYear, eps: pl.DataFrame
             ) -> pl.DataFrame:
        """Children looked after continuously for 12 months at 31 March."""
        s, e = day(year.start), day(year.end)
        # DfE's "continuously looked after for 12 months at 31 March": in care on 1 April
        # (entered that day at the latest) and still looked after at 31 March (a child whose
        # care ceased on 31 March is not), with no short breaks
        p = self.periods.filter((pl.col("entry") <= s) & (pl.col("end") > e)
                                & ~pl.col("CHILD").is_in(self.short_break_children(s, e)))
        dob = p["dob"].to_numpy()
        n = p.height
        # SDQ due: aged 4 on 1 April and under 17 on 31 March (rules 186, 188, 189)
        b4, b17 = birthday(dob, 4), birthday(dob, 17)
        sdq_due = (b4 <= s) & (b17 > e)
        edge = ~sdq_due & (b4 <= e) & (b17 > s)
        scored = sdq_due & (rng.random(n) < 0.78)
        score = np.clip(np.round(rng.normal(14, 6.5, n)), 0, 40).astype(int).astype(str)
        reason = np.where(sdq_due & ~scored, _pick(rng, {"SDQ2": 0.2, "SDQ3": 0.2, "SDQ4": 0.4,
                                                        "SDQ5": 0.2}, n),
                          np.where(edge, "SDQ1", MISSING))
        flag = lambda p_yes: np.where(rng.random(n) < p_yes, "1", "0")  # noqa: E731
        substance = flag(0.04)
        received = np.where(substance == "1", flag(0.6), MISSING)
        offered = np.where(received == "0", flag(0.8), MISSING)
        frame = p.with_columns(
            DOB=pl.col("dob"),
            SDQ_SCORE=text(np.where(scored, score, MISSING)),
            SDQ_REASON=text(reason),
            CONVICTED=text(np.where(birthday(dob, 10) <= e, flag(0.03), MISSING)),
            HEALTH_CHECK=text(np.where(birthday(dob, 5) > e, flag(0.88), MISSING)),
            IMMUNISATIONS=pl.Series(flag(0.85)), TEETH_CHECK=pl.Series(flag(0.75)),
            HEALTH_ASSESSMENT=pl.Series(flag(0.9)), SUBSTANCE_MISUSE=pl.Series(substance),
            INTERVENTION_RECEIVED=text(received),
            INTERVENTION_OFFERED=text(offered),
        ).unique("CHILD", keep="first", maintain_order=True).sort("CHILD")
        return _raw(frame, "oc2", ("DOB",))

    def short_break_children(self, s: int, e: int) -> pl.Series:
        """Children with a short-break (V3/V4) episode in the year."""
        return self.episodes.filter(
            pl.col("LS").is_in(SHORT_BREAKS) & (pl.col("DECOM") <= e) & (pl.col("DEC") >= s)
        )["CHILD"].unique().implode()

    def _oc3(self, rng: np.random.Generator, year: CollectionYear) -> pl.DataFrame:
        """Care leavers with their 17th to 21st birthday in the year, not in care on it."""
        s, e = day(year.start), day(year.end)
        lv = self.leavers
        dob = lv["dob"].to_numpy()
        end = lv["end"].to_numpy()
        age = np.zeros(lv.height, dtype=np.int64)
        for k in range(17, 22):
            b = birthday(dob, k)
            hit = (b >= s) & (b <= e) & (end < b)
            age = np.where(hit, k, age)
        rows = lv.with_columns(age=pl.Series(age)).filter(pl.col("age") > 0).sort("CHILD")
        n = rows.height
        age = rows["age"].to_numpy()
        touch = _pick(rng, {"YES": 0.88, "NO": 0.06, "REFU": 0.02, "RHOM": 0.03, "NREQ": 0.01}, n)
        young = age <= 18
        activ = np.where(young, _pick(rng, {"F2": 0.45, "F4": 0.07, "F5": 0.07, "P2": 0.05,
                                            "G4": 0.05, "G5": 0.26, "G6": 0.05}, n),
                         _pick(rng, {"F1": 0.08, "F2": 0.15, "F4": 0.06, "F5": 0.22, "P5": 0.05,
                                     "P1": 0.02, "G4": 0.08, "G5": 0.27, "G6": 0.07}, n))
        accom = np.where(age == 17, _pick(rng, {"D1": 0.45, "E1": 0.15, "B1": 0.25, "U1": 0.05,
                                                "K1": 0.05, "D2": 0.05}, n),
                         _pick(rng, {"U1": 0.30, "D1": 0.20, "Z1": 0.15, "B1": 0.12, "E1": 0.05,
                                     "T1": 0.03, "K1": 0.04, "S2": 0.02, "U2": 0.03, "D2": 0.02,
                                     "X2": 0.02, "B2": 0.02}, n))
        accom = np.where((age < 18) & (accom == "T1"), "D1", accom)
        # not in touch, refused, not required, returned home or died: activity and
        # accommodation are 0 (rule 344)
        zero = np.isin(touch, ["NO", "REFU", "NREQ", "RHOM", "DIED"])
        activ = np.where(zero, "0", activ)
        accom = np.where(zero, "0", accom)
        return rows.with_columns(
            DOB=pl.col("dob"), IN_TOUCH=pl.Series(touch.astype(str)),
            ACTIV=text(activ), ACCOM=text(accom),
        )

    def _ad1(self, s: int, e: int) -> pl.DataFrame:
        a = self.periods.filter(pl.col("rec").is_in(["E11", "E12"]) & pl.col("end").is_between(
            s, e)).join(self.adoption, on="period")
        frame = a.with_columns(
            DOB=pl.col("dob"), DATE_INT=pl.col("t_dec"), DATE_MATCH=pl.col("t_match"),
            FOSTER_CARE=pl.when(pl.col("period").is_in(list(self.foster_adopted)))
            .then(pl.lit("1")).otherwise(pl.lit("0")),
        ).sort("CHILD")
        return _raw(frame, "ad1", ("DOB", "DATE_INT", "DATE_MATCH"))

    def _placed(self, s: int, e: int, in_care: pl.DataFrame) -> pl.DataFrame:
        a = self.periods.filter(
            (pl.col("t_dec") >= 0) & (pl.col("t_dec") <= e) & (pl.col("end") >= s)
            & ((pl.col("t_rev") < 0) | (pl.col("t_rev") >= s))
            & pl.col("CHILD").is_in(in_care["CHILD"].implode())
        ).join(self.adoption, on="period")
        ceased = (pl.col("t_rev") >= 0) & (pl.col("t_rev") <= e)
        frame = a.with_columns(
            DOB=pl.col("dob"), DATE_PLACED=pl.col("t_dec"),
            DATE_PLACED_CEASED=pl.when(ceased).then(pl.col("t_rev")).otherwise(None),
            REASON_PLACED_CEASED=pl.when(ceased).then(pl.col("REASON_PLACED_CEASED"))
            .otherwise(None),
        ).sort("CHILD")
        return _raw(frame, "placed_for_adoption", ("DOB", "DATE_PLACED", "DATE_PLACED_CEASED"))

    def _prev_perm(self, s: int, e: int) -> pl.DataFrame:
        p = self.periods.filter(pl.col("entry").is_between(s, e)).join(self.prev_perm, on="period")
        # a short break is a period of care too (rule 630): no previous order for these children
        breaks = self.episodes.filter(
            pl.col("CHILD").is_in(self.short_only.implode()) & pl.col("DECOM").is_between(s, e)
        ).select("CHILD", "dob").unique("CHILD").with_columns(
            PREV_PERM=pl.lit("Z1"), LA_PERM=pl.lit(None, dtype=pl.String),
            DATE_PERM=pl.lit(None, dtype=pl.String))
        p = pl.concat([p.select(breaks.columns), breaks])
        frame = p.with_columns(DOB=pl.col("dob")).unique("CHILD", keep="last",
                                                         maintain_order=True).sort("CHILD")
        return _raw(frame, "previous_permanence", ("DOB",))

    def _sw(self, in_care: pl.DataFrame, s: int, e: int) -> pl.DataFrame:
        sw = self.sw.filter(
            pl.col("CHILD").is_in(in_care["CHILD"].implode()) & (pl.col("SW_DECOM") <= e)
            & (pl.col("SW_DEC").is_null() | (pl.col("SW_DEC") >= s))
        )
        ended = pl.col("SW_DEC").is_not_null() & (pl.col("SW_DEC") <= e)
        frame = sw.with_columns(
            DOB=pl.col("dob"),
            SW_DEC=pl.when(ended).then(pl.col("SW_DEC")).otherwise(None),
        ).sort("CHILD", "SW_DECOM")
        return _raw(frame, "social_worker_episodes", ("DOB", "SW_DECOM", "SW_DEC"))

    def _dolo(self, rng: np.random.Generator, eps: pl.DataFrame, s: int, e: int
              ) -> pl.DataFrame:
        """A few children aged 10+ in children's homes have a DoLO (rule 709 expects K2)."""
        cand = eps.filter(pl.col("PLACE") == "K2").with_columns(
            lo=pl.max_horizontal(pl.col("DECOM"), pl.lit(s)),
            hi=pl.min_horizontal(pl.col("DEC"), pl.lit(e + 1)),
        ).filter((pl.col("hi") - pl.col("lo") > 40)
                 & ((pl.col("lo") - pl.col("dob")) >= int(10 * YEAR)))
        cand = cand.unique("CHILD", keep="first", maintain_order=True).sort("CHILD")
        n = cand.height
        chosen = rng.random(n) < m.DOLO_SHARE
        lo, hi = cand["lo"].to_numpy(), cand["hi"].to_numpy()
        start = lo + (rng.random(n) * (hi - lo - 30)).astype(np.int64)
        stop = start + rng.integers(20, 200, n)
        dec = cand["DEC"].to_numpy()
        open_ = stop >= hi
        stop = np.where(open_ & (dec <= e), dec - 1, stop)
        stop_out = np.where(open_ & (dec > e), -10**7, stop)
        frame = cand.filter(pl.Series(chosen)).with_columns(
            DOB=pl.col("dob"), DOLO_START=pl.Series(start[chosen]),
            DOLO_END=pl.Series(stop_out[chosen]),
        )
        return _raw(frame, "dolo", ("DOB", "DOLO_START", "DOLO_END"))


def _sex(year: CollectionYear, male: np.ndarray) -> np.ndarray:
    """The year's SEX codes for male and female, from the code list (1/2 until 2023-24, M/F after)."""
    male_code, female_code = sex_code("M", year), sex_code("F", year)
    if male_code is None or female_code is None:
        raise ValueError(f"the SEX code list for {year.label} has no code for male or female")
    return np.where(male, male_code, female_code)


def national_size() -> int:
    """Children looked after at a time across all councils (latest published counts)."""
    return sum(n for _, n in national_councils())
