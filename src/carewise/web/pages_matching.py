"""Placement finding in the browser: the market, open referrals, explained shortlists, sufficiency.

- ``/placements``: what market is loaded for the current council, upload of the market extracts
  (all or nothing, the same file/row/column problems as ``carewise market load``) and the
  blank templates;
- ``/placements/referrals`` and ``/placements/referrals/{ref}``: open referrals and one
  referral's ranked, explained shortlist. URLs carry an opaque HMAC reference, never the
  referral or child id, and every shortlist shown is written to the audit trail;
- ``/placements/sufficiency``: the batch assignment, unmet need by age group, main need and
  placement type, tested capacity suggestions and a what-if form. Panel members see this page
  only, as aggregates with counts under 5 shown as ``x``.

Figures come from :mod:`carewise.matching`; this module only fetches, caches and lays them out.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response

from carewise.disclosure import current
from carewise.errors import UserFacingError
from carewise.matching import (
    CONSTRAINTS,
    CRITERIA_RULES,
    TABLES,
    Addition,
    Market,
    MatchSettings,
    StoreMarkets,
    load_settings,
    shortlist,
    what_if,
)
from carewise.matching.future import ID_PREFIX
from carewise.matching.schema import NEEDS, OPTION_KINDS, SKILLS
from carewise.store import audit
from carewise.store.accounts import User
from carewise.web.auth import check_csrf, children_roles, current_user, import_roles
from carewise.web.data import _LRU
from carewise.web.security import secret_key

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

SHOWN_CANDIDATES = 20
"""Candidates on the shortlist page unless the user asks for all (as ``carewise match``)."""
SHOWN_EXCLUDED = 500
"""Excluded options listed one by one (the funnel counts every one of them)."""
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

KIND_LABELS = {
    "in_house_fostering": "In-house fostering",
    "agency_fostering": "Agency fostering",
    "childrens_home": "Children's home",
    "supported_accommodation": "Supported accommodation",
    "parent_and_child": "Parent and child",
}
LOCALITY_LABELS = {
    "in_area": "In the council's area",
    "adjoining": "In an adjoining council",
    "at_a_distance": "At a distance (not an adjoining council)",
}
SKILL_LABELS = {s: s.replace("_", " ") for s in SKILLS} | {
    "emotional_behavioural": "emotional and behavioural",
    "uasc": "unaccompanied asylum-seeking children",
}
URGENCY_LABELS = {"today": "Today", "within_5_days": "Within 5 days", "over_5_days": "Over 5 days"}
REASONS = {c.name: c.reason for c in CONSTRAINTS} | {
    "capacity": "suitable places exist but all are needed for other children"}
EXPECTED_MONTHS = ("6", "12")
"""The forecast horizons the sufficiency page offers for expected referrals."""
FORECAST_SEED = 0
TEMPLATE_FILES = (*(f"{t}.csv" for t in TABLES), "carewise-market-template.xlsx", "README.md")


# -- data access, cached per market version -----------------------------------------------------

class MatchingData:
    """One app's markets: loaded versions, batch reports and what-ifs, cached per version."""

    def __init__(self, store: Any, settings_root: Path, secret: str) -> None:
        self.store = StoreMarkets(store)
        self.settings_root = settings_root
        self._secret = secret.encode()
        self._markets = _LRU(8)
        self._reports = _LRU(16)
        self._what_ifs = _LRU(64)
        self._refs = _LRU(8)
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()
        self.saving = threading.Lock()

    def _lock(self, key: tuple) -> threading.Lock:
        """One lock per report, so users asking at once share one solve instead of each paying."""
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def latest(self, la_code: str) -> str | None:
        versions = self.store.versions(la_code)
        return versions[-1]["version"] if versions else None

    def market(self, la_code: str) -> Market | None:
        version = self.latest(la_code)
        if version is None:
            return None
        return self._markets.get_or_make((la_code, version),
                                         lambda: self.store.load(la_code, version))

    def settings(self, la_code: str) -> MatchSettings:
        """The council's ``matching.toml`` in its market folder if present (as the CLI does),
        else the defaults."""
        local = self.settings_root / la_code / "matching.toml"
        return load_settings(local if local.exists() else None)

    def batch(self, market: Market, cfg: MatchSettings) -> dict:
        from carewise.matching.report import batch_report

        key = (market.la_code, market.version, cfg.version)
        with self._lock(key):
            return self._reports.get_or_make(key, lambda: batch_report(market, cfg))

    def with_forecast(self, market: Market, cfg: MatchSettings, months: int,
                      data_version: tuple, history: Any) -> dict:
        """Open referrals plus the forecast stream for ``months`` (``history`` is called only
        when the report is not cached: loading the 903 returns is not free)."""
        from carewise.matching.future import expected_flows, forecast_report, referral_stream

        key = (market.la_code, market.version, cfg.version, months, data_version)

        def make() -> dict:
            hist = history()
            flows = expected_flows(hist, months=months, seed=FORECAST_SEED)
            stream = referral_stream(hist, months, seed=FORECAST_SEED,
                                     open_referrals=market.open_referrals(), flows=flows)
            return forecast_report(market, cfg, stream, flows, FORECAST_SEED)

        with self._lock(key):
            return self._reports.get_or_make(key, make)

    def what_if(self, market: Market, cfg: MatchSettings, addition: Addition) -> dict:
        key = (market.la_code, market.version, cfg.version, repr(addition))
        with self._lock(key):
            return self._what_ifs.get_or_make(key, lambda: what_if(market, cfg, [addition]))

    def warm(self, la_code: str) -> None:
        """Solve the new market's sufficiency report in the background after a load, so the
        first person to open the page does not wait for it."""
        def run() -> None:
            try:
                market = self.market(la_code)
                if market is not None:
                    self.batch(market, self.settings(la_code))
            except Exception:  # the page will try again and show the error
                log.exception("warming the sufficiency report failed")

        threading.Thread(target=run, name="carewise-warm-sufficiency", daemon=True).start()

    def invalidate(self) -> None:
        for cache in (self._markets, self._reports, self._what_ifs, self._refs):
            cache.clear()
        with self._guard:
            self._locks.clear()

    # -- referral references: opaque in URLs -------------------------------------------------

    def referral_ref(self, la_code: str, referral_id: str) -> str:
        return hmac.new(self._secret, f"referral:{la_code}:{referral_id}".encode(),
                        hashlib.sha256).hexdigest()[:24]

    def referral_by_ref(self, market: Market, ref: str) -> str | None:
        def make() -> dict[str, str]:
            ids = market.referrals["referral_id"].drop_nulls().to_list()
            return {self.referral_ref(market.la_code, i): i for i in ids}

        refs = self._refs.get_or_make((market.la_code, market.version), make)
        return next((i for r, i in refs.items() if hmac.compare_digest(r, ref)), None)


def matching_data(request: Request) -> MatchingData:
    app = request.app
    data = getattr(app.state, "matching", None)
    if data is None:
        settings = app.state.settings
        data = MatchingData(app.state.store, Path(settings.data_dir) / "market",
                            secret_key(settings.data_dir, settings.secret_key))
        app.state.matching = data
    return data


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """Render with the app's renderer; placement pages hold child-level data: never cached."""
    from carewise.web.rendering import render as _render

    response = _render(request, name, status_code=status_code, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _council(request: Request):
    return getattr(request.state, "council", None)


def _no_data(request: Request) -> Response:
    return render(request, "no_data.html", title="No data yet")


# -- small-number suppression for panel members -------------------------------------------------

def suppress_column(values: list[int], total: int | None = None) -> list[str]:
    """Counts from 1 to 4 become ``x``, and whatever would give one away by subtraction from
    the total (carewise.disclosure)."""
    return current().column(values, total, "panel")


def suppress_linked(values: list[int]) -> list[str]:
    """Figures that add up to each other (before, after, gain): if any is small, all that are
    not 0 are hidden (carewise.disclosure)."""
    return current().linked(values, "panel")


# -- labels ---------------------------------------------------------------------------------------

def _kinds(values: list[str] | None) -> str:
    return ", ".join(KIND_LABELS.get(v, v) for v in values or []) or "not given"


def _needs_expr() -> pl.Expr:
    """A referral's needs as readable text (one column expression, no row loop)."""
    parts = [pl.when(pl.col(f"need_{n}").fill_null(False)).then(pl.lit(SKILL_LABELS[n]))
             for n in NEEDS]
    parts.append(pl.when(pl.col("uasc").fill_null(False))
                 .then(pl.lit("unaccompanied asylum-seeking")))
    return (pl.concat_list(parts).list.drop_nulls().list.join(", ")
            .replace("", "no additional needs"))


def _option_names(market: Market) -> dict[str, dict[str, str | None]]:
    """URN → provider name and Ofsted grade (providers are public; households show their id)."""
    frame = market.providers.select("urn", "name", "ofsted_grade")
    return {u: {"name": n, "grade": g} for u, n, g in frame.iter_rows()}


def _vacancy_urns(market: Market) -> dict[str, str]:
    return dict(market.vacancies.select("vacancy_id", "urn").iter_rows())


# -- the market page and the upload ---------------------------------------------------------------

def _summary(data: MatchingData, market: Market | None) -> dict | None:
    if market is None:
        return None
    from carewise.matching.report import market_summary

    summary = market_summary(market, data.store.versions(market.la_code))
    places = market.vacancies["places"].fill_null(0).sum() if market.vacancies.height else 0
    summary["vacancy_places"] = int(places)
    summary["carer_vacancies"] = int(market.carers["vacancies"].fill_null(0).sum())
    return summary


def _market_page(request: Request, user: User, *, errors: dict[str, str] | None = None,
                 problems: list | None = None, loaded: dict | None = None,
                 status_code: int = 200) -> Response:
    council = _council(request)
    data = matching_data(request)
    market = data.market(council.la_code)
    return render(request, "matching_market.html", status_code=status_code,
                  title="Placements", summary=_summary(data, market), kind_labels=KIND_LABELS,
                  errors=errors or {}, problems=problems or [], loaded=loaded,
                  templates=TEMPLATE_FILES, may_upload=user.role.imports)


@router.get("/placements")
def placements(request: Request, user: User = Depends(children_roles)) -> Response:
    if _council(request) is None:
        return _no_data(request)
    return _market_page(request, user)


@router.post("/placements")
def upload_market(request: Request, files: list[UploadFile] = File(default=[]),
                  csrf_token: str = Form(""), user: User = Depends(import_roles)) -> Response:
    """Check the extracts and store them as a new market version, or store nothing."""
    check_csrf(request, csrf_token)
    council = _council(request)
    if council is None:
        return _no_data(request)
    real = [(f, f.filename) for f in files if f.filename]
    if not real:
        return _market_page(request, user, status_code=400, errors={
            "files": "Select the market extracts to upload (CSV files or an Excel workbook)"})
    data = matching_data(request)
    folder = Path(tempfile.mkdtemp(prefix="carewise-market-"))
    try:
        paths = []
        for f, filename in real:
            path = folder / Path(filename).name
            with path.open("wb") as out:
                shutil.copyfileobj(f.file, out)
            if path.stat().st_size > MAX_UPLOAD_BYTES:
                return _market_page(request, user, status_code=400, errors={
                    "files": f"{path.name} is larger than 50 MB; upload the extracts one at a "
                             "time"})
            paths.append(path)
        try:
            outcome = _load(data, council.la_code, paths, user.username)
        except _Refused as exc:
            audit.record(request.app.state.store, user.username, "import", council=council.la_code,
                         target="market", detail={"stored": False, "files": [p.name for p in paths],
                                                  "errors": exc.errors})
            return _market_page(request, user, status_code=400, errors={"files": exc.message},
                                problems=exc.problems)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    audit.record(request.app.state.store, user.username, "import", council=council.la_code,
                 target="market", detail={"stored": True, "version": outcome["version"],
                                          "loaded": outcome["loaded"],
                                          "files": [p.name for p in paths]})
    data.warm(council.la_code)
    return _market_page(request, user, loaded=outcome)


@dataclass
class _Refused(Exception):
    message: str
    problems: list
    errors: int


def _load(data: MatchingData, la_code: str, paths: list[Path], actor: str) -> dict:
    """``carewise market load`` for the web: check every file, then store all or nothing."""
    from carewise.ingest.problems import Severity
    from carewise.matching import check_extracts
    from carewise.matching.extracts import ExtractError

    previous = data.market(la_code) or Market(la_code)
    known = set(previous.providers["urn"].drop_nulls().to_list())
    try:
        frames, problems = check_extracts(paths, known_urns=known)
    except ExtractError as exc:
        errors = [p for p in exc.problems if p.severity == Severity.ERROR]
        raise _Refused(f"The extracts have {len(errors)} problem(s) listed below. Nothing was "
                       "stored: fix them and upload the files again", exc.problems,
                       len(errors)) from None
    except UserFacingError as exc:
        raise _Refused(str(exc), [], 1) from None
    except Exception as exc:  # only parsing the user's files happens here (xlsx/csv readers)
        log.info("market upload could not be read: %s", type(exc).__name__)  # no file content
        raise _Refused("A file could not be read as CSV or Excel. Save it from the template as "
                       ".csv (UTF-8) or .xlsx and upload it again", [], 1) from None
    if not frames:
        raise _Refused("None of the files is a market extract. Name them carers, providers, "
                       "vacancies or referrals, as in the templates", [], 1)
    with data.saving:  # two loads at once must not both take the next version number
        market = (data.market(la_code) or Market(la_code)).with_tables(frames)
        version = data.store.save(market, actor=actor, sources=paths, loaded=sorted(frames),
                                  problems=[p.as_dict() for p in problems
                                            if p.severity == Severity.WARNING])
        data.invalidate()
    return {
        "version": version,
        "loaded": {k: v.height for k, v in frames.items()},
        "carried_forward": sorted(set(TABLES) - set(frames)) if previous.version else [],
        "warnings": [p for p in problems if p.severity == Severity.WARNING],
    }


_TEMPLATES: dict[str, bytes] = {}


@router.get("/placements/templates/{name}")
def template_file(request: Request, name: str, user: User = Depends(current_user)) -> Response:
    """The blank extract templates (the same files as ``carewise market template``)."""
    if name not in TEMPLATE_FILES:
        raise HTTPException(404)
    if not _TEMPLATES:
        from carewise.matching import write_templates

        with tempfile.TemporaryDirectory(prefix="carewise-templates-") as tmp:
            for path in write_templates(Path(tmp)):
                _TEMPLATES[path.name] = path.read_bytes()
    types = {".csv": "text/csv; charset=utf-8", ".md": "text/markdown; charset=utf-8",
             ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    return Response(_TEMPLATES[name], media_type=types[Path(name).suffix],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# -- referrals and the shortlist --------------------------------------------------------------

def _market_or_page(request: Request) -> Market | Response:
    """The council's current market, or the page to show instead (no data, no market)."""
    council = _council(request)
    if council is None:
        return _no_data(request)
    market = matching_data(request).market(council.la_code)
    if market is None:
        return render(request, "matching_no_market.html", title="No market loaded")
    return market


@router.get("/placements/referrals")
def referrals(request: Request, user: User = Depends(children_roles)) -> Response:
    market = _market_or_page(request)
    if isinstance(market, Response):
        return market
    data = matching_data(request)
    urgency = pl.col("urgency").replace_strict(
        {"today": 0, "within_5_days": 1, "over_5_days": 2}, default=3, return_dtype=pl.Int8)
    frame = (market.open_referrals()
             .with_columns(_needs_expr().alias("needs"), urgency.alias("_urgency"))
             .sort("_urgency", "date_needed", "referral_id"))
    rows = [
        {"ref": data.referral_ref(market.la_code, r["referral_id"]), "id": r["referral_id"],
         "age": r["age"], "sex": r["sex"], "needs": r["needs"],
         "types": _kinds(r["placement_types"]),
         "urgency": URGENCY_LABELS.get(r["urgency"], r["urgency"] or ""),
         "needed": r["date_needed"], "siblings": r["sibling_group_size"] or 1,
         "together": bool(r["siblings_together_required"])}
        for r in frame.iter_rows(named=True)
    ]
    audit.record(request.app.state.store, user.username, "view-referral-list",
                 council=market.la_code, detail={"market_version": market.version,
                                                 "referrals": len(rows)})
    return render(request, "matching_referrals.html", title="Open referrals", rows=rows,
                  market=market)


@router.get("/placements/referrals/{ref}")
def referral_shortlist(request: Request, ref: str, show: str = "",
                       user: User = Depends(children_roles)) -> Response:
    if len(ref) != 24 or not all(c in "0123456789abcdef" for c in ref):
        raise HTTPException(404)
    market = _market_or_page(request)
    if isinstance(market, Response):
        return market
    data = matching_data(request)
    referral_id = data.referral_by_ref(market, ref)
    if referral_id is None:
        raise HTTPException(404)
    cfg = data.settings(market.la_code)
    show_all = show == "all"
    found = shortlist(market, referral_id, cfg, limit=None if show_all else SHOWN_CANDIDATES)
    shown = found.as_dict(limit=None if show_all else SHOWN_CANDIDATES,
                          excluded_limit=SHOWN_EXCLUDED)
    audit.record(request.app.state.store, user.username, "shortlist", council=market.la_code,
                 target=f"referral:{referral_id}", detail={
                     "ref": ref, "market_version": market.version,
                     "settings_version": cfg.version,
                     "shown": [c["option_id"] for c in shown["candidates"]],
                     "scores": [c["score"] for c in shown["candidates"]],
                     "excluded_count": shown["excluded_count"]})
    referral = (market.referrals.filter(pl.col("referral_id") == referral_id)
                .with_columns(_needs_expr().alias("needs")).row(0, named=True))
    names, urns = _option_names(market), _vacancy_urns(market)
    for c in shown["candidates"]:
        c["name"] = _candidate_name(c, names)
        c["grade"] = (names.get(c["urn"]) or {}).get("grade") if c["urn"] else None
    for e in shown["excluded"]:
        e["name"] = _candidate_name(dict(e, urn=urns.get(e["option_id"], e["option_id"])), names)
        e["reason_texts"] = [REASONS.get(r, r) for r in e["reasons"]]
    applies = [k for k in (shown["candidates"][0]["criteria"] if shown["candidates"] else [])
               if k["weight"] > 0]
    funnel = sorted(shown["funnel"], key=lambda f: (-f["excluded"], -f["only_reason"]))
    worst = found.most_excluding
    return render(request, "matching_shortlist.html", title=f"Shortlist for referral {referral_id}",
                  referral=referral, referral_id=referral_id, ref=ref, s=shown, funnel=funnel,
                  worst=worst, applies=[a["criterion"] for a in applies],
                  criteria_labels={c.name: c.label for c in CRITERIA_RULES},
                  show_all=show_all, limit=SHOWN_CANDIDATES, excluded_limit=SHOWN_EXCLUDED,
                  kind_labels=KIND_LABELS,
                  locality_labels=LOCALITY_LABELS, urgency_labels=URGENCY_LABELS,
                  kinds=_kinds(referral["placement_types"]))


def _candidate_name(c: dict, names: dict[str, dict]) -> str:
    if c["kind"] == "in_house_fostering":
        return f"Household {c['option_id']}"
    if c["urn"] and c["urn"] in names:
        name = names[c["urn"]]["name"] or c["urn"]
        if c["option_id"] == c["urn"]:
            return f"{name} ({c['urn']})"
        return f"{name}, vacancy {c['option_id']}"
    return str(c["option_id"])


# -- sufficiency and what-if -----------------------------------------------------------------

@dataclass
class WhatIfForm:
    kind: str = "in_house_fostering"
    count: str = ""
    places: str = "1"
    min_age: str = "0"
    max_age: str = "17"
    skills: tuple[str, ...] = ()

    def parse(self) -> tuple[Addition | None, dict[str, str]]:
        """The addition the form describes, or the errors to show next to each field."""
        errors: dict[str, str] = {}

        def whole(name: str, label: str, low: int, high: int) -> int | None:
            text = getattr(self, name).strip()
            if not text:
                errors[name] = f"Enter {label}"
                return None
            if not text.isdigit() or not low <= int(text) <= high:
                errors[name] = (f"{label[0].upper()}{label[1:]} must be a whole number from "
                                f"{low} to {high}")
                return None
            return int(text)

        if self.kind not in OPTION_KINDS:
            errors["kind"] = "Choose the type of placement to add"
        count = whole("count", "how many to add", 1, 500)
        places = whole("places", "the places each one offers", 1, 12)
        lo = whole("min_age", "the youngest age", 0, 17)
        hi = whole("max_age", "the oldest age", 0, 17)
        if lo is not None and hi is not None and lo > hi:
            errors["max_age"] = "The oldest age must be the same as or more than the youngest age"
        bad = [s for s in self.skills if s not in SKILLS]
        if bad:
            errors["skills"] = "Choose skills from the list"
        if errors or count is None or places is None or lo is None or hi is None:
            return None, errors  # whole() gives None only after recording an error
        return Addition(kind=self.kind, count=count, places=places, min_age=lo, max_age=hi,
                        skills=[s for s in SKILLS if s in self.skills]), {}


def _groups_view(groups: list[dict], panel: bool, total_unmet: int) -> list[dict]:
    """Unmet-need rows for the page; for panel members, counts suppressed."""
    rows = [{"age_group": g["age_group"] or "age not known",
             "main_need": SKILL_LABELS.get(g["main_need"], g["main_need"]),
             "placement_type": KIND_LABELS.get(g["placement_type"], g["placement_type"] or ""),
             "referrals": str(g["referrals"]), "children": str(g["children"]),
             "nothing_fits": str(g["nothing_fits"]), "outcompeted": str(g["outcompeted"]),
             "binding": REASONS.get(g["binding_constraint"] or "", "none"),
             "referral_ids": [r for r in g["referral_id"] if not r.startswith(ID_PREFIX)]}
            for g in groups]
    if panel:
        children_total = sum(g["children"] for g in groups)
        for col, total in (("referrals", total_unmet), ("children", children_total)):
            for row, value in zip(rows, suppress_column([g[col] for g in groups], total),
                                  strict=True):
                row[col] = value
        for row in rows:
            row["referral_ids"] = []
    return rows


def _ages(low: int, high: int) -> str:
    if high == 0:
        return "under 1"
    return str(low) if low == high else f"{low} to {high}"


def _suggestion_view(p: dict, panel: bool) -> dict:
    """A tested capacity suggestion; for panel members the option count (the size of the
    group it was shaped on) and the number it would meet are suppressed when small."""
    a = p["addition"]
    count = str(a["count"]) if not panel or not current().small(a["count"]) else "x"
    kind = KIND_LABELS.get(a["kind"], a["kind"]).lower()
    each = "one place each" if a["places"] == 1 else f"{a['places']} places each"
    meets = p["would_meet"]
    return {"capacity": f"{count} more {kind} ({each})",
            "ages": _ages(a["min_age"], a["max_age"]),
            "skills": (", ".join(SKILL_LABELS.get(x, x) for x in a["skills"])
                       or "none in particular"),
            "for_group": ", ".join((
                p["for_group"]["age_group"] or "age not known",
                SKILL_LABELS.get(p["for_group"]["main_need"], p["for_group"]["main_need"]),
                KIND_LABELS.get(p["for_group"]["placement_type"],
                                p["for_group"]["placement_type"] or ""))),
            "would_meet": str(meets) if not panel or not current().small(meets) else "x"}


@router.get("/placements/sufficiency")
def sufficiency(request: Request, kind: str = "in_house_fostering", count: str = "",
                places: str = "1", min_age: str = "0", max_age: str = "17",
                skills: Annotated[list[str] | None, Query()] = None, run: str = "",
                expected: str = "", user: User = Depends(current_user)) -> Response:
    market = _market_or_page(request)
    if isinstance(market, Response):
        return market
    panel = not user.role.sees_children
    if market.open_referrals().height == 0 or market.options().height == 0:
        missing = "open referrals" if market.open_referrals().height == 0 else "carers or providers"
        return render(request, "matching_no_market.html", title="Nothing to allocate yet",
                      message=f"Market {market.version} has no {missing}, so there is nothing to "
                              "allocate. Upload the missing extracts on the Placements page.")
    data = matching_data(request)
    cfg = data.settings(market.la_code)
    expected = expected if expected in EXPECTED_MONTHS else ""
    report, forecast_problem = data.batch(market, cfg), None
    if expected:
        app_data = request.app.state.data
        try:
            report = data.with_forecast(market, cfg, int(expected),
                                        app_data.version(market.la_code),
                                        lambda: app_data.history(market.la_code))
        except UserFacingError as exc:
            forecast_problem = (f"Expected referrals cannot be forecast: {exc} The figures are "
                                "for open referrals only.")
            expected = ""
    s = report["summary"]
    form = WhatIfForm(kind, count, places, min_age, max_age, tuple(skills or ()))
    errors: dict[str, str] = {}
    result = None
    if run:
        addition, errors = form.parse()
        if addition is not None:
            result = _what_if_view(data.what_if(market, cfg, addition), panel, addition)
    if panel:
        referrals, met, unmet = suppress_linked([s["referrals"], s["met"], s["unmet"]])
        # met − met most urgent first = extra: hide the pair if either is small, and both if
        # met is hidden, so none can be worked out from the others
        greedy_met, greedy_unmet, extra = suppress_linked(
            [s["greedy_met"], s["greedy_unmet"], s["extra_met_vs_greedy"]])
        if met == "x":
            greedy_met = greedy_unmet = extra = "x" if s["greedy_met"] else "0"
    else:
        referrals, met, unmet = str(s["referrals"]), str(s["met"]), str(s["unmet"])
        greedy_met, greedy_unmet = str(s["greedy_met"]), str(s["greedy_unmet"])
        extra = str(s["extra_met_vs_greedy"])
    split = _split_view(report.get("unmet_split"), panel)
    commissioning = _commissioning_view(report.get("commissioning"), panel)
    plan = []
    if not panel:
        plan = [dict(a, ref=data.referral_ref(market.la_code, a["referral_id"]), why=_why(a))
                for a in report["assignments"] if a.get("status", "open") == "open"]
        audit.record(request.app.state.store, user.username, "view-referral-list",
                     council=market.la_code, detail={"market_version": market.version,
                                                     "page": "sufficiency",
                                                     "referrals": len(plan)})
    return render(
        request, "matching_sufficiency.html", status_code=400 if errors else 200,
        title="Placement sufficiency", market=market, panel=panel,
        figures={"referrals": referrals, "met": met, "unmet": unmet, "greedy_met": greedy_met,
                 "greedy_unmet": greedy_unmet, "extra": extra},
        summary=s, groups=_groups_view(report["unmet_groups"], panel, s["unmet"]),
        suggestions=[_suggestion_view(p, panel) for p in report["suggestions"]],
        plan=plan, form=form, errors=errors, result=result, kind_labels=KIND_LABELS,
        expected=expected, expected_months=EXPECTED_MONTHS, split=split,
        commissioning=commissioning,
        forecast=report.get("forecast"), forecast_problem=forecast_problem,
        skill_labels=SKILL_LABELS, option_kinds=OPTION_KINDS, skills=SKILLS,
        ref_for=lambda rid: data.referral_ref(market.la_code, rid),
    )


def _commissioning_view(c: dict | None, panel: bool) -> dict | None:
    """The allocation's commissioning figures, in children (panel: counts 1 to 4 hidden)."""
    if c is None:
        return None
    f = c["fostering"]

    def n(value: int) -> str:
        return suppress_linked([value])[0] if panel else str(value)

    return {
        "placed": n(c["children_placed"]), "unmet": n(c["children_unmet"]),
        "in_house": n(f["children_in_house"]), "agency": n(f["children_agency"]),
        "share": "not known" if f["in_house_share"] is None else f"{f['in_house_share']:.0%}",
        "target": f"{f['target']:.0%}", "gap": n(f["gap_children"] or 0),
        "over_20": n(c["over_20_miles"]), "out_of_area": n(c["out_of_area"]),
        "at_a_distance": n(c["at_a_distance"]),
        "weekly_cost": f"£{c['weekly_cost']:,.0f}",
    }


def _split_view(split: dict | None, panel: bool) -> dict | None:
    """Unmet need open today and expected, as shown (panel: small counts hidden, and so is
    any count that could be worked out from the others)."""
    if split is None:
        return None
    today, later = split["open_today"], split["expected"]
    values = [today["referrals"], today["unmet"], later["referrals"], later["unmet"]]
    shown = suppress_linked(values) if panel else [str(v) for v in values]
    return dict(zip(("today_referrals", "today_unmet", "expected_referrals", "expected_unmet"),
                    shown, strict=True))


def _why(a: dict) -> str | None:
    """Why a referral is unmet in the allocation; when nothing fits, the rule that excluded most."""
    if a["met"]:
        return None
    if a["feasible_options"] == 0 and a.get("binding_constraint"):
        return (f"{a['why_unmet']} (the rule that binds: "
                f"{REASONS.get(a['binding_constraint'], a['binding_constraint'])})")
    return a["why_unmet"]


def _describe(a: Addition) -> str:
    kind = KIND_LABELS.get(a.kind, a.kind).lower()
    each = "one place" if a.places == 1 else f"{a.places} places"
    skills = ", ".join(SKILL_LABELS.get(x, x) for x in a.skills)
    return (f"{a.count} more {kind} option{'' if a.count == 1 else 's'} with {each} each, "
            f"for ages {_ages(a.min_age, a.max_age)}"
            + (f", with skills in {skills}" if skills else ", with no particular skills"))


def _what_if_view(result: dict, panel: bool, addition: Addition) -> dict:
    before, after = result["before"], result["after"]
    if panel:
        b_met, a_met, gain = suppress_linked([before["met"], after["met"], result["met_gain"]])
        b_unmet, a_unmet = suppress_linked([before["unmet"], after["unmet"]])
    else:
        b_met, a_met, gain = str(before["met"]), str(after["met"]), str(result["met_gain"])
        b_unmet, a_unmet = str(before["unmet"]), str(after["unmet"])
    return {
        "description": _describe(addition),
        "before_met": b_met, "after_met": a_met, "gain": gain, "gain_value": result["met_gain"],
        "before_unmet": b_unmet, "after_unmet": a_unmet,
        "score_gain": result["score_gain"], "places_used": result["hypothetical_places_used"],
        "groups_after": _groups_view(result["unmet_groups_after"], panel, after["unmet"]),
        "newly_met": [] if panel else result["newly_met"],
    }
