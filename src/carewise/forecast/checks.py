"""Checks that the data can carry a forecast: refuse when they cannot, warn when they are thin.

A model tuned on full, well-formed returns will still produce numbers from data shaped
otherwise — a return read as the wrong collection year, a missing year, a window with no child
starting or leaving care — and those numbers look like a forecast (flat lines, ranges such as
"107 (95% 107–107)"). These checks run inside :func:`model.fit_model`, so the CLI, the web app,
the pack and the sweep all get them:

- **refusals** (:class:`~carewise.errors.SettingError`, saying what is wrong and what to do): the
  reference window holds no child starting or leaving care (:func:`refuse_empty_window`, which
  names the dates that moved files into the wrong year); the forecast starts before the data or in
  a collection year that is not held (``fit_model``, :func:`unbroken_years`); more than a tenth of
  the children at the start have no usable date of birth (:func:`no_date_of_birth`) or are counted
  only because one return left them open and the next does not hold them
  (:func:`open_not_carried`);
- **warnings** (:class:`ForecastWarning`, said beside the forecast: CLI text and ``--json``
  ``warnings``, the forecast page, the pack): years missing between the returns
  (``gap_in_years``), a window cut short by the data (``window_shortened``) or under a year
  (``short_window``), entries or exits implausibly few for the children looked after
  (``few_entries``, ``few_exits``), data that end long before the forecast start
  (``data_end_early``), children at the start left out for want of a date of birth
  (``no_date_of_birth``), children counted only because a return left them open and the next
  does not hold them (``open_not_carried``), nothing borrowed from neighbours for a named council
  (``not_borrowed``), too few runs for a range (``few_runs``, :func:`few_runs`), and spend that
  cannot be priced (``not_priced``: the forecast's months fall before the price index).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from carewise.errors import SettingError
from carewise.forecast.estimate import Rates
from carewise.forecast.prices import CPIH_MARCH, INDEX_NAME
from carewise.forecast.states import CARE_ENDS_AT, DAYS_PER_YEAR, N_CATEGORIES
from carewise.history import History, stitch
from carewise.returns import CollectionYear, birthday_expr
from carewise.returns.years import year_label

FEWEST_PER_CHILD_YEAR = 0.16
"""Entries (or exits) a year per child looked after that no English council went below: the
lowest published were 0.167 starts (Stoke-on-Trent, 2024-25) and 0.174 ceased (Stoke-on-Trent,
2018-19) per child looked after at 31 March, over the 1,053 council-years of 2018-19 to 2024-25
with 20 or more children looked after (DfE "Children looked after in England", table by local
authority, shipped in ``carewise.benchmarks.cla_by_la``; median 0.38 for both)."""

RARELY = 0.01
"""A count is called implausible when a council at :data:`FEWEST_PER_CHILD_YEAR` would see as few
(or as long a quiet spell) less than 1 time in 100 by chance (Poisson)."""

QUIET_DAYS = 31
"""A quiet spell at the end of the data shorter than this is never reported (weekends, Christmas)."""

SHORT_WINDOW_DAYS = 365
"""A reference window under a year: rates carry the season they were fitted in and more noise."""


@dataclass(frozen=True)
class ForecastWarning:
    """Something in the data (or the settings) that makes this forecast less trustworthy, said
    beside it rather than left silent. ``code`` is stable (``--json``: docs/cli-json.md);
    ``message`` says what was found and what to do."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}

    @property
    def headline(self) -> str:
        """What was found, without the counts of children the message may hold (panel members
        and the pack see this; numbers of children that could be 1 to 4 are not shown to them)."""
        return HEADLINES.get(self.code, "The data behind this forecast have a problem (the staff view says what).")


HEADLINES = {
    "gap_in_years": "A collection year is missing between the returns: only the unbroken years holding the start are "
                    "used.",
    "window_shortened": "The returns held are shorter than the reference window: the rates rest on fewer months.",
    "short_window": "The rates rest on less than a year of data.",
    "few_entries": "Fewer children started to be looked after than any English council's published rate would give: "
                   "the returns may be incomplete.",
    "few_exits": "Fewer children left care than any English council's published rate would give: the returns may be "
                 "incomplete.",
    "data_end_early": "The returns stop long before their collection year ends (the forecast starts where they do, "
                      "unless a start was given).",
    "not_borrowed": "Nothing was borrowed from statistical neighbours' published rates.",
    "few_runs": "Too few simulated futures for the ranges to mean much.",
    "no_date_of_birth": "Some children looked after at the start have no date of birth and are left out.",
    "not_priced": "Spend is not given: the forecast falls before the price index begins.",
    "open_not_carried": "Some children left open in one return are missing from the next and are counted as looked "
                        "after.",
}
"""One line per warning code, with no counts of children."""


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def unbroken_years(history: History, origin: date) -> tuple[History, ForecastWarning | None]:
    """The history of the run of consecutive collection years that holds ``origin``, and a
    warning naming the years set aside (None when every year is used).

    A child whose episode is open at the end of one return and whose care ended in a year not
    held is never seen to leave: stitched across the gap they stay "looked after" to 18 (on a
    synthetic council with 2022-23 left out, 575 children at 31 March 2024 instead of 490), and
    that year's entries and exits are missing from the rates. So only the unbroken years are used.
    """
    years = sorted(history.years, key=lambda y: y.start_year)
    held = CollectionYear.containing(origin)
    if held not in years:
        raise SettingError(
            f"The forecast cannot start on {origin}: no return for {held.label} is held "
            f"(held: {', '.join(y.label for y in years)}). Give a --start in a year held, or add the {held.label} return."
        )
    i = years.index(held)
    lo = i
    while lo > 0 and years[lo - 1].start_year == years[lo].start_year - 1:
        lo -= 1
    hi = i
    while hi + 1 < len(years) and years[hi + 1].start_year == years[hi].start_year + 1:
        hi += 1
    run = years[lo:hi + 1]
    if len(run) == len(years):
        return history, None
    missing = [CollectionYear(y) for y in range(years[0].start_year, years[-1].start_year + 1)
               if CollectionYear(y) not in years]
    aside = [y for y in years if y not in run]
    used = f"{run[0].label}" if len(run) == 1 else f"{run[0].label} to {run[-1].label}"
    warning = ForecastWarning(
        "gap_in_years",
        f"No return is held for {', '.join(y.label for y in missing)}: children whose care ended in a missing year "
        f"would be counted as still looked after, and that year's entries and exits would be missing from the rates, "
        f"so the forecast uses only {used} ({', '.join(y.label for y in aside)} set aside). "
        "Add the missing return to use every year.",
    )
    if not history.returns:  # not stitched from returns: cannot be cut, so only say so
        return history, warning
    return stitch([r for r in history.returns if r.year in run]), warning


def leavers(frame: pl.DataFrame, window_start: date, window_end: date) -> pl.DataFrame:
    """Spells ending a period of care inside the window (turning 18 included): DfE's "ceased to
    be looked after" as the spell frame holds it."""
    return frame.filter(
        pl.col("end").is_not_null() & (pl.col("end") > window_start)
        & (pl.col("end") <= window_end + timedelta(days=1)) & pl.col("next_category").is_null()
    )


def _ceased_at_18(ended: pl.DataFrame) -> int:
    return ended.filter(pl.col("end") >= birthday_expr(pl.col("DOB"), CARE_ENDS_AT)).height


def _last_event(history: History, origin: date) -> date | None:
    """The latest episode date (start or end) held up to ``origin``: the last day the returns
    say anything happened (from the episodes as recorded, not the 18th birthdays the spells
    close open episodes on)."""
    eps = history.episodes
    starts = eps.filter(pl.col("DECOM") <= origin)["DECOM"].max()
    ends = eps.filter(pl.col("DEC") <= origin + timedelta(days=1))["DEC"].max()
    found = [d for d in (starts, ends) if isinstance(d, date)]
    return max(found) if found else None


def _latest_start(history: History, origin: date) -> date | None:
    """The latest episode start (DECOM) up to ``origin``: the year the episodes are of."""
    found = history.episodes.filter(pl.col("DECOM") <= origin)["DECOM"].max()
    return found if isinstance(found, date) else None


def refuse_empty_window(rates: Rates, history: History, origin: date) -> None:
    """No child started or left care (other than by turning 18, which the model does not fit: care
    ends at 18 for everyone) in the reference window: every rate would be 0 and the "forecast" a
    flat line with no range. Refuse, naming the window and what to do."""
    lo, hi = rates.window_start, rates.window_end
    if rates.entries or rates.events[:, :, N_CATEGORIES].sum():
        return
    if history.episodes.height and history.timeline.children.filter(pl.col("DOB").is_not_null()).height == 0:
        headless = _without_header(history)
        raise SettingError("No child in the returns has a readable date of birth (DOB in the header"
                           + (f"; no header table in {', '.join(headless)}" if headless else "")
                           + "), so no child can be aged or forecast: add the header table to each return.")
    window = f"{_day(lo)} to {_day(hi)}"
    last, latest_start = _last_event(history, origin), _latest_start(history, origin)
    held = CollectionYear.containing(origin)
    if last is not None and last <= lo and latest_start is not None:
        read = CollectionYear.containing(latest_start)
        eps = history.episodes
        late = eps.filter((pl.col("DECOM") >= held.start) | (pl.col("DEC") >= held.start)).height
        fix = (f"The returns were read as {held.label} from their latest episode date ({_day(last)}), but hold no "
               f"start, move or end of care after it: their episodes are of {read.label}. {late} episode "
               f"date{'s' if late != 1 else ''} on or after {_day(held.start)} moved them into {held.label}: if the "
               f"files are the {read.label} return, correct {'those dates' if late != 1 else 'that date'} (an episode "
               f"of {read.label} ends by {_day(read.end)}); if {held.label} is right, the year's episodes are "
               "missing: check the files.")
    else:
        fix = ("Give a window that holds the council's starts and ends of care: a later --start, a longer "
               "--reference-months, or an earlier --reference-start.")
    raise SettingError(f"The reference window {window} holds no child starting or leaving care (other than turning "
                       f"18), so no rates can be fitted and a forecast would be a flat line. {fix}")


def _poisson_at_most(k: int, mean: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mean) when ``k`` is below the mean (summed in logs, so a large mean
    cannot underflow); 0.5 at or above it, never a low count."""
    if mean <= 0:
        return 1.0
    if k >= mean:
        return 0.5  # at or above the mean: never a low count
    return min(1.0, sum(math.exp(i * math.log(mean) - mean - math.lgamma(i + 1)) for i in range(k + 1)))


def thin_data(rates: Rates, frame: pl.DataFrame, history: History, origin: date) -> list[ForecastWarning]:
    """Warnings when entries or exits are fewer than any English council would see for the
    children looked after, or when the data go quiet long before the forecast start."""
    lo, hi = rates.window_start, rates.window_end
    child_years = float(rates.exposure.sum()) / DAYS_PER_YEAR
    years = rates.days / DAYS_PER_YEAR
    stock = child_years / years if years > 0 else 0.0
    floor = FEWEST_PER_CHILD_YEAR * child_years
    ended = leavers(frame, lo, hi)
    out: list[ForecastWarning] = []
    for code, what, n in (("few_entries", "started to be looked after", rates.entries),
                          ("few_exits", "left care", ended.height)):
        if _poisson_at_most(n, floor) < RARELY:
            out.append(ForecastWarning(code, (
                f"Only {n} children {what} from {_day(lo)} to {_day(hi)}, with about {stock:.0f} looked after at a time "
                f"({n / years:.1f} a year; no English council publishes fewer than {FEWEST_PER_CHILD_YEAR:.2f} a year "
                f"per child looked after, {floor / years:.0f} a year here). The returns may be incomplete or not "
                "cover the whole window: the forecast would carry that on. Check the files, or choose a window "
                "with --reference-start/--reference-end.")))
    moves = int(rates.events[:, :, :N_CATEGORIES].sum())
    per_day = (rates.entries + ended.height + moves) / rates.days
    last = _last_event(history, origin)
    if last is not None and per_day > 0:
        quiet = (origin - last).days
        if quiet > QUIET_DAYS and math.exp(-per_day * quiet) < RARELY:
            out.append(ForecastWarning("data_end_early", (
                f"The latest start, move or end of care held is on {_day(last)}, {quiet} days before the forecast "
                f"starts ({_day(origin)}); with about {per_day * 30.44:.0f} such events a month this council would "
                f"rarely go that long without one. The returns may not cover their whole collection year (it is read "
                f"from the latest episode date): the children looked after at the start and the rates may be out "
                f"of date. Check that the files are the {CollectionYear.containing(origin).label} return, or start "
                f"the forecast where the data end: --start {last.isoformat()}.")))
    return out


ENDS_EARLY_DAYS = 92
"""A quiet spell at the end of the returns this long or longer may mean they stop early …"""
NEVER = 1e-6
"""… when a council as busy would go that long without a start or end of an episode by chance
less than once in a million: an extract taken during the year, or a return cut short."""


def ends_early(history: History, year_end: date) -> tuple[date, ForecastWarning] | None:
    """Where the data really end, when the returns stop long before their collection year does
    (:data:`ENDS_EARLY_DAYS`, :data:`NEVER`): a forecast from the year end would start from
    children as they were months earlier and carry an empty spell into the entry trend (a medium
    synthetic council with its last six months left out fell from 443 to 299 in a year). The
    forecast then starts on the last episode date, and says so."""
    last = _last_event(history, year_end)
    if last is None or history.first_date is None or last <= history.first_date:
        return None  # nothing in the years held: refuse_empty_window says which year the files are of
    quiet = (year_end - last).days
    if quiet <= ENDS_EARLY_DAYS:
        return None
    eps, since = history.episodes, last - timedelta(days=365)
    events = (eps.filter((pl.col("DECOM") > since) & (pl.col("DECOM") <= last)).height
              + eps.filter((pl.col("DEC") > since) & (pl.col("DEC") <= last)).height)
    if not events or math.exp(-events / 365 * quiet) >= NEVER:
        return None
    return last, ForecastWarning("data_end_early", (
        f"The latest episode date held is {_day(last)}, {quiet} days before the "
        f"{CollectionYear.containing(year_end).label} return's year ends ({_day(year_end)}); with about "
        f"{events / 12:.0f} episode starts and ends a month before it, a council would practically never go that long "
        f"without one, so the returns stop early (an extract taken during the year, or a return cut short). The "
        f"forecast starts where the data end, on {_day(last)}; give --start to choose another day."))


def _open_not_carried(history: History) -> dict[str, str]:
    """Children with an episode open at the end of a return (DEC blank) who are not in the next
    year's return: CHILD → the year they were last seen. Looked after on 1 April, they must be in
    the next return; if not, their CHILD id changed or their episodes are missing, and stitched
    they stay "looked after" (until 18)."""
    raws = {r.year.start_year: r.raw.get("episodes") for r in history.returns}
    out: dict[str, str] = {}
    for year, eps in sorted(raws.items()):
        after = raws.get(year + 1)
        if eps is None or after is None or "DEC" not in eps.columns:
            continue
        open_ids = eps.filter(pl.col("DEC").str.strip_chars().fill_null("") == "")["CHILD"].str.strip_chars()
        gone = set(open_ids.to_list()) - set(after["CHILD"].str.strip_chars().to_list())
        out.update({child: year_label(year) for child in gone})
    return out


def open_not_carried(history: History, stock_children: list[str], origin: date) -> ForecastWarning | None:
    """Children counted at the start only because a return left them open and the next does not
    hold them: warned about when few, refused above :data:`MOST_AT_FAULT` of the children."""
    stale = _open_not_carried(history)
    counted = [c for c in stock_children if c in stale]
    if not counted:
        return None
    years = sorted(set(stale[c] for c in counted))
    nexts = [year_label(int(y[:4]) + 1) for y in years]
    text = (f"{len(counted)} of the {len(stock_children)} children counted as looked after on {_day(origin)} are so only "
            f"because the {', '.join(years)} return{'s leave' if len(years) > 1 else ' leaves'} an episode open and "
            f"the {', '.join(nexts)} return{'s do' if len(nexts) > 1 else ' does'} not hold them: if the CHILD ids "
            "changed between returns the same children are counted twice; if they left care, their episodes are "
            "missing.")
    if len(counted) > MOST_AT_FAULT * len(stock_children):
        raise SettingError(f"{text} The forecast would start from the wrong children: use the same CHILD id for a "
                           "child in every return, or add the missing episodes.")
    return ForecastWarning("open_not_carried", f"{text} The forecast counts them: check those children's episodes.")


def _months(first: date, last: date) -> int:
    """Whole months from ``first`` to ``last`` (both days in), as a message says them."""
    return round(((last - first).days + 1) / 30.44)


MOST_AT_FAULT = 0.1
"""Share of the children at the start that may be wrong — left out for want of a date of birth,
or counted though they may have left — above which the forecast is refused rather than warned
about (a synthetic council without its last year's header started from 314 children of 499 and
fell to 215 a year later; with its last return's CHILD ids changed it started from 903)."""


def _without_header(history: History) -> list[str]:
    """Collection years whose return holds episodes but no header table (no dates of birth)."""
    return [r.year.label for r in history.returns
            if "episodes" in r.raw and r.raw["episodes"].height and not ("header" in r.raw and r.raw["header"].height)]


def no_date_of_birth(history: History, origin: date) -> ForecastWarning | None:
    """Children looked after at ``origin`` with no readable date of birth, or one after ``origin``:
    the forecast cannot age them, so they are left out of the children at the start and of the
    rates (``spells``; a birth after the start used to be counted at the start and then dropped,
    so the start's count and the forecast's first month disagreed: 499 against 488). Said
    when a few are; refused when more than :data:`MOST_AT_FAULT` of the children are."""
    eps = history.timeline.episodes
    open_then = eps.filter((pl.col("DECOM") <= origin) & (pl.col("DEC").is_null() | (pl.col("DEC") > origin)))
    children = open_then.select("CHILD").unique()
    born = history.timeline.children.filter(pl.col("DOB").is_not_null() & (pl.col("DOB") <= origin)).select("CHILD")
    missing = children.join(born, on="CHILD", how="anti").height
    if not missing:
        return None
    headless = _without_header(history)
    where = (f" The {', '.join(headless)} return{'s have' if len(headless) > 1 else ' has'} no header table." if headless
             else "")
    text = (f"{missing} of the {children.height} children looked after on {_day(origin)} have no readable date of birth "
            f"(DOB in the header, or one after that day), so they are left out of the forecast, which cannot age them, and their starts and "
            f"moves are left out of the rates.{where}")
    if missing > MOST_AT_FAULT * children.height:
        raise SettingError(f"{text} The forecast would be far too low: add the header (dates of birth) to the returns.")
    return ForecastWarning("no_date_of_birth", f"{text} The forecast is too low by at least that many: add their "
                                               "dates of birth to the returns.")


def window_warnings(asked_start: date, window_start: date, window_end: date) -> list[ForecastWarning]:
    """The reference window was cut to the data held, or is under a year."""
    out: list[ForecastWarning] = []
    if asked_start < window_start:
        out.append(ForecastWarning("window_shortened", (
            f"Rates are fitted on the {_months(window_start, window_end)} months of returns held ({_day(window_start)} "
            f"to {_day(window_end)}), not the {_months(asked_start, window_end)}-month reference window: add "
            "earlier years' returns for steadier rates.")))
    if (window_end - window_start).days + 1 < SHORT_WINDOW_DAYS:
        out.append(ForecastWarning("short_window", (
            f"Rates rest on {(window_end - window_start).days + 1} days ({_day(window_start)} to {_day(window_end)}): "
            "under a year, they carry that season and more chance. Use a window of at least 12 months "
            "(--reference-months 12 or more, or an earlier --reference-start).")))
    return out


def not_borrowed(council: str, reason: str) -> ForecastWarning:
    """A council was named but nothing was borrowed from its statistical neighbours."""
    return ForecastWarning("not_borrowed", f"Nothing borrowed from {council}'s statistical neighbours: {reason}. "
                                       "The forecast uses the council's own rates only.")


FEWEST_RUNS = 100
"""Runs below which the 80% and 95% ranges are mostly chance: their ends are the 2.5th and 97.5th
percentiles, which need a few runs beyond each to be estimated at all."""


def few_runs(runs: int) -> ForecastWarning | None:
    """The ranges rest on too few runs to mean much."""
    if runs >= FEWEST_RUNS:
        return None
    return ForecastWarning("few_runs", f"The ranges come from only {runs} run{'s' if runs != 1 else ''}: with fewer "
                                       f"than {FEWEST_RUNS} they are mostly chance (1 run has no range at all). "
                                       "Use --runs 1000.")


def not_priced() -> ForecastWarning:
    """The forecast's months fall before the price index: children are forecast, spend is not."""
    first = min(CPIH_MARCH)
    return ForecastWarning("not_priced", (
        f"Spend is not given: the price index ({INDEX_NAME}) begins in March {first} and the forecast's months fall "
        f"before it, so they cannot be priced. The children looked after are forecast as usual; for spend, forecast "
        f"from March {first} or later."))


def ceased_counts(frame: pl.DataFrame, window_start: date, window_end: date) -> tuple[int, int]:
    """Periods of care ending in the window, and how many of them on the 18th birthday."""
    ended = leavers(frame, window_start, window_end)
    return ended.height, _ceased_at_18(ended)
