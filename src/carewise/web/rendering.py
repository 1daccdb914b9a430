"""Rendering for the web pages: the Jinja environment with its filters, ``render`` and table
downloads. Page modules import this; it imports no page module (nor ``app``), so the web package
has no import circle (checked by the "web" contract in .importlinter)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape

from carewise.web.security import csrf_token


def code_label(code: str | None, field: str, year: int | None = None) -> str:
    """A 903 code with its meaning, as an analyst reads it: "U4 – Foster placement with …"."""
    if not code:
        return ""
    from carewise.codes.lists import label

    meaning = label(field, code, year if year is not None else 2024)
    return f"{code} – {meaning}" if meaning else code


def templates() -> Environment:
    env = Environment(
        loader=ChoiceLoader([
            PackageLoader("carewise.web", "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda v: "–" if v is None else f"{v:,.0f}"
    env.filters["code_label"] = code_label
    env.globals["comparator_value"] = comparator_value
    env.globals["comparator_label"] = comparator_label
    env.globals["own_published"] = OWN_PUBLISHED
    return env


OWN_PUBLISHED = "Published (this council)"
"""The label ``carewise.benchmarks.published`` gives a council's own DfE figure."""


def comparator_label(comparator: dict[str, Any], council: Any) -> str:
    """A comparator's label; beside a synthetic council's made-up figures, the council's own
    published figure is named for what it is: the real council's DfE figure, not a check on these."""
    label = comparator.get("label") or ""
    if label != OWN_PUBLISHED or not getattr(council, "synthetic", False):
        return label
    from carewise.geo import la_name

    real = la_name(comparator.get("area_code") or council.la_code)
    return f"Published figure for the real {real} (your data here is synthetic)"


def comparator_value(comparator: dict[str, Any], result: Any) -> str:
    """A published comparator shown like the council's own figure (a count as 337, not 337.0)."""
    from carewise.measures.model import format_value

    if comparator.get("value") is None:
        return "not published"
    return format_value(comparator["value"], result.kind, result.per)


PER_PAGE = 50
"""Rows per page of a long list (children, worklists): a council's 1,000 children are not one page."""


def paginate(frame: Any, page: int, size: int = PER_PAGE) -> tuple[Any, int, int]:
    """One page of a frame's rows: ``(rows, page, pages)``, the page kept within 1..pages."""
    pages = max(1, -(-frame.height // size))
    page = min(max(page, 1), pages)
    return frame.slice((page - 1) * size, size), page, pages


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with what every page needs: the user, council, CSRF token and CSP nonce."""
    env: Environment = request.app.state.templates
    user = getattr(request.state, "user", None)
    html = env.get_template(name).render(
        request=request,
        user=user,
        council=getattr(request.state, "council", None),
        councils=getattr(request.state, "councils", []),
        csrf_token=csrf_token(request) if "session" in request.scope else "",
        cspNonce=getattr(request.state, "csp_nonce", None),
        path=request.url.path,
        sso_enabled=bool(request.app.state.settings.oidc_metadata_url),
        disclosure=request.app.state.data.policy,  # its threshold and small_range for page text
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def frame_download(frame: Any, stem: str, format: str, sheet: str,
                   about: list[tuple[str, str]] | None = None) -> Response:
    """A table as a CSV (default) or Excel download, written through ``carewise.exports`` so no
    cell can run as a formula; ``about`` (period, filters, audience…) goes on the workbook's
    About sheet (a CSV has nowhere to carry it but its name)."""
    from carewise.exports import frame_csv, frame_xlsx

    if format == "xlsx":
        return Response(frame_xlsx(frame, sheet, about or ()),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'})
    return Response(frame_csv(frame), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'})
