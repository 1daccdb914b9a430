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

from carewise.history import History, stitch
from carewise.ingest import read_returns
from carewise.returns import CollectionYear, Return
from carewise.store import Store

__all__ = ["CollectionYear", "History", "Return", "Store", "read_returns", "stitch"]
