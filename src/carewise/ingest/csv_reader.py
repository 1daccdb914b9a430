"""Read one 903 CSV file into a raw text frame, recognising its table by the header row.

Councils' case-management systems name files as they like, so the header row
decides which table a file holds (the file name only breaks ties). Every cell is
read as text: typing happens in :mod:`carewise.returns.model`, so validation
rules can still see the value exactly as written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from carewise.ingest.problems import Problem, error, shorten, warning
from carewise.returns.model import ROW, SourceFile
from carewise.returns.tables import COLUMN_ALIASES, TABLES, TableSpec

_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


@dataclass
class CsvFile:
    """A CSV file read as text, with the table it holds (``None`` when unrecognised)."""

    path: Path
    spec: TableSpec | None
    raw: pl.DataFrame | None
    source: SourceFile | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """The file's layout was read, so its rows can be validated (errors in values, such as a date
        that does not exist, still refuse the import, but every rule can check the rest)."""
        return self.raw is not None


def normalise_column(name: str) -> str:
    """Header cell to DfE column name: trimmed, upper-case, spaces and dashes as underscores."""
    cleaned = re.sub(r"[\s\-]+", "_", name.strip().strip('"').strip()).upper()
    return COLUMN_ALIASES.get(cleaned, cleaned)


def _looks_binary(data: bytes) -> bool:
    """NUL bytes make up more than 1% of the start: a binary file (an image, a database), not text."""
    head = data[:4096]
    return head.count(b"\x00") > len(head) // 100


def _nul_problems(text: str, file: str) -> list[Problem]:
    """An error for each line holding a NUL character (the first five): PostgreSQL cannot store
    one, and it is never part of a real value."""
    found: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=0):
        if "\x00" in line:
            found.append(error(file, "this row holds a NUL character (an invisible control character)"
                               + (" in the header row" if number == 0 else ""),
                               "Export the file again; if the NUL is in a value, retype that value.",
                               row=number or None))
            if len(found) == 5:
                break
    return found


def decode(data: bytes, file: str) -> tuple[str | None, str, list[Problem]]:
    """Text of a file: UTF-16 with a byte-order mark (Excel's "Unicode Text"), UTF-8 (with or
    without BOM), else Windows-1252, else refused. A NUL character anywhere refuses the file."""
    if data[:2] == b"PK":
        return None, "", [
            error(
                file,
                "this looks like an Excel workbook, not a CSV file",
                "Open it in Excel and use File > Save As > CSV UTF-8, then import the CSV.",
            )
        ]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            return None, "", [error(file, f"the file starts as UTF-16 but is not (byte {exc.start + 1})",
                                    "Save the file as CSV UTF-8 from Excel and try again.")]
        problems = [warning(file, "the file is UTF-16 (Excel's \"Unicode Text\"); it was read as such",
                            "Nothing to do; saving as CSV UTF-8 avoids this warning.")]
        nul = _nul_problems(text, file)
        return (None, "", problems + nul) if nul else (text, "utf-16", problems)
    if _looks_binary(data):
        return None, "", [
            error(
                file,
                "this is not a text file (it contains binary data)",
                "Export the table from your case-management system as CSV and try again.",
            )
        ]
    try:
        text, encoding, problems = data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        if any(b in _CP1252_UNDEFINED for b in data):
            line = data[: exc.start].count(b"\n")
            return None, "", [
                error(
                    file,
                    f"the file's text encoding could not be recognised (byte {exc.start + 1})",
                    "Save the file as CSV UTF-8 from Excel or your case-management system.",
                    row=line if line > 0 else None,
                )
            ]
        text, encoding = data.decode("cp1252"), "windows-1252"
        problems = [
            warning(
                file,
                "the file is not UTF-8; it was read as Windows-1252 (the usual Excel encoding)",
                "Check names with accents look right; save as CSV UTF-8 to avoid this warning.",
            )
        ]
    nul = _nul_problems(text, file) if "\x00" in text else []
    return (None, "", problems + nul) if nul else (text, encoding, problems)


def identify(columns: list[str], file_name: str) -> tuple[TableSpec | None, float]:
    """The table whose columns best match a header row, and how well (0..1)."""
    present = set(columns)
    best: tuple[float, int, TableSpec] | None = None
    for spec in TABLES.values():
        required = set(spec.columns)
        known = required | set(spec.optional_columns)
        overlap = len(present & known)
        score = overlap / len(required | present)
        hint = int(any(h in file_name.lower() for h in spec.file_hints))
        if best is None or (score, hint) > best[:2]:
            best = (score, hint, spec)
    assert best is not None
    score, hint, spec = best
    # A table is recognised when most of its columns are there and the header is
    # not mostly something else; or, with fewer columns, when the file is named
    # for the table and holds nothing but its columns (so the missing ones can be named).
    overlap = len(present & set(spec.columns))
    if score >= 0.5 and overlap >= max(2, len(spec.columns) // 2):
        return spec, score
    if hint and overlap >= 2 and present <= set(spec.all_columns):
        return spec, score
    return None, score


DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
"""Separators tried, in order: DfE asks for commas; European Excel saves semicolons, "Text" tabs."""
_FOOTER = re.compile(r"\b(total|rows|records|end of|generated|report|count|page)\b", re.IGNORECASE)


def _records(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    """Non-blank records of ``text`` (the csv module: quotes, and CR, LF or CRLF line ends)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = (r for r in reader if any(cell.strip() for cell in r))
    return list(itertools.islice(rows, limit)) if limit is not None else list(rows)


def _careful_table(text: str, file: str, problems: list[Problem]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a file the fast reader could not take, finding (and reporting) its
    separator, title lines above the header row and footer lines below the rows."""
    found: tuple[str, int] | None = None
    for delimiter in DELIMITERS:
        for index, row in enumerate(_records(text, delimiter, limit=10)):
            if identify([normalise_column(c) for c in row], file)[0] is not None:
                if found is None or index < found[1]:
                    found = (delimiter, index)
                break
        if found is not None and found[1] == 0:
            break
    delimiter, start = found or (",", 0)
    rows = _records(text, delimiter)
    if not rows:
        return [], []
    if delimiter != ",":
        problems.append(warning(file, f"the values are separated by {DELIMITERS[delimiter]}, not commas; "
                                "the file was read as such", "Nothing to do; save as CSV UTF-8 to avoid this warning."))
    if start:
        title = " ".join(c.strip() for r in rows[:start] for c in r if c.strip())
        problems.append(warning(file, f"the {start} line{'s' if start > 1 else ''} above the header row "
                                f"({shorten(title, 60)}) {'were' if start > 1 else 'was'} skipped as a title; "
                                "rows are counted from the header row",
                                "Nothing to do; remove the title from the export to avoid this warning."))
    header, body = rows[start], rows[start + 1:]
    footer: list[str] = []
    while body and len(body[-1]) != len(header) and _FOOTER.search(" ".join(body[-1])) \
            and sum(1 for c in body[-1] if c.strip()) <= max(2, len(header) // 4):
        footer.insert(0, " ".join(c.strip() for c in body.pop() if c.strip()))
    if footer:
        problems.append(warning(file, f"the last {len(footer)} line{'s' if len(footer) > 1 else ''} "
                                f"({shorten('; '.join(footer), 60)}) {'were' if len(footer) > 1 else 'was'} "
                                "skipped as a footer, not a row", "Nothing to do unless it was a row."))
    return header, body


def read_csv_file(path: Path, check_values: bool = True) -> CsvFile:
    """Read a 903 CSV file. Never raises for bad content: problems are returned.

    ``check_values=False`` leaves out the checks of values that never change what is read (odd
    dates and codes, blank and repeated rows: :func:`value_problems`), for a caller that does not
    report them (a forecast); the frame is the same."""
    file = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return CsvFile(path, None, None, None, [
            error(file, f"the file could not be opened ({exc.strerror})", "Check the path and permissions.")
        ])
    return read_csv_bytes(data, file, str(path), check_values)


def table_if_readable(path: Path, read_anyway: Collection[str] = ()) -> TableSpec | None:
    """The table a CSV file holds when :func:`read_csv_file` would certainly read its rows, found
    without reading them: the file decodes, has no quotes and no CR-only line ends, every line that
    is not blank has as many commas as the header row, and the header row names a table with none
    of its columns missing or repeated (the fast reader then takes it; were it not to, the careful
    reader would find the same rows). ``None``: read the file to know; also, as soon as the header
    row is found, for a table in ``read_anyway`` (the caller reads those whatever this says).

    A caller that needs only some tables (a forecast: episodes and headers) recognises the others'
    files as reading them would, for the same returns, without parsing their rows."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data or data.isspace():
        return None
    text, _, _ = decode(data, path.name)
    if text is None:
        return None
    # blank: only commas, spaces, tabs and the CR of CRLF (blank for the fast reader too)
    lines = iter(text.split("\n"))
    header_line = next((line for line in lines if line.strip(", \t\r")), None)
    if header_line is None:
        return None
    header_cells = header_line.removesuffix("\r").split(",")
    header = [normalise_column(c) for c in header_cells]
    spec, _ = identify(header, path.name)
    if spec is None or spec.name in read_anyway or '"' in text or text.count("\r") != text.count("\r\n"):
        return None
    if any(line.count(",") != len(header_cells) - 1 for line in lines if line.strip(", \t\r")):
        return None
    if any(header.count(c) > 1 for c in header if c) or any(c not in header for c in spec.columns):
        return None
    return spec


def read_csv_bytes(data: bytes, file: str, path: str | None = None, check_values: bool = True) -> CsvFile:
    """Read CSV content given as bytes (used by the web upload and the fuzz tests). Never raises:
    a failure inside carewise is logged (without the file's content) and reported as a problem."""
    try:
        return _read_csv_bytes(data, file, path, check_values)
    except Exception as exc:  # noqa: BLE001 - no input may crash the reader
        logging.getLogger(__name__).exception("reading %s failed with %s", file, type(exc).__name__)
        return CsvFile(Path(path or file), None, None, None, [
            error(file, f"this file could not be read ({type(exc).__name__} inside carewise)",
                  "Export the file again; if it keeps failing, send it to the carewise team.")])


def _read_csv_bytes(data: bytes, file: str, path: str | None = None, check_values: bool = True) -> CsvFile:
    where = Path(path or file)
    sha = hashlib.sha256(data).hexdigest()
    if not data or data.isspace():  # (data.strip() would copy a large file just to look)
        return CsvFile(where, None, None, None, [
            error(file, "the file is empty", "Export the table again; an empty table still needs its header row.")
        ])
    text, encoding, problems = decode(data, file)
    if text is None:
        return CsvFile(where, None, None, None, problems)
    fast = _fast_table(text, data if encoding == "utf-8" else None)
    body: pl.DataFrame | list[list[str]]  # the fast reader's columns, or the careful reader's rows
    if fast is not None and identify([normalise_column(c) for c in fast[0]], file)[0] is not None:
        header_cells, body = fast
    else:
        try:
            header_cells, body = _careful_table(text, file, problems)
        except csv.Error as exc:
            return CsvFile(where, None, None, None, problems + [
                error(file, f"this is not a readable CSV file ({shorten(str(exc), 80)})",
                      "Check the file is comma-separated text.")
            ])
    if not header_cells:
        return CsvFile(where, None, None, None, problems + [
            error(file, "the file has no header row", "The first line must name the columns, e.g. CHILD,SEX,DOB.")
        ])
    header = [normalise_column(c) for c in header_cells]
    spec, _ = identify(header, file)
    if spec is None:
        return CsvFile(where, None, None, None, problems + [
            error(
                file,
                "the header row does not match any 903 table "
                f"(columns: {', '.join(shorten(h, 40) for h in header[:8] if h)}{'…' if len(header) > 8 else ''})",
                "Check this is a 903 table with the DfE column names; remove it from the folder if it is not.",
            )
        ])

    dupes = sorted({c for c in header if c and header.count(c) > 1})
    for col in dupes:
        problems.append(error(file, f"the column {col} appears more than once", "Keep one column of that name.", column=col, table=spec.name))
    missing = [c for c in spec.columns if c not in header]
    for col in missing:
        problems.append(
            error(
                file,
                f"the {spec.title} table needs a column called {col}, and it is missing",
                f"Add the {col} column (it may be empty) and export again.",
                column=col,
                table=spec.name,
            )
        )
    known = set(spec.all_columns)
    for col in header:
        if col and col not in known:
            problems.append(
                warning(file, f"the column {col} is not part of the {spec.title} table and was ignored",
                        "Nothing to do unless you expected it to be read.", column=col, table=spec.name)
            )
    problems.extend(_unnamed_column_problems(header, body, file, spec))
    if dupes or missing:
        return CsvFile(where, spec, None, None, problems)

    keep = [i for i, c in enumerate(header) if c in known]
    frame: pl.DataFrame | None
    if isinstance(body, pl.DataFrame):
        frame = body.select(pl.col(ROW), *[pl.col(f"c{i}").alias(header[i]) for i in keep])
    else:
        frame = _frame_from_rows(body, header, keep, spec, file, problems,
                                 complete=text.rstrip(" \t").endswith(("\n", "\r")))
        if frame is None:
            return CsvFile(where, spec, None, None, problems)
    # Blank cells are null (no value given); everything else is kept exactly as written.
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in frame.columns if c != ROW
    )
    # Columns the table always has come first, in DfE order; optional ones after.
    order = [ROW] + [c for c in spec.all_columns if c in frame.columns]
    frame = frame.select(order)
    if check_values:
        problems.extend(value_problems(frame, spec, file))
    source = SourceFile(str(where), sha, frame.height, spec.name, encoding)
    return CsvFile(where, spec, frame, source, problems)


def excel_column(index: int) -> str:
    """Excel's letters for a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _unnamed_column_problems(header: list[str], body: list[list[str]] | pl.DataFrame, file: str,
                             spec: TableSpec) -> list[Problem]:
    """A warning for each column with no name in the header row: empty ones are what Excel leaves
    after a column was once used; ones holding values were probably meant to be read."""
    found: list[Problem] = []
    for i, name in enumerate(header):
        if name:
            continue
        if isinstance(body, pl.DataFrame):
            cells = body.get_column(f"c{i}") if f"c{i}" in body.columns else pl.Series([], dtype=pl.String)
            filled = int((cells.str.strip_chars() != "").sum())
        else:
            filled = sum(1 for r in body if i < len(r) and r[i].strip())
        where = f"column {i + 1} (Excel column {excel_column(i)})"
        if filled:
            found.append(warning(file, f"{where} has no name in the header row but holds {filled} values; "
                                 "they were ignored", "Name the column with its DfE name, or remove it.",
                                 column=excel_column(i), table=spec.name))
        else:
            found.append(warning(file, f"{where} is an empty column with no name (Excel adds these when a column "
                                 "was once used); it was ignored", "Nothing to do.",
                                 column=excel_column(i), table=spec.name))
    return found


def _fast_table(text: str, utf8: bytes | None = None) -> tuple[list[str], pl.DataFrame] | None:
    """The common case, read with polars: no quotes, and every row as wide as the header.

    Returns the header cells and the body as columns ``c0…`` plus ``_row``; ``None`` sends the
    file to the careful reader, which reports the exact row of any irregularity. ``utf8``: the
    file's own bytes when they are UTF-8 (``text`` decoded), read as they are instead of a copy.
    """
    if '"' in text or text.count("\r") != text.count("\r\n"):  # quotes, or CR-only line ends
        return None
    # polars splits the lines (a NUL never occurs: decode refuses it), dropping the "\r" of "\r\n".
    source = utf8 if utf8 is not None else text.encode("utf-8")
    lines = pl.read_csv(source, has_header=False, separator="\x00", quote_char=None, infer_schema=False,
                        new_columns=["line"], empty_string_is_null=False).to_series()
    lines = lines.filter(lines.str.contains(r"[^,\s]"))  # blank lines (only commas and spaces) dropped
    if lines.len() == 0:
        return None
    header = lines[0].split(",")
    body = lines.slice(1)
    if body.len() and (body.str.count_matches(",", literal=True) != len(header) - 1).any():
        return None
    frame = (
        pl.DataFrame({"line": body})
        .select(pl.col("line").str.split_exact(",", len(header) - 1).alias("parts"))
        .unnest("parts")
    )
    frame = frame.rename({f"field_{i}": f"c{i}" for i in range(len(header))})
    frame = frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW))
    return header, frame


def _frame_from_rows(body: list[list[str]], header: list[str], keep: list[int], spec: TableSpec,
                     file: str, problems: list[Problem], complete: bool = True,
                     limit: int = 50) -> pl.DataFrame | None:
    """The careful reader's body: a row with values beyond the header's columns is an error naming
    its row, as is a short last row of a file not ending in a line break (cut short); other short
    rows are padded with blanks, with a warning."""
    width = len(header)
    data_rows: list[list[str]] = []
    line_numbers: list[int] = []
    padded: list[int] = []
    for index, row in enumerate(body, start=1):
        if len(row) != width:
            if len(row) > width and not any(c.strip() for c in row[width:]):
                row = row[:width]
            elif len(row) < width and (index < len(body) or complete):
                padded.append(index)  # Excel leaves trailing empty cells out of some rows
                row = row + [""] * (width - len(row))
            else:
                problems.append(
                    error(
                        file,
                        f"this row has {len(row)} values but the header has {width} columns"
                        + (" (the file may be cut short)" if index == len(body) else ""),
                        "Export the file again; check for commas inside values that are not in quotes.",
                        row=index,
                        table=spec.name,
                    )
                )
                continue
        data_rows.append(row)
        line_numbers.append(index)
    if any(p.severity == "error" for p in problems):
        return None
    for index in padded[:limit]:
        problems.append(warning(file, f"this row has {len(body[index - 1])} values but the header has {width} "
                                "columns; the missing values at its end were taken as blank",
                                "Nothing to do if those cells are empty; otherwise check the row.",
                                row=index, table=spec.name))
    if len(padded) > limit:
        problems.append(warning(file, f"{len(padded) - limit} more rows were short and padded with blanks",
                                "Nothing to do if those cells are empty.", table=spec.name))
    return pl.DataFrame(
        {ROW: pl.Series(line_numbers, dtype=pl.Int64),
         **{header[i]: pl.Series([r[i] for r in data_rows], dtype=pl.String) for i in keep}}
    )


def value_problems(raw: pl.DataFrame, spec: TableSpec, file: str, limit: int = 50) -> list[Problem]:
    """Dates not written DD/MM/YYYY, codes carewise had to trim or upper-case, blank and repeated rows."""
    from carewise.ingest.checks import row_problems

    return date_problems(raw, spec, file, limit) + code_problems(raw, spec, file, limit) + row_problems(
        raw, spec, file, limit)


def _two_digit_fix() -> str:
    from carewise.returns.model import TWO_DIGIT_YEAR_PIVOT as pivot

    return (f"Two-digit years 00-{pivot - 1} are read as 2000-20{pivot - 1} and {pivot}-99 as 19{pivot}-1999; "
            "export dates as DD/MM/YYYY so nothing is guessed.")


def date_problems(raw: pl.DataFrame, spec: TableSpec, file: str, limit: int = 50) -> list[Problem]:
    """Each date not written DD/MM/YYYY (the first ``limit`` per column and kind).

    A date that does not exist (31/02/2024, a year before 1900) or is not a date at all is an
    error: stored, it would be a blank and figures would silently leave the child out. Any other
    readable layout (ISO, DD-MM-YYYY, two-digit years, a time part) is read, with a warning
    giving the date carewise read, so a wrong guess can be seen.
    """
    from carewise.returns.model import DATE_LAYOUT, date_layout_expr, parse_date_expr

    found: list[Problem] = []
    cols = [c for c in spec.date_columns if c in raw.columns]
    if not cols or raw.height == 0:
        return found
    # A cheap first pass keeps the rows with a cell that is not a plain DD/MM/YYYY date (nearly
    # always none); only those are classified layout by layout.
    plain = [pl.col(c).is_null() | (pl.col(c).str.contains(r"^\d{1,2}/\d{1,2}/\d{4}$")
                                    & pl.col(c).str.strptime(pl.Date, "%d/%m/%Y", strict=False).dt.year()
                                    .is_between(1900, 2100)).fill_null(False) for c in cols]
    raw = raw.filter(~pl.all_horizontal(plain))
    if raw.height == 0:
        return found
    layouts = raw.select(
        pl.col(ROW), *[pl.col(c).alias(f"raw_{c}") for c in cols],
        *[date_layout_expr(c).alias(f"layout_{c}") for c in cols],
        *[parse_date_expr(c).alias(f"date_{c}") for c in cols],
    ).filter(pl.any_horizontal([pl.col(f"layout_{c}").is_not_null() & (pl.col(f"layout_{c}") != DATE_LAYOUT)
                                for c in cols]))
    for col in cols:
        odd = layouts.filter(pl.col(f"layout_{col}").is_not_null() & (pl.col(f"layout_{col}") != DATE_LAYOUT))
        for (layout,), group in odd.group_by(f"layout_{col}", maintain_order=True):
            if layout == "impossible":
                make, message, fix = error, "this date does not exist", "Correct the date, written DD/MM/YYYY."
            elif layout == "unreadable":
                make, message, fix = error, "this is not a date", "Write the date as DD/MM/YYYY, or leave it blank."
            else:
                make, message = warning, f"this date is written {layout}, not DD/MM/YYYY"
                fix = _two_digit_fix() if layout.startswith("DD/MM/YY ") or layout == "DD/MM/YY" else \
                    "Check the date read is right; export dates as DD/MM/YYYY to avoid this warning."
            for row, value, read in group.head(limit).select(ROW, f"raw_{col}", f"date_{col}").iter_rows():
                said = f"{message} (read as {read:%d/%m/%Y})" if read is not None else message
                found.append(make(file, said, fix, row=row, column=col, value=value, table=spec.name))
            if group.height > limit:
                found.append(make(file, f"{group.height - limit} more dates in this column: {message}", fix,
                                  column=col, table=spec.name))
    return found


def code_problems(raw: pl.DataFrame, spec: TableSpec, file: str, limit: int = 50) -> list[Problem]:
    """A warning for each code carewise trimmed or upper-cased (the first ``limit`` per column):
    `` S`` or ``s`` is read as ``S``, which is right nearly always, but the file should say so."""
    from carewise.returns.model import clean_code_expr

    found: list[Problem] = []
    cols = [c for c in spec.code_columns if c in raw.columns]
    if not cols or raw.height == 0:
        return found
    # Plain ASCII without lower case or surrounding spaces is unchanged by trimming and upper-casing
    # (nearly every row): only the other rows are compared with their cleaned codes.
    raw = raw.filter(pl.any_horizontal(pl.col(c).str.contains(r"^\s|\s$|[a-z]|[^\x00-\x7F]") for c in cols))
    if raw.height == 0:
        return found
    changed = {c: pl.col(c).is_not_null() & (pl.col(c).str.strip_chars() != "") & (clean_code_expr(c) != pl.col(c))
               for c in cols}
    flags = raw.select(
        pl.col(ROW), *[pl.col(c).alias(f"raw_{c}") for c in cols],
        *[clean_code_expr(c).alias(f"clean_{c}") for c in cols],
        *[changed[c].alias(f"changed_{c}") for c in cols],
    ).filter(pl.any_horizontal([pl.col(f"changed_{c}") for c in cols]))
    for col in cols:
        odd = flags.filter(pl.col(f"changed_{col}"))
        for row, value, clean in odd.head(limit).select(ROW, f"raw_{col}", f"clean_{col}").iter_rows():
            what = "spaces around it" if value.strip() != value else "lower case"
            found.append(warning(file, f"this value has {what}; it was read as '{clean}'",
                                 "Nothing to do if that is right; correct the export to avoid this warning.",
                                 row=row, column=col, value=value, table=spec.name))
        if odd.height > limit:
            found.append(warning(file, f"{odd.height - limit} more values in this column had spaces or lower case "
                                 "and were trimmed and upper-cased", "Correct the export to avoid this warning.",
                                 column=col, table=spec.name))
    return found
