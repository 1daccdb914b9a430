"""Write a return as the 903 XML layout that :mod:`carewise.ingest.xml_reader` reads.

One ``<CHILD>`` per child, in the order children first appear (header first, then any
table); inside it ``<HEADER>`` with the header, UASC, OC3 and AD1 fields and the
``AREVIEW``, ``AMISSING``, ``PERMANENCE``, ``OC2`` and ``AD_PLACED`` groups, then the
``EPISODE``, ``SWEPISODE`` and ``DOLO`` groups. Text is written exactly as held in
``ret.raw`` (blank values as empty elements), so reading the file back gives the same
raw tables whenever each table's rows are already grouped child by child (the usual
export order). See ``docs/903-xml.md``.

What XML cannot carry: the UASC, OC3 and AD1 tables' own copies of DOB/SEX (they are
read back from the header) and a second OC3/AD1/UASC row for one child.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from lxml import etree

from carewise.returns.model import ROW, Return

HEADER_FIELDS = ("CHILD", "UPN", "SEX", "DOB", "ETHNIC", "UASC", "DUC", "MOTHER", "MC_DOB")
_HEADER_TAIL = (
    "IN_TOUCH", "ACTIV", "ACCOM",
    "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR",
)
_HEADER_GROUPS = (
    ("reviews", "AREVIEW"),
    ("missing", "AMISSING"),
    ("previous_permanence", "PERMANENCE"),
    ("oc2", "OC2"),
    ("placed_for_adoption", "AD_PLACED"),
)
_CHILD_GROUPS = (("episodes", "EPISODE"), ("social_worker_episodes", "SWEPISODE"), ("dolo", "DOLO"))
_TAG_FOR_COLUMN = {"CHILD": "CHILDID", "PLACE": "PL"}
_SHARED = {"CHILD", "DOB"}
"""Columns every group takes from the header, so they are not repeated in groups."""


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _leaf(parent: etree._Element, column: str, value: object) -> None:
    el = etree.SubElement(parent, _TAG_FOR_COLUMN.get(column, column))
    text = _text(value)
    if text is not None:
        el.text = text


def _by_child(frame: pl.DataFrame) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in frame.sort(ROW).iter_rows(named=True):
        out.setdefault(row.get("CHILD") or "", []).append(row)
    return out


def to_xml_bytes(ret: Return) -> bytes:
    """The return as 903 XML (UTF-8)."""
    tables = {name: _by_child(frame) for name, frame in ret.raw.items()}
    order: list[str] = []
    seen: set[str] = set()
    for name in ("header", *ret.raw):
        for child in tables.get(name, {}):
            if child not in seen:
                seen.add(child)
                order.append(child)
    root = etree.Element("EXPSSDA903")
    for child_id in order:
        child_el = etree.SubElement(root, "CHILD")
        header_rows = tables.get("header", {}).get(child_id, [])
        direct: dict[str, object] = dict(header_rows[0]) if header_rows else {}
        for name in ("uasc", "oc3", "ad1"):
            rows = tables.get(name, {}).get(child_id, [])
            if rows:
                for k, v in rows[0].items():
                    if k not in (ROW, "CHILD", "DOB", "SEX") or k not in direct:
                        direct.setdefault(k, v)
        has_header = bool(header_rows) or any(tables.get(n, {}).get(child_id) for n in ("uasc", "oc3", "ad1"))
        groups_here = [g for g in _HEADER_GROUPS if tables.get(g[0], {}).get(child_id)]
        if has_header or groups_here:
            header_el = etree.SubElement(child_el, "HEADER")
            cols = HEADER_FIELDS if header_rows else ("CHILD",)
            for col in cols:
                if col in direct or col in ("CHILD",):
                    _leaf(header_el, col, direct.get(col, child_id if col == "CHILD" else None))
            if not header_rows:
                # Without a header row the DOB/SEX of UASC/OC3/AD1 rows still need a home.
                for col in ("SEX", "DOB"):
                    if direct.get(col) is not None:
                        _leaf(header_el, col, direct[col])
            for col in _HEADER_TAIL:
                if col in direct:
                    _leaf(header_el, col, direct[col])
            for table, tag in groups_here:
                for row in tables[table][child_id]:
                    _group(header_el, tag, row, direct)
        for table, tag in _CHILD_GROUPS:
            for row in tables.get(table, {}).get(child_id, []):
                _group(child_el, tag, row, direct)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _group(parent: etree._Element, tag: str, row: dict, direct: dict) -> None:
    el = etree.SubElement(parent, tag)
    for col, value in row.items():
        if col == ROW:
            continue
        # CHILD and DOB come from the header; keep a group's own value only when it differs.
        if col in _SHARED and value == direct.get(col):
            continue
        _leaf(el, col, value)


def write_xml(ret: Return, path: str | Path) -> Path:
    """Write the return as one 903 XML file."""
    out = Path(path)
    out.write_bytes(to_xml_bytes(ret))
    return out
