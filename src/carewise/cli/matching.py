"""``carewise market …`` and ``carewise match …``: load the market, shortlist, batch, what-if.

Every shortlist shown is recorded in the audit trail (``carewise.store.audit``) with the
referral id, market and settings versions and the options shown, never the child's details.
"""

from pathlib import Path
from typing import Annotated

import typer

from carewise.cli.common import (
    CouncilOption,
    DbOption,
    JsonOption,
    console,
    open_store,
    out,
    pick_council,
    print_json,
    print_warnings,
    user_errors,
)
from carewise.errors import UserFacingError

SettingsOption = Annotated[
    Path | None,
    typer.Option("--settings", help="Matching settings TOML (weights, thresholds); default: "
                 "matching.toml in the council's market folder if present, else built-in."),
]
VersionOption = Annotated[
    str | None, typer.Option("--version", help="Market version (default: the latest load).")
]


def _markets(db: str | None):
    from carewise.matching import StoreMarkets

    return StoreMarkets(open_store(db))


def _council(markets, council: str | None) -> str:
    """The council: as every command chooses it; by default the only one with a market."""
    return pick_council(markets.store, council, among=markets.councils(), stored=False,
                        nothing="no market is loaded yet: run `carewise market load FILES "
                        "--council CODE` first")


def _settings(la_code: str, path: Path | None):
    from carewise.matching import load_settings
    from carewise.matching.store import market_root
    from carewise.settings import get_settings

    if path is None:
        local = market_root(get_settings().data_dir) / la_code / "matching.toml"
        path = local if local.exists() else None
    return load_settings(path)


def _actor() -> str:
    from carewise.store.store import _default_user

    return _default_user()


def _audit(db: str | None, council: str, target: str, detail: dict) -> None:
    from carewise.store.audit import record

    record(open_store(db), _actor(), "shortlist", council=council, target=target,
           detail=detail)


def _with_forecast(market, cfg, db: str | None, months: int, percentile: float,
                   seed: int) -> dict:
    """Open referrals plus the forecast stream for ``months``, assigned against today's market."""
    from carewise.errors import NotFoundError
    from carewise.matching.future import expected_flows, forecast_report, referral_stream

    try:
        history = open_store(db).load_history(market.la_code)
    except NotFoundError:
        raise UserFacingError(f"no 903 returns are stored for {market.la_code}, so there is no "
                              "forecast: import them with `carewise import` (or leave out "
                              "--with-forecast)") from None
    flows = expected_flows(history, months=months, percentile=percentile, seed=seed)
    stream = referral_stream(history, months, seed=seed, percentile=percentile,
                             open_referrals=market.open_referrals(), flows=flows)
    return forecast_report(market, cfg, stream, flows, seed)


market_app = typer.Typer(help="Load and examine the placements market (carers, providers, "
                         "vacancies, referrals).", no_args_is_help=True)


@market_app.command("load")
@user_errors
def market_load(
    files: Annotated[list[Path], typer.Argument(help="CSV or Excel extracts (any of carers, "
                                                "providers, vacancies, referrals).")],
    council: CouncilOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the extracts and store them as a new market version (all or nothing).

    Extracts not given are carried forward from the previous version.
    """
    from carewise.ingest.problems import Severity
    from carewise.matching import TABLES, check_extracts
    from carewise.matching.extracts import ExtractError
    from carewise.matching.market import Market, consistency_warnings

    mstore = _markets(db)
    la_code = pick_council(mstore.store, council, among=mstore.councils(), stored=False,
                           nothing="say which council this market belongs to with --council "
                           "(ONS code, DfE number or name)")
    previous = mstore.load(la_code) if mstore.versions(la_code) else Market(la_code)
    known = set(previous.providers["urn"].to_list())
    try:
        frames, problems = check_extracts(files, known_urns=known)
    except ExtractError as exc:
        if as_json:
            print_json({"stored": False, "council": la_code,
                        "problems": [p.as_dict() for p in exc.problems]})
            raise typer.Exit(exc.exit_code) from None
        raise
    if not frames:
        raise UserFacingError("none of the files is a market extract; name them carers, "
                              "providers, vacancies or referrals (see `carewise market "
                              "template`)")
    market = previous.with_tables(frames)
    warnings = [p.as_dict() for p in problems if p.severity == Severity.WARNING]
    version = mstore.save(market, actor=_actor(), sources=files, loaded=sorted(frames),
                          problems=warnings)
    result = {"stored": True, "council": la_code, "version": version,
              "loaded": {k: v.height for k, v in frames.items()},
              "carried_forward": sorted(set(TABLES) - set(frames)) if previous.version
              else [],
              "warnings": warnings}
    result["market_warnings"] = consistency_warnings(market)
    if as_json:
        print_json(result)
        return
    out.print(f"Stored market {version} for {la_code}: " + ", ".join(
        f"{n} {k}" for k, n in result["loaded"].items()))
    print_warnings(warnings)
    for w in result["market_warnings"]:
        console.print(f"[yellow]Warning:[/] {w['message']}. {w['fix']}")


@market_app.command("import-parquet")
@user_errors
def market_import_parquet(
    folder: Annotated[Path | None, typer.Argument(help="Folder of the old parquet markets "
                                                  "(default: <data folder>/market).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move markets saved by earlier carewise versions (parquet folders) into the database."""
    from carewise.matching.store import market_root
    from carewise.settings import get_settings

    imported = _markets(db).import_parquet(folder or market_root(get_settings().data_dir))
    if as_json:
        print_json({"imported": imported})
        return
    out.print("\n".join(f"{la}: {n} version(s) imported" for la, n in imported.items())
              or "No parquet market to import (councils already in the database are skipped).")


@market_app.command("template")
@user_errors
def market_template(
    folder: Annotated[Path, typer.Argument(help="Folder to write the templates into.")],
    as_json: JsonOption = False,
) -> None:
    """Write blank extract templates (CSV and Excel) with an example row and notes."""
    from carewise.matching import write_templates

    paths = write_templates(folder)
    if as_json:
        print_json({"written": [str(p) for p in paths]})
    else:
        out.print("\n".join(str(p) for p in paths))


@market_app.command("synth")
@user_errors
def market_synth(
    folder: Annotated[Path, typer.Argument(help="Folder to write synthetic extracts into.")],
    council: Annotated[str, typer.Option("--council", help="Council (ONS code or name).")],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    size: Annotated[int, typer.Option(help="Number of open referrals.")] = 40,
    as_json: JsonOption = False,
) -> None:
    """Write a synthetic market and referrals for a council (real postcodes, no real people)."""
    from carewise.geo import la_code_for
    from carewise.synth.market import generate_market, write_market

    paths = write_market(generate_market(la_code_for(council), seed=seed, size=size), folder)
    if as_json:
        print_json({"written": [str(p) for p in paths]})
    else:
        out.print("\n".join(str(p) for p in paths))


@market_app.command("summary")
@user_errors
def market_summary(council: CouncilOption = None, version: VersionOption = None,
                   db: DbOption = None, as_json: JsonOption = False) -> None:
    """What is loaded: households, providers, places free, open referrals."""
    from carewise.matching.report import market_summary as summarise

    mstore = _markets(db)
    la_code = _council(mstore, council)
    result = summarise(mstore.load(la_code, version), mstore.versions(la_code))
    if as_json:
        print_json(result)
        return
    out.print(f"Market {result['version']} for {result['council_name']} ({la_code})")
    for row in result["options_by_kind"]:
        out.print(f"  {row['kind']}: {row['options']} options, {row['places_free']} places "
                  "free")
    out.print(f"  open referrals: {result['referrals']['open']}")


@market_app.command("what-if")
@user_errors
def market_what_if(
    add: Annotated[list[str], typer.Option("--add", help="Hypothetical capacity, e.g. "
                                           "'kind=in_house_fostering,count=5,min_age=11,"
                                           "max_age=17,skills=emotional_behavioural'.")],
    council: CouncilOption = None,
    version: VersionOption = None,
    settings: SettingsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-solve the batch assignment with extra capacity and show what it would meet."""
    from carewise.matching import parse_addition, what_if

    mstore = _markets(db)
    la_code = _council(mstore, council)
    market = mstore.load(la_code, version)
    result = what_if(market, _settings(la_code, settings),
                     [parse_addition(a) for a in add])
    result["council"], result["market_version"] = la_code, market.version
    if as_json:
        print_json(result)
        return
    for a in result["additions"]:
        out.print(f"Adding {a['description']}")
    out.print(f"Met: {result['before']['met']} → {result['after']['met']} of "
              f"{result['before']['referrals']} referrals (gain {result['met_gain']}); "
              f"total match score gain {result['score_gain']}")


@user_errors
def match(
    referral_id: Annotated[str | None, typer.Argument(help="The referral to shortlist.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Assign every open referral at once "
                                       "and report unmet need.")] = False,
    council: CouncilOption = None,
    version: VersionOption = None,
    settings: SettingsOption = None,
    limit: Annotated[int, typer.Option(help="Candidates to show (explained).")] = 20,
    show_excluded: Annotated[bool, typer.Option(
        "--show-excluded", help="List every excluded option with its reasons (default: "
        "the count each hard constraint excluded).")] = False,
    with_forecast: Annotated[int | None, typer.Option(
        "--with-forecast", metavar="MONTHS", help="With --all: add the referrals the "
        "sufficiency forecast expects in the next MONTHS months (from the council's 903 "
        "returns in the database).")] = None,
    percentile: Annotated[float, typer.Option(help="With --with-forecast: the forecast's "
                                              "percentile (50 median, 90 a busy year).")] = 50,
    seed: Annotated[int, typer.Option(help="With --with-forecast: random seed.")] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Shortlist for one referral, or (--all) the batch assignment and sufficiency gap."""
    from carewise.matching.report import batch_report, commissioning_text
    from carewise.matching.shortlist import shortlist_json, shortlist_text

    if bool(referral_id) == all_:
        raise UserFacingError("give a REFERRAL_ID, or --all for every open referral")
    if with_forecast is not None and not all_:
        raise UserFacingError("--with-forecast works with --all (the batch assignment)")
    mstore = _markets(db)
    la_code = _council(mstore, council)
    market = mstore.load(la_code, version)
    cfg = _settings(la_code, settings)
    if all_ and with_forecast is not None:
        result = _with_forecast(market, cfg, db, with_forecast, percentile, seed)
        if as_json:
            print_json(result)
            return
        f, split = result["forecast"], result["unmet_split"]
        out.print(f"{result['summary']['met']} of {result['summary']['referrals']} "
                  f"referrals met: {split['open_today']['referrals']} open today, "
                  f"{f['referrals']} expected {f['first_month']} to {f['last_month']} "
                  f"(forecast percentile {f['percentile']:g})")
        for name, label in (("open_today", "open today"), ("expected", "expected")):
            out.print(f"  not met, {label}: {split[name]['unmet']} of "
                      f"{split[name]['referrals']}")
        for p in result["suggestions"]:
            out.print(f"  what-if: {p['description']} → meets {p['would_meet']} more")
        return
    if all_:
        result = batch_report(market, cfg)
        if as_json:
            print_json(result)
            return
        s = result["summary"]
        out.print(f"{s['children_met']} of {s['children']} children placed "
                  f"({s['met']} of {s['referrals']} open referrals; most urgent first "
                  f"would place {s['greedy_children_met']}); total score "
                  f"{s['total_score']} vs {s['greedy_total_score']}")
        for line in commissioning_text(result["commissioning"]):
            out.print(f"  {line}")
        for g in result["unmet_groups"]:
            out.print(f"  unmet: {g['children']} × {g['age_group']}, {g['main_need']}, "
                      f"{g['placement_type']} (" + ("limited by capacity"
                      if g["limited_by"] == "capacity" else "limited by eligibility: "
                      f"{g['binding_constraint']}") + ")")
        for p in result["suggestions"]:
            out.print(f"  what-if: {p['description']} → meets {p['would_meet']} more")
        return
    assert referral_id is not None  # one of REFERRAL_ID or --all, checked above
    shown = shortlist_json(market, referral_id, cfg, limit, show_excluded)
    _audit(db, la_code, f"referral:{referral_id}", {
        "market_version": market.version, "settings_version": cfg.version,
        "shown": [c["option_id"] for c in shown["candidates"]],
        "scores": [c["score"] for c in shown["candidates"]],
        "excluded_count": shown["excluded_count"]})
    if as_json:
        print_json(shown)
        return
    for line in shortlist_text(shown):
        out.print(line, highlight=False, markup=False)
