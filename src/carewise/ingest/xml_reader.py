"""Read the 903 XML file councils' systems export into the same tables as the CSV files.

Layout (see ``docs/903-xml.md``): ``<EXPSSDA903>`` holds one ``<CHILD>`` per child.
``<HEADER>`` holds the child's header fields (``CHILDID`` is CHILD) and, as direct
fields, the UASC (``DUC``), OC3 (``IN_TOUCH``, ``ACTIV``, ``ACCOM``) and AD1 fields;
repeated groups inside ``<HEADER>`` or ``<CHILD>`` hold the other tables: ``AREVIEW``
reviews, ``AMISSING`` missing, ``PERMANENCE``, ``OC2``, ``AD_PLACED`` placed for
adoption, ``EPISODE`` episodes (``PL`` is PLACE), ``SWEPISODE`` social-worker episodes
and ``DOLO`` deprivation of liberty orders. Other group names are accepted: a group
is recognised by its tag when known, else by the fields it holds (like a CSV header);
wrapper elements (``<EPISODES>`` around ``<EPISODE>``s) are looked through.

Rows are numbered in document order per table, so a child's rows carry the same
``_row`` as in CSV files written child by child from the same data. Any input, however
broken, gives problems, never an exception.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import polars as pl
from lxml import etree

from carewise.ingest.csv_reader import identify, normalise_column, value_problems
from carewise.ingest.problems import Problem, error, warning
from carewise.returns.model import ROW, Return, SourceFile
from carewise.returns.tables import TABLES
from carewise.returns.years import CollectionYear

HEADER_DIRECT: dict[str, tuple[str, ...]] = {
    "uasc": ("DUC",),
    "oc3": ("IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
}
"""Tables whose fields sit directly in ``<HEADER>`` (one row per child at most)."""

GROUP_TAGS: dict[str, str] = {
    "EPISODE": "episodes",
    "EPISODES": "episodes",
    "AREVIEW": "reviews",
    "REVIEWS": "reviews",
    "AMISSING": "missing",
    "MISSING_EPISODE": "missing",
    "PERMANENCE": "previous_permanence",
    "PREVPERM": "previous_permanence",
    "PREV_PERM_GROUP": "previous_permanence",
    "OC2": "oc2",
    "OC3": "oc3",
    "AD1": "ad1",
    "UASC_GROUP": "uasc",
    "AD_PLACED": "placed_for_adoption",
    "PLACEDADOPTION": "placed_for_adoption",
    "PLACED_ADOPTION": "placed_for_adoption",
    "SWEPISODE": "social_worker_episodes",
    "SW_EPISODE": "social_worker_episodes",
    "SWEPISODES": "social_worker_episodes",
    "SW_EPISODES": "social_worker_episodes",
    "SOCIAL_WORKER_EPISODE": "social_worker_episodes",
    "DOLO": "dolo",
    "DOLOS": "dolo",
    "DOL": "dolo",
    "DEPRIVATION_OF_LIBERTY": "dolo",
}
"""Group element names (upper case) → table. Unknown names are recognised by their fields."""


def _tag(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    if "}" in tag:  # namespaced export
        tag = tag.rsplit("}", 1)[1]
    return tag.upper()


def _is_group(element: etree._Element) -> bool:
    return any(isinstance(c.tag, str) for c in element)


def _leaf_fields(element: etree._Element) -> dict[str, str | None]:
    fields: dict[str, str | None] = {}
    for child in element:
        if not isinstance(child.tag, str) or _is_group(child):
            continue
        text = child.text.strip() if child.text and child.text.strip() else None
        fields[normalise_column(_tag(child))] = text
    return fields


def _groups(element: etree._Element, skip: etree._Element | None = None) -> list[etree._Element]:
    return [g for g in element if isinstance(g.tag, str) and g is not skip and _is_group(g)]


def _table_of(group: etree._Element, fields: dict[str, str | None]) -> str | None:
    by_tag = GROUP_TAGS.get(_tag(group))
    if by_tag is not None:
        return by_tag
    if not fields:
        return None
    spec, _ = identify([*fields, "CHILD", "DOB"], _tag(group).lower())
    return spec.name if spec is not None and spec.name != "header" else None


def read_xml_bytes(data: bytes, file: str, year: CollectionYear | None = None) -> tuple[Return | None, list[Problem]]:
    """Read 903 XML content; problems name the file and, where known, the line."""
    try:
        return _read(data, file, year)
    except Exception as exc:  # noqa: BLE001 - no input may crash the reader
        return None, [error(file, f"this XML file could not be read ({type(exc).__name__})",
                            "Export the 903 XML file again; if it keeps failing, send it to the carewise team.")]


def _parse(data: bytes, file: str) -> tuple[etree._Element | None, list[Problem]]:
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        return None, [error(file, f"this is not well-formed XML ({exc.msg})",
                            "Export the 903 XML file again; it may be cut short.", row=line)]
    except ValueError as exc:
        return None, [error(file, f"this is not a readable XML file ({exc})", "Export the 903 XML file again.")]
    if root is None:
        return None, [error(file, "the XML file is empty", "Export the 903 XML file again.")]
    if root.getroottree().docinfo.doctype:
        # Entities declared in a DOCTYPE are not expanded (they could read files or explode in
        # size), so values using them would be stored blank: the file is refused instead.
        return None, [error(file, "the XML file declares a DOCTYPE (a document type with entities); "
                            "903 exports never do, and carewise does not read them",
                            "Export the 903 XML file again from the case-management system, without a DOCTYPE.",
                            row=1)]
    return root, []


def _children(root: etree._Element) -> list[etree._Element]:
    """The ``<CHILD>`` records, at the root or one wrapper level down."""
    found = [c for c in root if _tag(c) == "CHILD"]
    if not found and _tag(root) == "CHILD":
        return [root]
    if not found:
        for wrapper in root:
            found.extend(c for c in wrapper if _tag(c) == "CHILD")
    return found


def _read(data: bytes, file: str, year: CollectionYear | None) -> tuple[Return | None, list[Problem]]:
    root, problems = _parse(data, file)
    if root is None:
        return None, problems
    children = _children(root)
    if not children:
        return None, [error(file, "the XML file holds no <CHILD> records",
                            "Check this is the 903 XML export (root element EXPSSDA903).")]
    rows: dict[str, list[dict[str, str | None]]] = defaultdict(list)
    lines: dict[str, list[int]] = defaultdict(list)
    """Per table, the line each row starts on."""
    header_cols = TABLES["header"].all_columns
    direct_known = set(header_cols) | {f for fields in HEADER_DIRECT.values() for f in fields}
    ignored: dict[tuple[str, str], int | None] = {}
    """(table, field) never read → the line where it first appears."""
    for child in children:
        header_el = next((c for c in child if _tag(c) == "HEADER"), None)
        direct = _leaf_fields(header_el) if header_el is not None else {}
        direct.update({k: v for k, v in _leaf_fields(child).items() if k not in direct})
        for name in direct:
            if name not in direct_known:
                ignored.setdefault(("header", name), header_el.sourceline if header_el is not None else child.sourceline)
        child_id = direct.get("CHILD")
        dob = direct.get("DOB")
        if header_el is not None or any(direct.get(c) is not None for c in header_cols if c != "CHILD"):
            rows["header"].append({c: direct.get(c) for c in header_cols})
            lines["header"].append((header_el if header_el is not None else child).sourceline or 0)
        for direct_table, direct_fields in HEADER_DIRECT.items():
            if any(direct.get(f) is not None for f in direct_fields):
                base = {"CHILD": child_id, "DOB": dob}
                if direct_table == "uasc":
                    base["SEX"] = direct.get("SEX")
                rows[direct_table].append({**base, **{f: direct.get(f) for f in direct_fields}})
                lines[direct_table].append((header_el if header_el is not None else child).sourceline or 0)
        pending = [*(_groups(header_el) if header_el is not None else []), *_groups(child, skip=header_el)]
        while pending:
            group = pending.pop(0)
            fields = _leaf_fields(group)
            nested = _groups(group)
            table = _table_of(group, fields)
            if table is None and nested and not fields:
                pending[0:0] = nested  # a wrapper such as <EPISODES>: look inside
                continue
            if table is None:
                problems.append(error(file, f"the <{_tag(group)}> group was not recognised as a 903 table",
                                      "Check the XML export's layout (docs/903-xml.md).", row=group.sourceline))
                continue
            if not fields and nested:
                pending[0:0] = nested
                continue
            spec = TABLES[table]
            row = {c: fields.get(c) for c in spec.all_columns}
            for name in fields.keys() - set(spec.all_columns):
                ignored.setdefault((table, name), group.sourceline)
            if row.get("CHILD") is None:
                row["CHILD"] = child_id
            if "DOB" in spec.columns and row.get("DOB") is None:
                row["DOB"] = dob
            if "SEX" in spec.columns and row.get("SEX") is None:
                row["SEX"] = direct.get("SEX")
            rows[table].append(row)
            lines[table].append(group.sourceline or 0)
            pending[0:0] = nested
    if any(p.severity == "error" for p in problems):
        return None, problems
    for (table, name), line in ignored.items():
        problems.append(warning(file, f"the field <{name}> is not part of the {TABLES[table].title} table "
                                "and was ignored", "Nothing to do unless you expected it to be read.",
                                row=line, column=name))  # row is the line of its first use
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
        sources[name] = SourceFile(file, sha, frame.height, name, "xml", lines=lines[name])
        problems.extend(replace(p, line=lines[name][p.row - 1]) if p.row and p.row <= len(lines[name]) else p
                        for p in value_problems(frame, spec, file))
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
