"""What pages show, fetched through the capabilities' own APIs and cached per import.

Outputs never compute figures: pages ask :mod:`carewise.measures` (and the
store, for batches and child histories). A council's history and its measure
results are cached until a new batch is imported, so dashboards are fast for
many concurrent users.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from carewise.disclosure import DEFAULT, Policy
from carewise.history import History
from carewise.measures.explorer import FILTERS, filter_history, filter_options
from carewise.store import Store

__all__ = ["FILTERS", "CouncilData", "filter_history", "filter_options", "published_shares"]

CHARACTERISTIC_GROUPS = {
    "age_band": "Age group",
    "sex": "Sex",
    "ethnic_group": "Ethnicity",
    "legal_status": "Legal status",
    "need": "Category of need",
    "uasc_status": "Unaccompanied asylum-seeking children",
    "placement_group": "Placement",
}
"""A breakdown of children looked after at 31 March and DfE's characteristics group holding the
same categories in the same words (``measures.codes``)."""


def _published_percent(text: str | None) -> str:
    """A published percentage as DfE shows it: ``k`` is under 0.5%, other symbols hide it."""
    if text == "k":
        return "under 0.5%"
    try:
        return f"{float(text or ''):g}%"
    except ValueError:
        return "not published"


@lru_cache(maxsize=256)
def published_shares(la_code: str, year: int) -> tuple[int | None, dict[str, dict[str, dict[str, str]]]]:
    """DfE's published shares of children looked after at 31 March by characteristic, for England
    and the council's region, for the year ending 31 March ``year`` (else the latest before it):
    ``(year used, {breakdown: {label: {category: "12%"}}})``. A look-up of DfE's own figures
    (``benchmarks.characteristics``), computed nowhere here."""
    import polars as pl

    from carewise.benchmarks import ENGLAND, characteristics, region_of

    table = characteristics()
    years = [y for y in table["time_period"].unique().to_list() if y <= year]
    if not years:
        return None, {}
    used = max(years)
    region = region_of(la_code)
    areas = {ENGLAND: "England", **({region[0]: region[1]} if region else {})}
    rows = table.filter((pl.col("time_period") == used) & pl.col("la_code").is_in(list(areas))
                        & pl.col("cla_group").is_in(list(CHARACTERISTIC_GROUPS.values())))
    by_group = {group: name for name, group in CHARACTERISTIC_GROUPS.items()}
    out: dict[str, dict[str, dict[str, str]]] = {}
    for r in rows.iter_rows(named=True):
        out.setdefault(by_group[r["cla_group"]], {}).setdefault(areas[r["la_code"]], {})[
            r["characteristic"]] = _published_percent(r["percentage"])
    return used, {name: {label: out[name][label] for label in areas.values() if label in out[name]}
                  for name in out}


class _LRU:
    """A small least-recently-used cache that makes each value once, however many ask at once.

    Concurrent requests for a value being made wait for it rather than make it again, so the
    first minute after a restart or an import does not compute the same measures 50 times.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[Any, threading.Lock] = {}

    def get_or_make(self, key: Any, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._data:
                    self._data.move_to_end(key)
                    return self._data[key]
            try:
                value = make()
                with self._lock:
                    self._data[key] = value
                    self._data.move_to_end(key)
                    while len(self._data) > self.size:
                        self._data.popitem(last=False)
            finally:
                with self._lock:
                    self._making.pop(key, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


VERSION_TTL = 1.0
"""Seconds a council's batch list is trusted before the store is asked again (an import through
the web app clears it at once; one from the command line shows within this time)."""


class CouncilData:
    """Cached access to one store's councils: histories, measures, child references."""

    def __init__(self, store: Store, secret: str, policy: Policy = DEFAULT) -> None:
        self.store = store
        self.policy = policy
        self._secret = secret.encode()
        self._histories = _LRU(8)
        self._measures = _LRU(256)
        self._options = _LRU(64)
        self._pages = _LRU(64)
        self._versions: dict[str, tuple[float, tuple[int, ...]]] = {}

    def version(self, la_code: str) -> tuple[int, ...]:
        """Changes whenever a batch is imported for the council (the cache key)."""
        now = time.monotonic()
        known = self._versions.get(la_code)
        if known is not None and now - known[0] < VERSION_TTL:
            return known[1]
        current = tuple(b.id for b in self.store.batches(la_code) if b.status == "current")
        self._versions[la_code] = (now, current)
        return current

    def history(self, la_code: str) -> History:
        key = (la_code, self.version(la_code))
        return self._histories.get_or_make(key, lambda: self.store.load_history(la_code))

    def measures(self, la_code: str, period: str, audience: str, ids: tuple[str, ...] | None = None,
                 filters: tuple[tuple[str, str], ...] = ()) -> list:
        from carewise.measures import Options, evaluate

        key = (la_code, self.version(la_code), period, audience, ids, filters)

        def make():
            history = self.history(la_code)
            options = Options(disclosure=self.policy)
            if filters and not self.policy.protects(audience):
                history = filter_history(history, period, dict(filters))
                return evaluate(history, period, la_code, audience, ids=ids, options=options)
            # audiences that may not see children: slices of one table family suppressed together
            return evaluate(history, period, la_code, audience, ids=ids, options=options,
                            filters=dict(filters) or None)

        return self._measures.get_or_make(key, make)

    def filter_options(self, la_code: str, period: str) -> dict[str, list[str]]:
        """The explorer's filter values at the period's end (cached like the measures)."""
        key = (la_code, self.version(la_code), period)
        return self._options.get_or_make(key, lambda: filter_options(self.history(la_code), period))

    def cached(self, la_code: str, key: tuple, make: Callable[[], Any]) -> Any:
        """Anything worked out from a council's 903 data (a page's figures, a validation run),
        kept until its next import: ``key`` names what it is."""
        return self._pages.get_or_make((la_code, self.version(la_code), *key), make)

    def invalidate(self) -> None:
        self._pages.clear()
        self._versions.clear()
        self._histories.clear()
        self._measures.clear()
        self._options.clear()

    # -- child references: opaque in URLs, never the CHILD id itself --------------------------

    def child_ref(self, la_code: str, child: str) -> str:
        return hmac.new(self._secret, f"{la_code}:{child}".encode(), hashlib.sha256).hexdigest()[:24]

    def child_by_ref(self, la_code: str, ref: str) -> str | None:
        history = self.history(la_code)
        for child in history.header["CHILD"].to_list() + history.episodes["CHILD"].unique().to_list():
            if child is not None and hmac.compare_digest(self.child_ref(la_code, child), ref):
                return child
        return None
