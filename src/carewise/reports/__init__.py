"""The corporate parenting panel pack: HTML for screens, PDF for papers, Excel for analysts.

Public face:

- ``build_pack(history, period, la_code, audience, formats, out_dir) -> list[Path]``;
- ``pack_data(...)`` (the figures) and ``build_sections(data)`` (the content), for the web app;
- ``section(id, title, order)``: register a section (compliance pledges, forecasts …);
- the block types in ``reports.model``.
"""

from carewise.reports.build import (
    FORMATS,
    build_pack,
    build_sections,
    pack_data,
    parse_formats,
    steps_for,
)
from carewise.reports.model import Cell, ChartBlock, Headline, PackData, Section, TableBlock
from carewise.reports.sections import SECTIONS, section

__all__ = [
    "FORMATS",
    "SECTIONS",
    "Cell",
    "ChartBlock",
    "Headline",
    "PackData",
    "Section",
    "TableBlock",
    "build_pack",
    "build_sections",
    "pack_data",
    "parse_formats",
    "section",
    "steps_for",
]
