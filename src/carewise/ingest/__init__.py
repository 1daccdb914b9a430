"""Read 903 files (CSV and XML, many years at once) into returns; report every problem.

Local extracts (compliance's, the placements market's) are read by one schema-driven reader,
``ingest.extracts``: a capability declares each extract as a ``Table`` of ``Column``s and calls
``read_files``. Ingest never writes to the store: it gives typed frames and problems, and the
caller decides what to keep.
"""

from carewise.ingest.csv_reader import CsvFile, read_csv_bytes, read_csv_file
from carewise.ingest.extracts import Column, ExtractError, ReadTable, Table, read_files
from carewise.ingest.problems import Problem, Severity
from carewise.ingest.reader import ReadResult, infer_year, read_returns
from carewise.ingest.xml_reader import read_xml_bytes, read_xml_file

__all__ = [
    "Column",
    "CsvFile",
    "ExtractError",
    "Problem",
    "ReadResult",
    "ReadTable",
    "Severity",
    "Table",
    "infer_year",
    "read_csv_bytes",
    "read_csv_file",
    "read_files",
    "read_returns",
    "read_xml_bytes",
    "read_xml_file",
]
