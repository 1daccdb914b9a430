"""``carewise forecast``, ``backtest``, ``scenario`` and ``pa-caseload``: the sufficiency forecast.

Data comes from the store (``--db``/``--council``) or straight from 903 files (``--from``).
Every command has ``--json`` (keys in docs/cli-json.md).
"""

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from carewise.cli.common import (
    CouncilOption,
    DbOption,
    JsonOption,
    console,
    few_collections,
    leave_at_once,
    out,
    print_json,
    user_errors,
)
from carewise.errors import BadInputError, SettingError

FromOption = Annotated[
    list[Path] | None,
    typer.Option("--from", help="Read 903 files (folders of CSV/XML, several years) instead of the store."),
]
StartOption = Annotated[
    str | None, typer.Option("--start", help="Forecast start YYYY-MM-DD (default: the last date of the data).")
]
RefStartOption = Annotated[str | None, typer.Option("--reference-start", help="Reference window start, YYYY-MM-DD.")]
RefEndOption = Annotated[
    str | None, typer.Option("--reference-end", help="Reference window end, YYYY-MM-DD (default: the forecast start).")
]
RefMonthsOption = Annotated[
    int, typer.Option("--reference-months", help="Reference window length in months, when no start is given.")
]
HorizonOption = Annotated[int, typer.Option("--horizon-months", help="Months to forecast (1-60).")]
RunsOption = Annotated[int, typer.Option("--runs", help="Number of stochastic runs.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")]


def _date(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SettingError(f"{name} '{text}' is not a date: write it as YYYY-MM-DD.") from None


CARE_TABLES = ("episodes", "header")
"""What a forecast and its backtest use of a return (``History.episodes``/``header``, the timeline)."""


def load_returns(db: str | None, council: str | None, files: list[Path] | None,
                 tables: tuple[str, ...] | None = None) -> tuple[str, Any]:
    """The council's returns per collection year, as received, from files (``--from``) or the store;
    from files, with ``tables`` the returns hold only those tables (the same years are read)."""
    if files:
        from carewise.ingest import read_returns

        # Problems in values (odd dates, repeated rows) are not reported here, so they are not
        # looked for (~0.25 s of a large council's 5 years), nor the rows of tables not used (~0.2 s);
        # when nothing could be read, the files are read again in full, so the refusal names the
        # same first problems as before.
        result = read_returns(files, check_values=False, only_tables=tables)
        if not result.returns:
            result = read_returns(files)
        if not result.returns:
            detail = "; ".join(p.describe() for p in result.errors[:3]) if result.errors else "no 903 files found"
            raise BadInputError(f"No 903 return could be read from {', '.join(map(str, files))}: {detail}.")
        if result.errors:  # a year given twice, a table twice, a file unreadable: which data to forecast from is unclear
            more = f" (and {len(result.errors) - 3} more)" if len(result.errors) > 3 else ""
            raise BadInputError(
                f"Some 903 files in {', '.join(map(str, files))} could not be used, so the forecast would rest on part "
                f"of the data: {'; '.join(p.describe().rstrip('.') for p in result.errors[:3])}{more}. Fix them, or give --from "
                "only one council's files, one return per collection year (as `carewise import` would store them).")
        from carewise.geo import la_code_for

        return la_code_for(council) if council else "files", result.returns
    from carewise.cli.common import open_store, pick_council

    store = open_store(db)
    la = pick_council(store, council)
    return la, store.load_returns(la)


def load_history(db: str | None, council: str | None, files: list[Path] | None) -> tuple[str, Any]:
    """The council's stitched history, from files (``--from``) or from the store."""
    from carewise.history import stitch

    la, returns = load_returns(db, council, files)
    return la, stitch(returns)


def _records(frame) -> list[dict[str, Any]]:
    return [
        {k: (v.isoformat() if isinstance(v, date) else (round(v, 3) if isinstance(v, float) else v)) for k, v in row.items()}
        for row in frame.to_dicts()
    ]


def _costs(costs_file: Path | None, inflation: float | None):
    from carewise.forecast.costs import CostSettings

    settings = CostSettings.from_file(costs_file) if costs_file else CostSettings()
    if inflation is not None:
        settings = settings.with_inflation(inflation)
    return settings


def run_forecast(
    history: Any,
    start: date | None = None,
    reference_start: date | None = None,
    reference_end: date | None = None,
    reference_months: int = 36,
    horizon_months: int = 36,
    runs: int = 1000,
    seed: int = 0,
    scenarios: list[str] | None = None,
    costs: Any = None,
    levels: tuple[str, ...] = ("total", "category", "age_band", "state"),
    backtest: bool = True,
    returns: Any = None,
    council: str | None = None,
) -> dict[str, Any]:
    """Everything ``carewise forecast --json`` prints (also used by the web app). With ``council``
    (ONS code) the rates borrow from its statistical neighbours (``borrowed``)."""
    from carewise.forecast import fit_model, month_ends, project, summarise, summarise_difference
    from carewise.forecast.checks import few_runs, not_priced
    from carewise.forecast.costs import CostSettings, spend_by_period

    costs = costs or CostSettings()
    model = fit_model(history, origin=start, reference_start=reference_start, reference_end=reference_end,
                      reference_months=reference_months, council=council)
    dates = month_ends(model.origin, horizon_months)
    base = project(model, horizon_months, runs, seed)
    warnings = [*model.warnings, few_runs(runs)]
    try:
        spend = _records(spend_by_period(base, costs))
    except SettingError:  # months before the price index: the children are forecast, not priced
        spend = None
        warnings.append(not_priced())
    result: dict[str, Any] = {
        "origin": model.origin.isoformat(),
        "reference_start": model.rates.window_start.isoformat(),
        "reference_end": model.rates.window_end.isoformat(),
        "horizon_months": horizon_months,
        "runs": runs,
        "seed": seed,
        "starting_children": model.start.size,
        "entries_per_year": round(model.rates.entry_rate * 365.25, 2),
        "entry_trend_weight": (round(model.rates.entry_trend.trend_weight, 3)
                               if model.rates.entry_trend is not None else None),
        "borrowed": model.borrowing.as_dict() if model.borrowing else None,
        "warnings": [w.as_dict() for w in warnings if w],
        "exit_by_time_in_care": _records(model.rates.duration_effects().frame()),
        "forecast": _records(summarise(base, levels)),
        "spend": spend or [],
        "weekly_costs": costs.weekly,
        "inflation": costs.inflation,
        "price_base": costs.price_base,
        "prices": costs.as_json(),
        "backtest": None,
        "scenarios": [],
    }
    if backtest:
        from carewise.forecast.backtest import run_backtest

        try:
            bt = run_backtest(history, reference_months=reference_months, runs=min(runs, 500), seed=seed,
                              returns=returns, council=council)
            result["backtest"] = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in bt.summary().items()}
        except SettingError as exc:
            result["backtest"] = {"not_available": str(exc)}
    if scenarios:
        from carewise.forecast.scenarios import load, resolve
    for name in scenarios or []:
        sc = load(name, scenario_dir())
        proj = project(model, horizon_months, runs, seed, effects=resolve(sc, model, dates))
        result["scenarios"].append(
            {
                "name": sc.name,
                "description": sc.description,
                "forecast": _records(summarise(proj, ("total", "category"))),
                "difference": _records(summarise_difference(base, proj)),
                "spend": _records(spend_by_period(proj, costs)) if spend is not None else [],
                "spend_difference": _records(spend_by_period(base, costs, other=proj)) if spend is not None else [],
                "in_house_share_of_mainstream_fostering": in_house_shares(base, proj),
            }
        )
    return result


def _print_forecast(res: dict[str, Any], la: str) -> None:
    out.print(
        f"[bold]{la}[/]: forecast from {res['origin']} ({res['starting_children']} children looked after), "
        f"rates from {res['reference_start']} to {res['reference_end']}, {res['runs']} runs."
    )
    for w in res.get("warnings", []):
        out.print(f"  [yellow]Warning ({w['code']}):[/] {w['message']}")
    totals = [r for r in res["forecast"] if r["state"] == "total" and r["date"].endswith("-03-31")]
    for r in totals:
        out.print(f"  {r['date']}: {r['median']:.0f} (80% {r['p10']:.0f}-{r['p90']:.0f}; 95% {r['p2_5']:.0f}-{r['p97_5']:.0f})")
    if res.get("borrowed"):
        out.print(f"  {res['borrowed']['text']}")
    bt = res.get("backtest") or {}
    if "mape_total_12m" in bt and bt["mape_total_12m"] is not None:
        out.print(
            f"  Backtest over {bt['cuts']} cut dates: error of the total at 12 months {bt['mape_total_12m']:.1f}%, "
            f"inside its 80% range {bt['coverage_total_80_12m']:.0%} and 95% range {bt['coverage_total_95_12m']:.0%} "
            "of the time."
        )
    elif "not_available" in bt:
        out.print(f"  Backtest not available: {bt['not_available']}")
    for sc in res["scenarios"]:
        last = [r for r in sc["difference"] if r["state"] == "total"][-1]
        out.print(f"  Scenario {sc['name']}: {last['median']:+.0f} children by {last['date']} (80% {last['p10']:+.0f} to {last['p90']:+.0f})")


def _market_limit(db: str | None, council: str | None):
    """An in-house limit from the council's latest stored market extract (approved places)."""
    from carewise.cli.common import open_store, pick_council
    from carewise.forecast.scenarios import Change, in_house_places
    from carewise.matching import StoreMarkets

    store = open_store(db)
    la = pick_council(store, council)
    markets = StoreMarkets(store)
    versions = markets.versions(la)
    if not versions:
        raise SettingError(f"No market extract is stored for {la}: load one with `carewise market load`, "
                           "or give --in-house-limit N.")
    market = markets.load(la)
    places = in_house_places(market.carers)
    return Change("in_house_limit", places=places,
                  source=f"market extract {versions[-1]['version']} for {la}: approved places of in-house carers "
                  "approved for short- or long-term care")


def in_house_shares(base: Any, proj: Any) -> list[dict[str, Any]]:
    """In-house share of mainstream fostering (family and friends carers excluded) at each 31 March,
    baseline and scenario (deterministic projections)."""
    from carewise.forecast.scenarios import in_house_share

    b, s = in_house_share(base.mean), in_house_share(proj.mean)
    return [{"date": d.isoformat(), "baseline": round(float(b[i]), 4), "scenario": round(float(s[i]), 4)}
            for i, d in enumerate(base.dates) if (d.month, d.day) == (3, 31)]


forecast_app = typer.Typer(help="Forecast children looked after by age and placement, with costs.",
                           invoke_without_command=True)
scenario_app = typer.Typer(help="Create, list, show and compare forecast scenarios.", no_args_is_help=True)


@forecast_app.callback()
@user_errors
@few_collections()  # reading and fitting make many small objects: see cli.common.few_collections
def forecast_cmd(
    ctx: typer.Context,
    db: DbOption = None,
    council: CouncilOption = None,
    files: FromOption = None,
    start: StartOption = None,
    reference_start: RefStartOption = None,
    reference_end: RefEndOption = None,
    reference_months: RefMonthsOption = 36,
    horizon_months: HorizonOption = 36,
    runs: RunsOption = 1000,
    seed: SeedOption = 0,
    scenario: Annotated[list[str] | None, typer.Option("--scenario", help="Also run a saved scenario; repeatable.")] = None,
    costs_file: Annotated[Path | None, typer.Option("--costs", help="Weekly costs file (.toml/.json).")] = None,
    inflation: Annotated[float | None, typer.Option("--inflation", help="Yearly inflation after the price index ends, 0.03 = 3% (default 0.02).")] = None,
    no_backtest: Annotated[bool, typer.Option("--no-backtest", help="Skip the backtest shown beside the forecast.")] = False,
    svg: Annotated[Path | None, typer.Option("--svg", help="Write a fan chart of the total (SVG).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Project children looked after (median, 80% and 95% intervals), spend and scenarios."""
    if ctx.invoked_subcommand is not None:
        return
    from carewise.history import stitch

    la, returns = load_returns(db, council, files, tables=CARE_TABLES)
    res = run_forecast(
        stitch(returns), _date(start, "--start"), _date(reference_start, "--reference-start"),
        _date(reference_end, "--reference-end"), reference_months, horizon_months, runs, seed,
        scenario, _costs(costs_file, inflation), backtest=not no_backtest, returns=returns,
        council=la if la != "files" else None,
    )
    res["council"] = la
    if svg:
        import polars as pl

        from carewise.forecast.charts import fan_chart, to_svg

        frame = pl.DataFrame(res["forecast"]).with_columns(pl.col("date").str.to_date())
        svg.write_text(to_svg(fan_chart(frame, "total", title="Children looked after")))
    if json_out:
        print_json(res)
    else:
        _print_forecast(res, la)
    if files:
        leave_at_once()  # files only: no database to close


@forecast_app.command("sweep")
@user_errors
def sweep_cmd(
    db: DbOption = None,
    councils: Annotated[list[str] | None, typer.Option("--council", help="Council code; repeatable (default: every council).")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only councils in this DfE region, e.g. 'North West' or 'London'.")] = None,
    folder: Annotated[Path | None, typer.Option("--from", help="Folder with one sub-folder of 903 files per council (as `carewise synth --national --out` writes) instead of the store.")] = None,
    scenario: Annotated[list[str] | None, typer.Option("--scenario", help="Saved scenario name or .json/.toml file; repeatable.")] = None,
    address: Annotated[str | None, typer.Option("--address", help="Dask scheduler address (default: CAREWISE_DASK_ADDRESS, else a local cluster).")] = None,
    workers: Annotated[int, typer.Option("--workers", help="Workers of the local cluster.")] = 2,
    horizon_months: HorizonOption = 36,
    runs: RunsOption = 1000,
    seed: SeedOption = 0,
    costs_file: Annotated[Path | None, typer.Option("--costs", help="Weekly costs file (.toml/.json).")] = None,
    inflation: Annotated[float | None, typer.Option("--inflation", help="Yearly inflation after the price index ends, 0.03 = 3% (default 0.02).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Baseline and scenarios for many councils on Dask: children and spend at each 31 March."""
    from carewise.cli.common import open_store, progress_bar
    from carewise.forecast.scenarios import load
    from carewise.forecast.sweep import folder_tasks, in_region, store_tasks, sweep

    scenarios = [load(s, scenario_dir()) for s in scenario or []]
    if folder is not None:
        tasks = folder_tasks(folder)
    else:
        store = open_store(db)
        codes = [c.la_code for c in store.councils()]
        if not codes:
            raise SettingError("No council is stored: run `carewise import` first, or give --from FOLDER.")
        tasks = store_tasks(store.url, codes)
    if councils:
        from carewise.cli.common import resolve_council

        wanted = {resolve_council(c, [la for la, _ in tasks]) for c in councils}
        missing = wanted - {la for la, _ in tasks}
        if missing:
            raise SettingError(f"No data for {', '.join(sorted(missing))}: check the codes (ONS codes, e.g. E06000056).")
        tasks = [t for t in tasks if t[0] in wanted]
    if region:
        keep = set(in_region([la for la, _ in tasks], region))
        tasks = [t for t in tasks if t[0] in keep]
    with progress_bar(not json_out) as bar:
        job = bar.add_task("Councils forecast", total=len(tasks))
        result = sweep(tasks, scenarios, address=dask_address(address), n_workers=workers,
                       progress=lambda done, total: bar.update(job, completed=done),
                       horizon_months=horizon_months, runs=runs, seed=seed, costs=_costs(costs_file, inflation))
    if json_out:
        print_json({"councils": [la for la, _ in tasks], "scenarios": [s.name for s in scenarios],
                    "runs": runs, "seed": seed, "horizon_months": horizon_months, "address": result.address,
                    "results": _records(result.table), "failed": result.failed})
        return
    _print_sweep(result)


@user_errors
def backtest_cmd(
    db: DbOption = None,
    council: CouncilOption = None,
    files: FromOption = None,
    cut: Annotated[list[str] | None, typer.Option("--cut", help="Cut date YYYY-MM-DD; repeatable (default: every quarter end with 2 years of returns before it and 12 months after).")] = None,
    reference_months: RefMonthsOption = 36,
    runs: RunsOption = 500,
    seed: SeedOption = 0,
    json_out: JsonOption = False,
) -> None:
    """Fit up to cut dates, forecast, and compare with what happened (MAPE, interval coverage)."""
    from carewise.forecast.backtest import run_backtest
    from carewise.history import stitch

    la, returns = load_returns(db, council, files, tables=CARE_TABLES)
    cuts = [d for d in (_date(c, "--cut") for c in cut or []) if d] or None
    bt = run_backtest(stitch(returns), cuts=cuts, reference_months=reference_months, runs=runs, seed=seed,
                      returns=returns)
    summary = bt.summary()
    calibration = bt.calibration()
    if json_out:
        print_json({"council": la, **summary, "warnings": [w.as_dict() for w in bt.warnings],
                    "calibration": _records(calibration), "by_state": _records(calibration), "rows": _records(bt.rows)})
        return
    for w in bt.warnings:
        out.print(f"[yellow]Warning ({w.code}):[/] {w.message}")
    out.print(f"[bold]{la}[/]: backtest over {summary['cuts']} quarter-end cut dates, each with only the returns "
              "received by then")
    out.print("  state                 months  error %  bias %  inside 80%  inside 95%")
    for r in calibration.iter_rows(named=True):
        mape = "-" if r["mape"] is None else f"{r['mape']:.1f}"
        bias = "-" if r["bias"] is None else f"{r['bias']:+.1f}"
        out.print(f"  {r['state']:<21} {r['horizon_months']:>6}  {mape:>7}  {bias:>6}  "
                  f"{r['coverage_80']:>10.0%}  {r['coverage_95']:>10.0%}")


@scenario_app.command("create")
@user_errors
def scenario_create(
    name: Annotated[str, typer.Argument(help="Scenario name.")],
    description: Annotated[str, typer.Option("--description")] = "",
    entry_rate: Annotated[float | None, typer.Option("--entry-rate", help="Change in entrants, -0.1 = 10% fewer.")] = None,
    in_house_share: Annotated[float | None, typer.Option("--in-house-share", help="Share of new agency foster placements made in-house.")] = None,
    in_house_target: Annotated[float | None, typer.Option("--in-house-target", help="Target share of fostered children in-house (0.7), with --by.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Date the in-house target is reached, YYYY-MM-DD.")] = None,
    residential_entries: Annotated[float | None, typer.Option("--residential-entries", help="Change in new residential placements, -0.25 = a quarter fewer.")] = None,
    redirect_to: Annotated[str | None, typer.Option("--redirect-to", help="Where avoided residential placements go (default fostering_agency).")] = None,
    in_house_places: Annotated[float | None, typer.Option("--in-house-places", help="Extra in-house foster places.")] = None,
    step_down: Annotated[float | None, typer.Option("--step-down", help="Children a year stepped down from residential to fostering.")] = None,
    in_house_limit: Annotated[float | None, typer.Option("--in-house-limit", help="Most children in-house foster carers can look after (places).")] = None,
    limit_from_market: Annotated[bool, typer.Option("--in-house-limit-from-market", help="Take the in-house limit from the stored market extract's approved places (with --db/--council).")] = False,
    db: DbOption = None,
    council: CouncilOption = None,
    start: Annotated[str | None, typer.Option("--from-date", help="Changes begin on YYYY-MM-DD (default: forecast start).")] = None,
    full_by: Annotated[str | None, typer.Option("--full-by", help="Changes reach full size by YYYY-MM-DD (default: at once).")] = None,
    path: Annotated[Path | None, typer.Option("--path", help="Save here (.json/.toml) instead of the data folder.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Save a named scenario."""
    from carewise.forecast.scenarios import Change, Scenario, save

    begins, full = _date(start, "--from-date"), _date(full_by, "--full-by")
    changes: list[Change] = []
    if entry_rate is not None:
        changes.append(Change("entry_rate", change=entry_rate, start=begins, full_by=full))
    if in_house_share is not None or in_house_target is not None:
        changes.append(Change("in_house_share", share=in_house_share, target=in_house_target, by=_date(by, "--by"),
                              start=begins, full_by=full))
    if residential_entries is not None:
        changes.append(Change("residential_entries", change=residential_entries, to=redirect_to, start=begins, full_by=full))
    if in_house_places is not None:
        changes.append(Change("in_house_capacity", places=in_house_places, start=begins, full_by=full))
    if step_down is not None:
        changes.append(Change("step_down", per_year=step_down, start=begins, full_by=full))
    if limit_from_market:
        changes.append(_market_limit(db, council))
    elif in_house_limit is not None:
        changes.append(Change("in_house_limit", places=in_house_limit, source="given"))
    if not changes:
        raise SettingError("Say what the scenario changes, e.g. --in-house-target 0.7 --by 2027-03-31.")
    sc = Scenario(name, description, changes)
    where = save(sc, path, folder=scenario_dir())
    if json_out:
        print_json({"path": str(where), **sc.to_dict()})
    else:
        out.print(f"Scenario '{name}' saved to {where}")


@scenario_app.command("list")
@user_errors
def scenario_list(json_out: JsonOption = False) -> None:
    """List saved scenarios."""
    from carewise.forecast.scenarios import list_saved

    saved = list_saved(scenario_dir())
    if json_out:
        print_json({"scenarios": [s.to_dict() for s in saved]})
        return
    if not saved:
        out.print("No saved scenarios: create one with `carewise scenario create NAME …`.")
    for s in saved:
        out.print(f"{s.name}: {s.description or ', '.join(c.kind for c in s.changes)}")


@scenario_app.command("show")
@user_errors
def scenario_show(name: Annotated[str, typer.Argument(help="Name or path.")], json_out: JsonOption = False) -> None:
    """Show a saved scenario's changes."""
    from carewise.forecast.scenarios import load

    sc = load(name, scenario_dir())
    if json_out:
        print_json(sc.to_dict())
    else:
        out.print(f"[bold]{sc.name}[/] {sc.description}")
        for c in sc.changes:
            out.print(f"  {c.to_dict()}")


@scenario_app.command("compare")
@user_errors
def scenario_compare(
    names: Annotated[list[str], typer.Argument(help="Scenario names or paths.")],
    db: DbOption = None,
    council: CouncilOption = None,
    files: FromOption = None,
    horizon_months: HorizonOption = 36,
    runs: RunsOption = 1000,
    seed: SeedOption = 0,
    costs_file: Annotated[Path | None, typer.Option("--costs", help="Weekly costs file (.toml/.json).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Each scenario's difference from the baseline in children and spend, with intervals."""
    la, history = load_history(db, council, files)
    res = run_forecast(history, horizon_months=horizon_months, runs=runs, seed=seed, scenarios=names,
                       costs=_costs(costs_file, None), levels=("total", "category"), backtest=False)
    if json_out:
        print_json({"council": la, "origin": res["origin"], "runs": runs, "seed": seed, "warnings": res["warnings"],
                    "scenarios": [{k: s[k] for k in ("name", "description", "difference", "spend_difference",
                                                     "in_house_share_of_mainstream_fostering")}
                                  for s in res["scenarios"]]})
        return
    for w in res["warnings"]:
        out.print(f"[yellow]Warning ({w['code']}):[/] {w['message']}")
    for sc in res["scenarios"]:
        diff = [r for r in sc["difference"] if r["state"] == "total" and r["date"].endswith("-03-31")]
        money = [r for r in sc["spend_difference"] if r["period_type"] == "financial_year"]
        out.print(f"[bold]{sc['name']}[/] vs baseline")
        for r in diff:
            out.print(f"  {r['date']}: {r['median']:+.0f} children (80% {r['p10']:+.0f} to {r['p90']:+.0f})")
        for r in money:
            out.print(f"  {r['period']} ({r['months']} months): £{r['median']:+,.0f} (80% £{r['p10']:+,.0f} to £{r['p90']:+,.0f})")


@user_errors
def pa_caseload_cmd(
    db: DbOption = None,
    council: CouncilOption = None,
    files: FromOption = None,
    take_up_at_21: Annotated[float, typer.Option("--take-up-at-21", help="Share of care leavers taking up PA support from 21.")] = 0.72,
    not_in_touch_return: Annotated[float, typer.Option("--not-in-touch-return", help="Share of not-in-touch care leavers who come back.")] = 0.75,
    support_to: Annotated[int, typer.Option("--support-to", help="Age PA support ends.")] = 25,
    joint_working_from: Annotated[float, typer.Option("--joint-working-from", help="Age the PA starts joint working (17.5).")] = 17.5,
    cost_per_adviser: Annotated[float, typer.Option("--cost-per-adviser", help="Yearly cost of one adviser (£).")] = 28_500.0,
    years: Annotated[int, typer.Option("--years", help="How many 31 Marches ahead.")] = 3,
    joint_working_weight: Annotated[float, typer.Option("--joint-working-weight", help="Caseload places per child in joint working (workload, not people).")] = 1.0,
    table_file: Annotated[Path | None, typer.Option("--table", help="Work from the council's own table (.toml/.json: years with date, entitled, requiring, published) instead of 903 data.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Care leavers needing a Personal Adviser at each 31 March, and caseloads for 7-11 advisers."""
    from carewise.forecast.pa_caseload import PaAssumptions, assumptions_dict, pa_caseload

    if table_file is not None:
        _pa_table(table_file, cost_per_adviser, json_out)
        return
    la, history = load_history(db, council, files)
    a = PaAssumptions(take_up_at_21=take_up_at_21, not_in_touch_return=not_in_touch_return, support_to=support_to,
                      joint_working_from=joint_working_from, cost_per_adviser=cost_per_adviser, years=years,
                      joint_working_weight=joint_working_weight)
    table = pa_caseload(history, a)
    if json_out:
        print_json({"council": la, "assumptions": assumptions_dict(a), "rows": _records(table)})
        return
    out.print(f"[bold]{la}[/]: young people needing a Personal Adviser (caseloads include joint working)")
    out.print("  date         needing  joint  " + "  ".join(f"per {n} PAs" for n in (7, 8, 9, 10, 11)))
    for r in table.to_dicts():
        cells = "  ".join(f"{r[f'caseload_{n}']:>10.0f}" for n in (7, 8, 9, 10, 11))
        out.print(f"  {r['date']}  {r['requiring_pa']:>7.0f}  {r['joint_working']:>5.0f}  {cells}")
    out.print(f"  cost: £{cost_per_adviser:,.0f} per adviser a year")
    console.print("Assumptions: " + ", ".join(f"{k}={v}" for k, v in assumptions_dict(a).items()))


def _pa_table(path: Path, cost_per_adviser: float, json_out: bool) -> None:
    """``pa-caseload --table``: caseloads from the council's own table, and where it disagrees."""
    import json
    import tomllib

    from carewise.forecast.pa_caseload import ADVISERS, TableYear, table_caseload

    if not path.exists():
        raise SettingError(f"The table file {path} does not exist; give a .toml or .json file.")
    try:
        data = tomllib.loads(path.read_text()) if path.suffix.lower() == ".toml" else json.loads(path.read_text())
        advisers = tuple(int(n) for n in data.get("advisers", ADVISERS))
        years = [TableYear(date=_date(str(y["date"]), "date") or date.min, entitled=float(y["entitled"]),
                           requiring=None if y.get("requiring") is None else float(y["requiring"]),
                           published={int(k): float(v) for k, v in (y.get("published") or {}).items()})
                 for y in data.get("years", [])]
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SettingError(f"The table file {path} cannot be read ({exc}): give [[years]] with date and entitled "
                           "(and optionally requiring and published), and advisers = [7, 8, …].") from None
    table, notes = table_caseload(years, advisers, cost_per_adviser)
    if json_out:
        print_json({"mode": "table", "advisers": list(advisers), "rows": _records(table), "disagreements": notes})
        return
    out.print("Personal Adviser caseload from the table's own figures")
    out.print("  date         entitled  requiring  " + "  ".join(f"per {n} PAs" for n in advisers))
    for r in table.to_dicts():
        req = "-" if r["requiring"] is None else f"{r['requiring']:.0f}"
        out.print(f"  {r['date']}  {r['entitled']:>8.0f}  {req:>9}  "
                  + "  ".join(f"{r[f'caseload_{n}']:>10.1f}" for n in advisers))
    for note in notes:
        out.print(f"  [yellow]Disagrees:[/] {note}")


def scenario_dir() -> Path:
    """Where saved scenarios live: ``scenarios/`` in the configured data folder (the forecast
    engine takes the folder as an argument)."""
    from carewise.forecast.scenarios import scenario_folder
    from carewise.settings import get_settings

    return scenario_folder(get_settings().data_dir)


def dask_address(address: str | None) -> str | None:
    """The cluster to sweep on: ``--address`` if given, else the ``CAREWISE_DASK_ADDRESS`` setting."""
    from carewise.settings import get_settings

    return address or get_settings().dask_address or None


def _print_sweep(result: Any) -> None:
    """One line per council × scenario × 31 March: children and spend, median (80% interval)."""
    from rich.table import Table

    table = Table()
    for name in ("council", "scenario", "31 March"):
        table.add_column(name, no_wrap=True)
    for name in ("children (80%)", "vs baseline", "spend in year £m (80%)", "vs baseline £m"):
        table.add_column(name, justify="right")

    def rng(r: dict, key: str, scale: float = 1.0, sign: str = "") -> str:
        if r.get(f"{key}_median") is None:
            return ""
        m, lo, hi = (r[f"{key}_{f}"] / scale for f in ("median", "p10", "p90"))
        digits = 1 if scale > 1 else 0
        return f"{m:{sign}.{digits}f} ({lo:{sign}.{digits}f} to {hi:{sign}.{digits}f})"

    for r in result.table.to_dicts():
        table.add_row(r["la_code"], r["scenario"], r["date"].isoformat(), rng(r, "children"),
                      rng(r, "children_difference", sign="+"), rng(r, "spend", 1e6),
                      rng(r, "spend_difference", 1e6, "+"))
    out.print(table)
    for f in result.failed:
        console.print(f"[yellow]{f['la_code']} not forecast:[/] {f['reason']}")
