"""Read 903 files (CSV and XML, many years at once) into returns; report every problem.

Local extracts (compliance's, the placements market's) are read by one schema-driven reader,
``ingest.extracts``: a capability declares each extract as a ``Table`` of ``Column``s and calls
``read_files``. Ingest never writes to the store: it gives typed frames and problems, and the
caller decides what to keep.
"""

from typing import TYPE_CHECKING

from carewise.lazy import lazy_names

if TYPE_CHECKING:  # the names as the type checker sees them; at run time, imported on first use
    from carewise.ingest.csv_reader import CsvFile, read_csv_bytes, read_csv_file  # noqa: F401
    from carewise.ingest.extracts import Column, ExtractError, ReadTable, Table, read_files  # noqa: F401
    from carewise.ingest.problems import Problem, Severity  # noqa: F401
    from carewise.ingest.reader import ReadResult, infer_year, read_returns  # noqa: F401
    from carewise.ingest.xml_reader import read_xml_bytes, read_xml_file  # noqa: F401

_FACE = {
    "Column": "carewise.ingest.extracts",
    "CsvFile": "carewise.ingest.csv_reader",
    "ExtractError": "carewise.ingest.extracts",
    "Problem": "carewise.ingest.problems",
    "ReadResult": "carewise.ingest.reader",
    "ReadTable": "carewise.ingest.extracts",
    "Severity": "carewise.ingest.problems",
    "Table": "carewise.ingest.extracts",
    "infer_year": "carewise.ingest.reader",
    "read_csv_bytes": "carewise.ingest.csv_reader",
    "read_csv_file": "carewise.ingest.csv_reader",
    "read_files": "carewise.ingest.extracts",
    "read_returns": "carewise.ingest.reader",
    "read_xml_bytes": "carewise.ingest.xml_reader",
    "read_xml_file": "carewise.ingest.xml_reader",
}
"""Each name's module, imported on first use (PEP 562), so importing ``carewise.ingest.problems``
(as the command line does) does not load polars."""

__all__ = sorted(_FACE)


__getattr__ = lazy_names(__name__, _FACE)
