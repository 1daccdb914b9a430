"""carewise: figures, forecasts and decisions for children looked after, from the 903 return.

The Python API gives the same data as the command line, as polars frames::

    import carewise
    read = carewise.read_returns(["returns/2024-25"])      # files → one Return per year
    read.returns[carewise.CollectionYear(2024)].table("episodes")   # typed polars frame
    store = carewise.Store()                               # the configured database
    history = store.load_history("E06000056")              # every year stitched per child
    history.episodes, history.header, history.conflicts
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from carewise.lazy import lazy_names

if TYPE_CHECKING:  # the names as the type checker sees them; at run time, imported on first use
    from carewise.history import History, stitch  # noqa: F401
    from carewise.ingest import read_returns  # noqa: F401
    from carewise.returns import CollectionYear, Return  # noqa: F401
    from carewise.store import Store  # noqa: F401

_FACE = {
    "CollectionYear": "carewise.returns",
    "History": "carewise.history",
    "Return": "carewise.returns",
    "Store": "carewise.store",
    "read_returns": "carewise.ingest",
    "stitch": "carewise.history",
}
"""Each name's module, imported on first use (PEP 562): ``carewise --help`` and every command
start without loading polars or SQLAlchemy until a command needs them."""

__all__ = sorted(_FACE)


__getattr__ = lazy_names(__name__, _FACE)
