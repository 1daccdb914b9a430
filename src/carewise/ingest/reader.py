"""Read one or many collection years of 903 files from folders.

``read_returns`` accepts what an analyst has: a folder of one year's files, a
folder of year folders, files whose names carry the year, or single files. It
groups files into collection years, recognises each file's table, and returns
one :class:`Return` per year with every problem found. It never writes anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from carewise.ingest.csv_reader import CsvFile, read_csv_file, table_if_readable
from carewise.ingest.problems import Problem, Severity, error, warning
from carewise.returns.frames import as_date
from carewise.returns.model import Return
from carewise.returns.tables import TABLES
from carewise.returns.years import CollectionYear

DATA_SUFFIXES = {".csv", ".txt", ".tsv", ".xml"}
IGNORED_SUFFIXES = {".json", ".md", ".toml", ".yaml", ".yml", ".pdf", ".html", ".log"}
SYSTEM_FILES = {"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"}
"""Files Windows and macOS leave in folders; never a council's data."""
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def is_system_file(path: Path) -> bool:
    """Thumbs.db, desktop.ini, an Office lock file (``~$episodes.xlsx``) or a hidden file."""
    name = path.name.lower()
    return name in SYSTEM_FILES or name.startswith(("~$", "."))


@dataclass
class ReadResult:
    """What was read: one return per collection year, and every problem."""

    returns: dict[CollectionYear, Return] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    provider_files: list[Path] = field(default_factory=list)
    """Ofsted provider lists found beside the 903 files (for the URN rules)."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.returns)

    def summary(self) -> dict:
        """Per collection year: children, episodes and rows per table (the CLI's --json shape)."""
        return {
            str(y): {"children": r.children, "episodes": r.episodes, "tables": r.counts()}
            for y, r in sorted(self.returns.items())
        }


def _candidate_files(paths: Iterable[Path], problems: list[Problem]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            problems.append(error(str(path), "this file or folder does not exist", "Check the path."))
        elif path.is_file():
            found.append(path)
        else:
            for child in sorted(path.rglob("*")):
                if child.is_file() and not is_system_file(child):
                    if child.suffix.lower() in IGNORED_SUFFIXES:
                        continue
                    found.append(child)
    return found


def _workbook(path: Path, result: ReadResult) -> None:
    """An Excel workbook beside the 903 files: Ofsted's provider list is kept for the URN rules,
    anything else is skipped with the reason (a 903 table must be saved as CSV)."""
    from carewise.ingest.providers import read_provider_list

    try:
        providers = read_provider_list([path])
    except Exception:  # noqa: BLE001 - a workbook that is not a provider list (or not readable) is skipped
        result.problems.append(warning(
            path.name, "skipped: an Excel workbook that is not an Ofsted provider list",
            "If it holds a 903 table, open it in Excel and save it as CSV UTF-8 beside the others."))
        return
    result.provider_files.append(path)
    result.problems.append(warning(
        path.name, f"recognised as Ofsted's provider list ({providers.height:,} providers) and used "
        "for the URN rules", "Nothing to do."))


def _group_key(path: Path) -> tuple[Path, CollectionYear | None]:
    """Files group by folder, and by a year in the file name when there is one."""
    named = CollectionYear.find_in(path.name)
    if named is None:
        for parent in path.parents:
            named = CollectionYear.find_in(parent.name)
            if named is not None:
                break
    return path.parent, named


def infer_year(frames: dict[str, pl.DataFrame]) -> CollectionYear | None:
    """The collection year a set of tables describes: the one holding the latest episode date.

    An episode can start or end on any day up to 31 March, never after, so the
    latest DECOM or DEC falls inside the return's collection year.
    """
    from carewise.returns.model import date_exprs

    latest: date | None = None
    for name, cols in (("episodes", ("DECOM", "DEC")), ("reviews", ("REVIEW",)), ("missing", ("MIS_START",))):
        frame = frames.get(name)
        if frame is None or frame.height == 0:
            continue
        for parsed in date_exprs(frame, list(cols)):
            value = as_date(frame.select(parsed).to_series().max())
            if value is not None and value <= date.today().replace(year=date.today().year + 1):
                latest = value if latest is None or value > latest else latest
        if latest is not None and name == "episodes":
            break
    return CollectionYear.containing(latest) if latest is not None else None


def read_returns(
    paths: Iterable[str | Path],
    year: CollectionYear | str | None = None,
    progress: Callable[[str], None] | None = None,
    check_values: bool = True,
    only_tables: Collection[str] | None = None,
) -> ReadResult:
    """Read every 903 file under ``paths`` into returns grouped by collection year.

    ``check_values=False``: the same returns without looking for the problems that do not change
    what is read (odd values in CSV files: ``csv_reader.value_problems``; tables whose children are
    not the rest of the return's: ``_overlap_problems``), for a caller that only uses the returns.

    ``only_tables`` (with ``check_values=False``): the returns hold only these tables. The other
    CSV files are recognised by their header row (``csv_reader.table_if_readable``) and their rows
    not read, so the same years are read as when reading everything (a file that could not be read
    still sets its year aside, and when the episodes do not date a year, every file is read)."""
    forced = CollectionYear.parse(year) if year is not None else None
    result = ReadResult()
    files = _candidate_files([Path(p) for p in paths], result.problems)
    groups: dict[tuple[Path, CollectionYear | None], list[Path]] = defaultdict(list)
    for f in files:
        if f.suffix.lower() in WORKBOOK_SUFFIXES:
            _workbook(f, result)
            continue
        if f.suffix.lower() not in DATA_SUFFIXES:
            result.problems.append(
                warning(f.name, f"skipped: files of type '{f.suffix or 'none'}' are not 903 files",
                        "Nothing to do unless it holds a 903 table: then save it as CSV.")
            )
            continue
        groups[_group_key(f)].append(f)

    if forced is not None and len({key for key in groups}) > 1 and len({k[1] for k in groups}) > 1:
        result.problems.append(
            error("(command line)", "--year was given but the files hold several collection years",
                  "Import one year's folder with --year, or leave --year out.")
        )
        return result

    for (folder, named), members in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        per_table: dict[str, CsvFile] = {}
        not_read: dict[str, CsvFile] = {}  # files of tables outside only_tables, recognised, rows not read
        xml_returns: list[Return] = []
        for path in members:
            if progress:
                progress(path.name)
            if path.suffix.lower() == ".xml":
                from carewise.ingest.xml_reader import read_xml_file

                xml_return, xml_problems = read_xml_file(path, forced or named)
                result.problems.extend(xml_problems)
                if xml_return is not None:
                    xml_returns.append(xml_return)
                continue
            spec = table_if_readable(path, read_anyway=only_tables) if only_tables is not None else None
            skipped = spec is not None
            if skipped:
                read = CsvFile(path, spec, None, None)
            else:
                read = read_csv_file(path, check_values)
                result.problems.extend(read.problems)
            if read.spec is None:
                continue
            if read.spec.name in per_table or read.spec.name in not_read:
                first = per_table.get(read.spec.name) or not_read[read.spec.name]
                result.problems.append(
                    error(str(path), f"the {read.spec.title} table is given twice in one year "
                          f"(also in {first.path.name})",
                          "Keep one file per table per collection year.", table=read.spec.name)
                )
                continue
            (not_read if skipped else per_table)[read.spec.name] = read
        for ret in xml_returns:
            label = forced or named
            if label is not None and not _year_agrees(ret.raw, label, "--year" if forced else "the file or folder name",
                                                      next(iter(ret.sources.values())).path if ret.sources else str(folder),
                                                      result.problems):
                continue
            if check_values:
                _overlap_problems(ret, str(folder), result.problems)
            _add_return(result, ret, str(folder))
        if not per_table and not not_read:
            continue
        if any(not f.usable for f in per_table.values()):
            continue
        frames = {name: f.raw for name, f in per_table.items() if f.raw is not None}
        if not_read and ("episodes" not in frames or infer_year({"episodes": frames["episodes"]}) is None):
            # the episodes do not date the year, so the other tables may: read them too
            for name, skipped_file in not_read.items():
                per_table[name] = read_csv_file(skipped_file.path, check_values)
                result.problems.extend(per_table[name].problems)
            if any(not f.usable for f in per_table.values()):
                continue
            frames = {name: f.raw for name, f in per_table.items() if f.raw is not None}
        label = forced or named
        if label is not None and not _year_agrees(frames, label, "--year" if forced else "the folder or file name",
                                                  str(folder), result.problems):
            continue
        the_year = label or infer_year(frames)
        if the_year is None:
            result.problems.append(
                error(str(folder), "the collection year of these files could not be worked out",
                      "Name the folder after the year (e.g. 2024-25) or give --year 2024-25.")
            )
            continue
        ret = Return(the_year, raw=frames, sources={n: f.source for n, f in per_table.items() if f.source})
        _check_tables_for_year(ret, str(folder), result.problems)
        if check_values:
            _overlap_problems(ret, str(folder), result.problems)
        _add_return(result, ret, str(folder))
    if not result.returns and not result.errors:
        result.problems.append(
            error(", ".join(str(p) for p in paths) or "(nothing)", "no 903 files were found",
                  "Point carewise at a folder of 903 CSV files, or at the files themselves.")
        )
    return result


MIN_EPISODES_TO_DATE = 20
"""With fewer episodes, none starting or ending in the labelled year is believable (a handful of
children in long placements), so earlier dates only warn; with more, they refuse."""


def _year_agrees(frames: dict[str, pl.DataFrame], label: CollectionYear, said_by: str, where: str,
                 problems: list[Problem]) -> bool:
    """Whether the year the files are labelled with is the year their dates point to.

    A folder named for the wrong year, a wrong ``--year`` or last year's files in this year's folder
    would otherwise replace a good stored year; the dates decide (:func:`infer_year`). Dates after
    the labelled year refuse the files (no 903 date falls after the year's 31 March), as do dates
    before it when there are enough episodes for one to start or end in any real year, or when no
    episode is still open at the start of the year. Files without such dates take the label's word.
    """
    inferred = infer_year(frames)
    if inferred is None or inferred == label:
        return True
    said = (f"{said_by} says collection year {label}, but the dates in the files point to {inferred} "
            f"(their latest episode, review or missing date is between {inferred.start:%d/%m/%Y} and "
            f"{inferred.end:%d/%m/%Y})")
    fix = (f"Check these are the {label} files; if the dates are right, import them as {inferred} "
           f"(--year {inferred} or a folder named {inferred}).")
    episodes = frames.get("episodes")
    if inferred < label and episodes is not None and 0 < episodes.height < MIN_EPISODES_TO_DATE:
        from carewise.returns.model import parse_date_expr

        open_at_start = episodes.select(
            (parse_date_expr("DEC").is_null() | (parse_date_expr("DEC") >= label.start)).any()).item()
        if open_at_start:
            problems.append(warning(where, said + f"; with only {episodes.height} episodes, all starting earlier "
                                    f"and some still open, carewise took the {label} label", fix, year=label))
            return True
    problems.append(error(where, said, fix, year=label))
    return False


MIN_OVERLAP = 0.5
"""Below this share of its children found in the rest of the return, a file is flagged."""


def _overlap_problems(ret: Return, where: str, problems: list[Problem]) -> None:
    """Flag a table whose children are not the rest of the return's: another council's or another
    year's file dropped into the folder. No child in common is an error, under half a warning.

    Each table is compared with the header (every child of the return has a header row), and the
    header with the episodes.
    """
    children = {name: frame.get_column("CHILD").drop_nulls().str.strip_chars().str.to_uppercase().unique()
                for name, frame in ret.raw.items() if "CHILD" in frame.columns and frame.height}
    for name, ids in children.items():
        other = "episodes" if name == "header" else "header"
        if other not in children or not ids.len():
            continue
        shared = ids.is_in(children[other].implode()).sum() / ids.len()
        if shared >= MIN_OVERLAP:
            continue
        file = Path(ret.sources[name].path).name if name in ret.sources else where
        other_file = Path(ret.sources[other].path).name if other in ret.sources else TABLES[other].title
        if shared == 0:
            problems.append(error(
                file, f"none of the {len(ids):,} children in the {TABLES[name].title} table appear in {other_file}: "
                "it is probably another council's or another year's file",
                "Check the file belongs with the others in the folder; replace it with this return's file.",
                table=name, year=ret.year))
        else:
            problems.append(warning(
                file, f"only {shared:.0%} of the {len(ids):,} children in the {TABLES[name].title} table appear in "
                f"{other_file}", "Check the file belongs with the others; every child in the return has a header row.",
                table=name, year=ret.year))


def _check_tables_for_year(ret: Return, where: str, problems: list[Problem]) -> None:
    year = ret.year
    if not year.supported:
        problems.append(
            warning(where, f"collection year {year} is outside the years carewise knows (2020-21 to 2026-27)",
                    "Figures are computed, but the layout checks of that year may not apply.", year=year)
        )
    for name in list(ret.raw):
        spec = TABLES[name]
        if spec.first_year > 2020 and not spec.in_year(year):
            problems.append(
                warning(ret.sources[name].path if name in ret.sources else where,
                        f"the {spec.title} table is not part of the {year} return",
                        "It was read and stored, but DfE only collects it from "
                        f"{CollectionYear(spec.first_year)}.", table=name, year=year)
            )
    for required in ("header", "episodes"):
        if required not in ret.raw:
            problems.append(
                warning(where, f"there is no {TABLES[required].title} table for {year}",
                        "Most figures need it: add the file to the folder.", table=required, year=year)
            )


def _add_return(result: ReadResult, ret: Return, where: str) -> None:
    if ret.year in result.returns:
        result.problems.append(
            error(where, f"collection year {ret.year} was given twice", "Import each collection year once.",
                  year=ret.year)
        )
        return
    result.returns[ret.year] = ret
