"""Validation reports: a self-contained HTML page, an Excel workbook and a CSV of the errors.

Every report names the analyst's files (``sw_episodes.csv``, not the table), the row as Excel
shows it (said so; XML records in document order), the offending values, and the problems found
while reading the files with their severity.

The HTML page works offline (no external CSS, fonts or scripts): counts first, then the
errors grouped by rule (with the DfE message, what it means and how to fix it) and by
child, a filter box, and the rules that could not be checked. The workbook has a
summary sheet, an errors sheet with an autofilter and a by-child sheet.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path

import jinja2

from carewise.exports import workbook, write_cells, write_csv_rows
from carewise.ingest.problems import Problem
from carewise.validate.runner import RuleError, ValidationResult

CSV_COLUMNS = ("rule", "table", "row", "child", "fields", "message", "explanation", "fix",
               "severity", "file", "excel_row", "values")
"""The first eight are the original columns; ``file`` is the analyst's file, ``excel_row`` the row
Excel shows (data row + 1; blank for XML), ``values`` the offending values. Problems found while
reading the files follow the rule errors, with ``rule`` blank and their own severity."""


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("carewise.validate", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=False,
    )


def _grouped(errors: list[RuleError], key) -> list[tuple[str, list[RuleError]]]:
    groups: dict[str, list[RuleError]] = defaultdict(list)
    for e in errors:
        groups[key(e)].append(e)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def render_html(result: ValidationResult, source: str | None = None) -> str:
    """The report as one self-contained HTML page."""
    return _env().get_template("report.html.j2").render(
        year=result.year.label if result.year else "(year unknown)",
        source=source,
        generated=datetime.now().strftime("%d %B %Y %H:%M"),
        readable=result.readable,
        errors=result.errors,
        where=result.where,
        by_rule=_grouped(result.errors, lambda e: e.rule),
        by_child=_grouped(result.errors, lambda e: e.child or "(no child id)"),
        rules=result.rules,
        rules_run=result.rules_run,
        skipped=result.skipped,
        problems=result.problems,
    )


def _row(e: RuleError, result: ValidationResult) -> list:
    return [e.rule, e.table, e.row, e.child, ", ".join(e.fields), e.message, e.explanation, e.fix,
            "error", result.file_of(e.table), result.excel_row(e.table, e.row), e.values_text()]


def _problem_row(p: Problem) -> list:
    csv_file = p.file.lower().endswith((".csv", ".txt", ".tsv"))
    return ["", p.table or "", p.row, "", p.column or "", p.message, "", p.fix,
            str(p.severity), p.file, p.row + 1 if csv_file and p.row is not None else None, p.value or ""]


def _rows(result: ValidationResult) -> list[list]:
    """Every line of the CSV report and the Excel errors sheet: rule errors, then reading problems."""
    return [*(_row(e, result) for e in result.errors), *(_problem_row(p) for p in result.problems)]


def write_csv(result: ValidationResult, path: str | Path) -> Path:
    """One line per error (UTF-8 with BOM so Excel opens it cleanly)."""
    out = Path(path)
    with out.open("w", newline="", encoding="utf-8-sig") as fh:
        write_csv_rows(fh, [CSV_COLUMNS, *_rows(result)])
    return out


def write_html(result: ValidationResult, path: str | Path, source: str | None = None) -> Path:
    out = Path(path)
    out.write_text(render_html(result, source), encoding="utf-8")
    return out


def write_xlsx(result: ValidationResult, path: str | Path) -> Path:
    """Summary sheet, errors sheet (autofilter, frozen header) and by-child sheet; values from the
    files (CHILD ids) are written as text, never formulas (``carewise.exports``)."""
    out = Path(path)
    book = workbook(out)
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 16})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    summary = book.add_worksheet("Summary")
    summary.set_column(0, 0, 14)
    summary.set_column(1, 1, 70)
    summary.set_column(2, 2, 10)
    summary.write(0, 0, f"903 validation {result.year.label if result.year else ''}", title)
    facts = [
        ("Errors", len(result.errors)),
        ("Children with errors", len(result.counts_by_child())),
        ("Rules failed", len(result.counts_by_rule())),
        ("Rules checked", result.rules_run),
        ("Rules not checked", len(result.skipped)),
        ("Errors reading the files", len(result.read_errors)),
        ("Warnings reading the files (on the Errors sheet)", len(result.problems) - len(result.read_errors)),
    ]
    for i, (name, value) in enumerate(facts, start=2):
        summary.write(i, 0, name, bold)
        summary.write_number(i, 2, value)
    row = len(facts) + 3
    summary.write_row(row, 0, ["Rule", "DfE message", "Errors", "What it means", "How to fix it"], bold)
    summary.set_column(3, 4, 60)
    for code, count in result.counts_by_rule().items():
        row += 1
        info = result.rules.get(code)
        summary.write(row, 0, code)
        summary.write(row, 1, info.message if info else "", wrap)
        summary.write_number(row, 2, count)
        summary.write(row, 3, info.explanation if info else "", wrap)
        summary.write(row, 4, info.fix if info else "", wrap)
    if not result.readable:
        row += 2
        summary.write(row, 0, "The files could not be read; no rule was checked.", bold)
        for p in result.problems:
            row += 1
            write_cells(summary, row, 1, [p.describe()], wrap)

    errors = book.add_worksheet("Errors")
    errors.write_row(0, 0, [c.replace("_", " ").capitalize() for c in CSV_COLUMNS], bold)
    lines = _rows(result)
    for i, line in enumerate(lines, start=1):
        write_cells(errors, i, 0, line)
    errors.autofilter(0, 0, max(len(lines), 1), len(CSV_COLUMNS) - 1)
    errors.freeze_panes(1, 0)
    errors.set_column(0, 3, 12)
    errors.set_column(4, 4, 24)
    errors.set_column(5, 7, 60)

    by_child = book.add_worksheet("By child")
    by_child.write_row(0, 0, ["Child", "Errors", "Rules"], bold)
    for i, (child, items) in enumerate(_grouped(result.errors, lambda e: e.child or "(no child id)"), start=1):
        write_cells(by_child, i, 0, [child])
        by_child.write_number(i, 1, len(items))
        by_child.write(i, 2, ", ".join(sorted({e.rule for e in items})))
    by_child.autofilter(0, 0, max(len(result.counts_by_child()), 1), 2)
    by_child.freeze_panes(1, 0)
    by_child.set_column(0, 1, 14)
    by_child.set_column(2, 2, 60)

    skipped = book.add_worksheet("Not checked")
    skipped.write_row(0, 0, ["Rule", "Why not checked"], bold)
    for i, s in enumerate(result.skipped, start=1):
        write_cells(skipped, i, 0, [s.rule, s.reason])
    skipped.set_column(0, 0, 12)
    skipped.set_column(1, 1, 90)
    book.close()
    return out


def write_report(result: ValidationResult, path: str | Path, fmt: str, source: str | None = None) -> Path:
    """Write the report in ``fmt`` (html, xlsx or csv)."""
    fmt = fmt.lower()
    if fmt == "html":
        return write_html(result, path, source)
    if fmt == "xlsx":
        return write_xlsx(result, path)
    if fmt == "csv":
        return write_csv(result, path)
    raise ValueError(f"unknown report format '{fmt}'")
