"""Read the 903 XML file councils' systems export into the same tables as the CSV files.

Layout (see ``docs/903-xml.md``): ``<EXPSSDA903>`` holds one ``<CHILD>`` per
child. ``<HEADER>`` holds the child's header fields (``CHILDID`` is CHILD) and,
as direct fields, the UASC (``DUC``), OC3 (``IN_TOUCH``, ``ACTIV``, ``ACCOM``)
and AD1 fields; repeated groups inside ``<HEADER>`` or ``<CHILD>`` hold the
other tables (``AREVIEW`` reviews, ``AMISSING`` missing, ``PERMANENCE``,
``OC2``, ``AD_PLACED`` placed for adoption, ``EPISODE`` episodes with ``PL`` for
PLACE, social-worker episodes and DoLOs). Groups are recognised by the fields
they hold, like CSV headers, so systems' differing group names still read.

Rows are numbered in document order per table, so a child's rows carry the same
``_row`` as in the CSV files written from the same data.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import polars as pl
from lxml import etree

from carewise.ingest.csv_reader import date_problems, identify, normalise_column
from carewise.ingest.problems import Problem, error
from carewise.returns.model import ROW, Return, SourceFile
from carewise.returns.tables import TABLES
from carewise.returns.years import CollectionYear

_HEADER_DIRECT = {
    "uasc": ("DUC",),
    "oc3": ("IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
}


def _leaf_fields(element: etree._Element) -> dict[str, str | None]:
    fields: dict[str, str | None] = {}
    for child in element:
        if not isinstance(child.tag, str) or len(child):
            continue
        text = child.text.strip() if child.text and child.text.strip() else None
        fields[normalise_column(child.tag)] = text
    return fields


def read_xml_bytes(data: bytes, file: str, year: CollectionYear | None = None) -> tuple[Return | None, list[Problem]]:
    """Read 903 XML content; problems name the file and, where known, the line."""
    problems: list[Problem] = []
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        return None, [error(file, f"this is not well-formed XML ({exc.msg})",
                            "Export the 903 XML file again; it may be cut short.", row=line)]
    except ValueError as exc:
        return None, [error(file, f"this is not a readable XML file ({exc})", "Export the 903 XML file again.")]
    children = [c for c in root if isinstance(c.tag, str) and c.tag.upper() == "CHILD"]
    if not children:
        return None, [error(file, "the XML file holds no <CHILD> records",
                            "Check this is the 903 XML export (root element EXPSSDA903).")]
    rows: dict[str, list[dict[str, str | None]]] = defaultdict(list)
    for child in children:
        header_el = next((c for c in child if isinstance(c.tag, str) and c.tag.upper() == "HEADER"), None)
        direct = _leaf_fields(header_el) if header_el is not None else {}
        direct.update({k: v for k, v in _leaf_fields(child).items() if k not in direct})
        child_id = direct.get("CHILD")
        dob = direct.get("DOB")
        header_row = {c: direct.get(c) for c in TABLES["header"].all_columns}
        rows["header"].append(header_row)
        for table, fields in _HEADER_DIRECT.items():
            if any(direct.get(f) is not None for f in fields):
                base = {"CHILD": child_id, "DOB": dob}
                if table == "uasc":
                    base["SEX"] = direct.get("SEX")
                rows[table].append({**base, **{f: direct.get(f) for f in fields}})
        groups = [g for parent in (header_el, child) if parent is not None for g in parent
                  if isinstance(g.tag, str) and len(g) and g is not header_el]
        for group in groups:
            fields = _leaf_fields(group)
            spec, _ = identify(list(fields) + ["CHILD", "DOB"], group.tag.lower())
            if spec is None or spec.name == "header":
                problems.append(error(file, f"the <{group.tag}> group was not recognised as a 903 table",
                                      "Check the XML export's layout.", row=group.sourceline))
                continue
            row = {c: fields.get(c) for c in spec.all_columns}
            row["CHILD"] = child_id
            if "DOB" in spec.columns:
                row["DOB"] = dob
            if "SEX" in spec.columns and row.get("SEX") is None:
                row["SEX"] = direct.get("SEX")
            rows[spec.name].append(row)
    if any(p.severity == "error" for p in problems):
        return None, problems
    sha = hashlib.sha256(data).hexdigest()
    raw: dict[str, pl.DataFrame] = {}
    sources: dict[str, SourceFile] = {}
    for name, table_rows in rows.items():
        spec = TABLES[name]
        cols = [c for c in spec.all_columns if c in spec.columns or any(r.get(c) is not None for r in table_rows)]
        frame = pl.DataFrame(
            {ROW: pl.Series(range(1, len(table_rows) + 1), dtype=pl.Int64),
             **{c: pl.Series([r.get(c) for r in table_rows], dtype=pl.String) for c in cols}}
        )
        raw[name] = frame
        sources[name] = SourceFile(file, sha, frame.height, name, "xml")
        problems.extend(date_problems(frame, spec, file))
    if year is None:
        from carewise.ingest.reader import infer_year

        year = infer_year(raw)
    if year is None:
        return None, problems + [error(file, "the collection year of this XML file could not be worked out",
                                       "Give --year 2024-25.")]
    return Return(year, raw=raw, sources=sources), problems


def read_xml_file(path: Path, year: CollectionYear | None = None) -> tuple[Return | None, list[Problem]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [error(path.name, f"the file could not be opened ({exc.strerror})", "Check the path.")]
    if not data.strip():
        return None, [error(path.name, "the file is empty", "Export the 903 XML file again.")]
    ret, problems = read_xml_bytes(data, path.name, year)
    if ret is not None:
        for source in ret.sources.values():
            source.path = str(path)
    return ret, problems
