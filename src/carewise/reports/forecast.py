"""The panel pack's "Sufficiency forecast" section: fan chart, 31 March table, spend, backtest, PA.

Importing this module registers the section with ``carewise.reports.section``
(``reports.build.SECTION_MODULES``). The figures come from the forecast engine
(``forecast.overview``); this module only lays them out. The forecast starts at the end of the
pack's period (or the end of the data, if earlier) and uses the pack's history
(``PackData.extra["history"]``). For the panel and public audiences figures too small to publish
are shown as ``x`` and a chart that would show one is left out, its table kept
(``carewise.disclosure``).
"""

from __future__ import annotations

from datetime import date

from carewise.errors import UserFacingError
from carewise.forecast.overview import (
    Overview,
    build_overview,
    chart_suppressed,
    display,
    fan,
    march_rows,
    money,
    state_label,
    svg,
)
from carewise.forecast.pa_caseload import ADVISERS, PaAssumptions
from carewise.reports.front import MATERIAL_SHARE, usable
from carewise.reports.model import Ask, Cell, ChartBlock, PackData, Section, TableBlock
from carewise.reports.sections import PANEL_ONLY, section

RUNS = 1000


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _overview(data: PackData) -> Overview | None:
    history = data.extra.get("history")
    if history is None or history.last_date is None:
        return None
    origin = min(data.period.end, history.last_date)
    store = data.extra.get("store")
    returns = store.load_returns(data.la_code) if store is not None and data.la_code else None
    return build_overview(history, runs=RUNS, origin=origin, returns=returns, council=data.la_code or None)


def _number(text: str, value: float | None) -> Cell:
    return Cell(text, None if text in ("x", "–") or value is None else round(float(value)))


def year_table(ov: Overview, audience: str) -> TableBlock:
    """Children at each 31 March ahead, per placement category: median and 80% range, one row per
    category and date (five columns, not ten: it reads down a page and in a screen reader)."""
    dates, rows = march_rows(ov.summary, audience)
    raw = {
        (r["state"], r["date"]): r for r in ov.summary.iter_rows(named=True) if r["date"] in dates
    }
    body = []
    for r in rows:
        for c in r["cells"]:
            figures = raw[(r["state"], c["date"])]
            body.append([Cell(r["label"]), Cell(_day(c["date"])), _number(c["median"], figures["median"]),
                         _number(c["p10"], figures["p10"]), _number(c["p90"], figures["p90"])])
    return TableBlock("forecast_years", "Children looked after at each 31 March: forecast",
                      ["Placement", "At", "Median", "80% from", "80% to"], body,
                      caption="Median of the simulated futures and the range holding 80% of them.")


def spend_table(ov: Overview) -> TableBlock:
    rows = [
        [Cell(r["period"] + ("" if r["months"] == 12 else f" ({r['months']} months)")),
         Cell(money(r["median"]), round(r["median"])), Cell(money(r["p10"]), round(r["p10"])),
         Cell(money(r["p90"]), round(r["p90"]))]
        for r in ov.spend.iter_rows(named=True)
    ]
    return TableBlock("forecast_spend", "Projected placement spend per financial year",
                      ["Financial year", "Median", "80% from", "80% to"], rows,
                      caption=f"Pounds of each year: {ov.costs.describe()}. Weekly costs per placement category "
                      f"in {ov.costs.price_base} prices: " + ", ".join(
                          f"{k.replace('_', ' ')} £{v:,.0f}" for k, v in ov.costs.weekly.items()) + ".")


def trust_table(ov: Overview) -> TableBlock | None:
    bt = ov.backtest
    if "not_available" in bt:
        return None
    rows = []
    for h in (3, 6, 12):
        v = bt.get(f"mape_total_{h}m")
        rows.append([Cell(f"Average error of the total at {h} months"), Cell("–" if v is None else f"{v:.1f}%", v)])
    for level in (80, 95):
        v = bt.get(f"coverage_total_{level}_12m")
        rows.append([Cell(f"Total at 12 months inside the {level}% range"),
                     Cell("–" if v is None else f"{v * 100:.0f}%", None if v is None else v * 100)])
    return TableBlock("forecast_backtest", "How much to trust this forecast", ["Check", "Result"], rows,
                      caption=f"Forecasts made from {bt.get('cuts')} earlier quarter ends, each with only the returns "
                      "received by then, compared with the children actually looked after.")


def calibration_table(ov: Overview) -> TableBlock | None:
    """Per state and horizon: error, bias and how often the outcome fell inside each range."""
    rows_in = ov.backtest.get("calibration")
    if not rows_in:
        return None

    def pct(v: float | None, scale: float = 1.0, signed: bool = False) -> Cell:
        if v is None:
            return Cell("–")
        return Cell(f"{v * scale:+.1f}%" if signed else f"{v * scale:.0f}%" if scale == 100 else f"{v * scale:.1f}%",
                    round(v * scale, 1))

    body = [
        [Cell(state_label(r["state"])), Cell(str(r["horizon_months"]), r["horizon_months"]),
         Cell(str(r["cuts"]), r["cuts"]), pct(r["mape"]), pct(r["bias"], signed=True),
         pct(r["coverage_80"], 100), pct(r["coverage_95"], 100)]
        for r in rows_in
    ]
    return TableBlock("forecast_calibration", "Backtest by placement category",
                      ["Placement", "Months ahead", "Cut dates", "Average error", "Bias", "Inside 80% range",
                       "Inside 95% range"], body,
                      caption="A well-calibrated forecast has about 80% and 95% of outcomes inside its ranges. "
                      "Quarter ends between two returns share the same data, so their outcomes are not independent.")


def pa_tables(ov: Overview, audience: str) -> list[TableBlock]:
    if ov.pa is None:
        return []
    need_rows, load_rows = [], []
    shown: list[str] = []
    for r in ov.pa.iter_rows(named=True):
        needing = display(r["requiring_pa"], audience)
        shown.append(needing)
        need_rows.append([
            Cell(_day(r["date"])),
            _number(display(r["leavers_under_21"], audience), r["leavers_under_21"]),
            _number(display(r["leavers_21_plus"], audience), r["leavers_21_plus"]),
            _number(needing, r["requiring_pa"]),
            _number(display(r["joint_working"], audience), r["joint_working"]),
        ])
    dates = ov.pa["date"].to_list()
    for n in ADVISERS:
        cells = [Cell(str(n))]
        for r, needing in zip(ov.pa.iter_rows(named=True), shown, strict=True):
            value = r[f"caseload_{n}"]
            cells.append(Cell("x", None) if needing == "x" else Cell(f"{value:.1f}", round(value, 1)))
        cost = ov.pa[f"cost_{n}"][0]
        cells.append(Cell(f"£{cost:,.0f}", cost))
        load_rows.append(cells)
    a = PaAssumptions()
    return [
        TableBlock("pa_needing", "Young people needing a Personal Adviser",
                   ["At", "Care leavers under 21", "Care leavers 21 to 25", "Needing a Personal Adviser",
                    "Joint working (looked after, 17½ to 18)"], need_rows,
                   caption=f"Assumes {a.take_up_at_21:.0%} take-up from 21 to 25 and that "
                   f"{a.not_in_touch_return:.0%} of care leavers not in touch come back. Children in joint "
                   "working are not care leavers yet: they count in advisers' workload, not as young people "
                   "needing a Personal Adviser."),
        TableBlock("pa_caseload", "Personal Adviser caseload by number of advisers",
                   ["Advisers", *[f"Caseload at {_day(d)}" for d in dates], "Cost a year"], load_rows,
                   caption=f"Caseload: care leavers plus {a.joint_working_weight:g} place for each child in joint "
                   f"working, per adviser. An adviser costs £{a.cost_per_adviser:,.0f} a year."),
    ]


@section("forecast", "Sufficiency forecast", order=78, audiences=PANEL_ONLY)
def sufficiency_forecast(data: PackData) -> Section | None:
    """Children looked after over the next three years, what it costs and the PA caseload."""
    try:
        ov = _overview(data)
    except UserFacingError:
        return None
    if ov is None:
        return None
    audience = data.audience
    table = year_table(ov, audience)
    blocks: list[TableBlock | ChartBlock] = []
    if chart_suppressed(ov.summary, ov.observed, "total", audience):
        blocks.append(table)
    else:
        chart = svg(fan(ov.summary, ov.observed, "total", "All children looked after"),
                    "Fan chart: children looked after, observed and forecast")
        blocks.append(ChartBlock("Children looked after: observed and forecast", chart, table,
                                 description="Dots: children looked after at month ends. Line: median forecast. "
                                 "Bands: 80% and 95% of simulated futures.",
                                 alt=_fan_alt(table)))
    spend = spend_table(ov)
    blocks.append(spend)
    trust = trust_table(ov)
    if trust is not None:
        blocks.append(trust)
    calibration = calibration_table(ov)
    if calibration is not None:
        blocks.append(calibration)
    blocks += pa_tables(ov, audience)
    notes = [
        f"{ov.runs:,} simulated futures from {_day(ov.origin)}, with rates of moving and leaving care from "
        f"{_day(ov.model.rates.window_start)} to {_day(ov.model.rates.window_end)}; each future draws its own "
        "rates, so the ranges include how uncertain the rates are.",
        "Weekly costs are published averages until the council sets its own (carewise forecast --costs).",
    ]
    if ov.model.borrowing is not None:
        notes.append(ov.model.borrowing.sentence())
    notes += [f"Caution: {w.headline}" for w in ov.model.warnings]  # headlines: no counts of children
    if "not_available" in ov.backtest:
        notes.append(f"The forecast could not be checked against the past: {ov.backtest['not_available']}")
    if ov.pa_error:
        notes.append(f"The Personal Adviser caseload could not be worked out: {ov.pa_error}")
    return Section("forecast", "Sufficiency forecast",
                   intro=f"Children looked after over the next three years from {_day(ov.origin)}, "
                   "by placement category, with projected spend and the Personal Adviser caseload.",
                   blocks=blocks, notes=notes, asks=forecast_asks(data, table, spend))


def _fan_alt(years: TableBlock) -> str:
    """The fan chart's message: the median forecast at each 31 March ahead and its 80% range."""
    total = [row for row in years.rows if row[0].text == years.rows[0][0].text] if years.rows else []
    ahead = [f"{row[1].text} {row[2].text} ({row[3].text} to {row[4].text})" for row in total]
    return ("Fan chart of children looked after, observed month by month and then forecast: median "
            "and 80% range at " + "; ".join(ahead) + ".") if ahead else "Fan chart of children looked after."


def forecast_asks(data: PackData, years: TableBlock, spend: TableBlock) -> list[Ask]:
    """The forecast's pressure for the panel to note: children looked after at the last 31 March
    forecast against today (its 80% range), and spend from the first year to the last."""
    now = data.current.get("cla_at_date")
    total = [row for row in years.rows if row[0].text == years.rows[0][0].text] if years.rows else []
    if not total or not usable(now) or now is None or now.value is None:
        return []
    when, median, low, high = total[-1][1].text, *total[-1][2:5]
    if median.number is None:
        return []
    rise = (median.number - now.value) / now.value * 100 if now.value else 0.0
    pressure = ("a rise" if rise >= MATERIAL_SHARE else "a fall" if rise <= -MATERIAL_SHARE
                else "about the same number")
    text = (f"Forecast: {median.text} children looked after at {when} (80% range {low.text} to "
            f"{high.text}) against {now.display} now, {pressure}.")
    costs = [row for row in spend.rows if row[1].number is not None]
    if len(costs) >= 2:
        text += f" Placement spend {costs[0][0].text} {costs[0][1].text}, {costs[-1][0].text} {costs[-1][1].text}."
    return [Ask("note", text)]
