"""Build the corporate parenting panel pack: figures once, then every format from them."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from carewise.disclosure import UnpublishedPeriodError
from carewise.errors import UserFacingError
from carewise.history import History
from carewise.measures import MEASURES, MeasureResult, Options, evaluate, parse_period
from carewise.measures.period import Period, add_months, month_end, quarter_containing, snapshot
from carewise.reports.model import PackData, Section
from carewise.reports.sections import ordered

FORMATS = ("html", "pdf", "xlsx")
TREND_QUARTERS = 12

Step = Callable[[str], None]


class BadFormatError(UserFacingError):
    exit_code = 2


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise BadFormatError(
            f"unknown format(s) {', '.join(bad) or '(none)'}: use html, pdf, xlsx (comma-separated)"
        )
    return formats


def _council_name(la_code: str | None) -> str:
    if not la_code:
        return "Council"
    try:
        from carewise.geo import la_name

        return la_name(la_code) or la_code
    except Exception:  # noqa: BLE001 - the name is only a label
        return la_code


def _quarter_ends(history: History, end: date) -> list[date]:
    first = history.first_date
    out = []
    day = end
    for _ in range(TREND_QUARTERS):
        if first is None or day < first:
            break
        out.append(day)
        day = month_end(add_months(day, -3))
    return sorted(out)


def _by_id(results: list[MeasureResult]) -> dict[str, MeasureResult]:
    return {r.id: r for r in results}


def _safe(
    history: History, period: Period, la_code: str | None, audience: str, options: Options, **kw
) -> dict[str, MeasureResult]:
    """Figures for an earlier period; empty when it falls before the data, or when it is not a
    period the audience is given figures for (carewise.disclosure: years and quarters only)."""
    first = history.first_date
    if first is None or period.end < first:
        return {}
    try:
        return _by_id(evaluate(history, period, la_code, audience, options=options, **kw))
    except UnpublishedPeriodError:
        return {}


def _is_synthetic(store: object | None, la_code: str | None) -> bool:
    """Whether the stored council is synthetic (``Council.synthetic``); False without a store."""
    lookup = getattr(store, "council", None)
    if lookup is None or not la_code:
        return False
    try:
        return bool(lookup(la_code).synthetic)
    except Exception:  # noqa: BLE001 - a council not stored (files only) is not known synthetic
        return False


def pack_data(
    history: History,
    period: Period | str,
    la_code: str | None,
    audience: str,
    options: Options | None = None,
    step: Step | None = None,
    store: object | None = None,
    synthetic: bool | None = None,
) -> PackData:
    """Every figure the pack shows, evaluated with the audience's disclosure control.

    ``store`` is the database the history came from: sections built on local extracts
    (compliance, pledges) read from it. ``synthetic`` (default: the stored council's flag)
    labels every page of the pack as synthetic data.
    """
    opts = options or Options()
    the_period = parse_period(period)
    tell = step or (lambda _msg: None)
    tell("Figures for the period")
    current = _by_id(evaluate(history, the_period, la_code, audience, options=opts))
    tell("Figures a quarter and a year earlier")
    last_quarter = _safe(history, the_period.shifted(-3), la_code, audience, opts)
    last_year = _safe(history, the_period.shifted(-12), la_code, audience, opts)
    tell("Quarterly trend")
    trend = []
    at_date = [
        m.id
        for m in MEASURES.values()
        if m.id in ("cla_at_date", "cla_rate_per_10k", "uasc_at_date")
    ]
    for day in _quarter_ends(history, the_period.end):
        res = _by_id(
            evaluate(
                history,
                snapshot(day),
                la_code,
                audience,
                ids=at_date,
                options=opts,
                with_comparators=False,
            )
        )
        qp = quarter_containing(day)
        if qp.end == day and history.first_date and qp.start >= history.first_date:
            flows = _by_id(
                evaluate(
                    history,
                    qp,
                    la_code,
                    audience,
                    ids=["started_in_period", "ceased_in_period"],
                    options=opts,
                    with_comparators=False,
                )
            )
            res["started_in_quarter"] = flows["started_in_period"]
            res["ceased_in_quarter"] = flows["ceased_in_period"]
        trend.append((day, res))
    return PackData(
        la_code=la_code,
        council_name=_council_name(la_code),
        period=the_period,
        audience=audience,
        current=current,
        last_quarter=last_quarter,
        last_year=last_year,
        trend=trend,
        generated=date.today(),
        extra={"in_house_target": opts.foster_in_house_target, "history": history, "store": store},
        synthetic=_is_synthetic(store, la_code) if synthetic is None else synthetic,
    )


SECTION_MODULES = (
    "carewise.reports.builtin",
    "carewise.reports.compliance",
    "carewise.reports.forecast",
    "carewise.reports.voice",
)
"""Modules whose ``@section`` declarations make up the pack (importing one registers its sections)."""


def _register_sections() -> None:
    """Import every module in :data:`SECTION_MODULES`, so the registry holds the whole pack."""
    for module in SECTION_MODULES:
        importlib.import_module(module)


def build_sections(data: PackData, step: Step | None = None) -> list[Section]:
    """The audience's sections in order. A section with no data for the period is left out and
    named in ``data.extra["left_out"]`` (the front page says so plainly)."""
    _register_sections()
    out = []
    left_out: list[str] = []
    data.extra["left_out"] = left_out
    for spec in ordered():
        if step:
            step(f"Section: {spec.title}")
        if not spec.for_audience(data.audience):
            continue
        built = spec.build(data)
        if built is not None:
            out.append(built)
        else:
            left_out.append(spec.title)
    return out


def build_pack(
    history: History,
    period: Period | str,
    la_code: str | None,
    audience: str,
    formats: list[str] | str,
    out_dir: Path,
    options: Options | None = None,
    step: Step | None = None,
    store: object | None = None,
    synthetic: bool | None = None,
) -> list[Path]:
    """Write the pack in each format to ``out_dir``; returns the files written."""
    fmts = parse_formats(formats) if isinstance(formats, str) else formats
    data = pack_data(history, period, la_code, audience, options, step, store, synthetic)
    sections = build_sections(data, step)
    out_dir.mkdir(parents=True, exist_ok=True)
    kind = "synthetic-panel-pack" if data.synthetic else "panel-pack"
    stem = f"{kind}-{la_code or 'council'}-{data.period.label}-{audience}".replace(
        " ", "-"
    ).replace(":", "-")
    written: list[Path] = []
    html = None
    if "html" in fmts or "pdf" in fmts:
        from carewise.reports.render_html import render_html

        html = render_html(data, sections)
    if "html" in fmts and html is not None:
        if step:
            step("Writing HTML")
        path = out_dir / f"{stem}.html"
        path.write_text(html, encoding="utf-8")
        written.append(path)
    if "pdf" in fmts and html is not None:
        if step:
            step("Writing PDF")
        from carewise.reports.render_pdf import write_pdf

        written.append(write_pdf(data, sections, out_dir / f"{stem}.pdf"))
    if "xlsx" in fmts:
        if step:
            step("Writing Excel")
        from carewise.reports.render_xlsx import render_xlsx

        written.append(render_xlsx(data, sections, out_dir / f"{stem}.xlsx"))
    return written


def steps_for(formats: list[str]) -> int:
    """How many progress steps :func:`build_pack` reports (for a progress bar).

    Three for the figures, one per registered section (built-in, compliance and forecast:
    :func:`build_sections` calls ``step`` for each, even one that leaves itself out) and one per
    format written.
    """
    _register_sections()
    return 3 + len(ordered()) + len(formats)
