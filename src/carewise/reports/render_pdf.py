"""The pack as a tagged PDF (PDF/UA-1): the printable HTML drawn by weasyprint with its structure
kept — headings, lists, tables with header cells, figures with their alternate text — and the
document's language and title, so a screen reader can read the papers a panel is sent."""

from __future__ import annotations

from pathlib import Path

from carewise.reports.model import PackData, Section

PDF_VARIANT = "pdf/ua-1"
"""weasyprint's PDF/UA-1 output: a tagged PDF (structure tree, ``/Lang``, ``/MarkInfo``), with the
title shown in the viewer's title bar."""


def write_pdf(data: PackData, sections: list[Section], path: Path) -> Path:
    """Write the printable pack to ``path`` as a tagged PDF; returns ``path``."""
    from weasyprint import HTML

    from carewise.reports.render_html import render_html

    printable = render_html(data, sections, for_print=True)
    HTML(string=printable, base_url=str(path.parent)).write_pdf(
        str(path), pdf_variant=PDF_VARIANT, pdf_tags=True
    )
    return path
