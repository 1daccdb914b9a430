"""The 903 return: its tables per collection year, and a year's data as polars frames."""

from carewise.returns.model import ROW, Return, SourceFile, typed_from_raw
from carewise.returns.tables import TABLES, TableSpec, table, tables_for
from carewise.returns.timeline import Timeline
from carewise.returns.years import (
    CollectionYear,
    age_at,
    age_expr,
    birthday,
    birthday_expr,
    year_range,
)

__all__ = [
    "ROW",
    "TABLES",
    "CollectionYear",
    "Return",
    "SourceFile",
    "TableSpec",
    "Timeline",
    "age_at",
    "age_expr",
    "birthday",
    "birthday_expr",
    "table",
    "tables_for",
    "typed_from_raw",
    "year_range",
]
