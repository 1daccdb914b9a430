"""Where loaded markets are kept: versioned parquet files behind a small interface.

``MarketStore`` is what matching needs from storage; ``ParquetMarketStore`` keeps each load as
a new version folder ``<data folder>/market/<la_code>/v0001/`` (one parquet file per extract
and a ``manifest.json``). A version is written to a temporary folder and renamed into place,
so a load lands whole or not at all. Moving markets into the database later means writing
another ``MarketStore``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import polars as pl

from carewise.errors import NotFoundError
from carewise.matching.market import Market, empty
from carewise.matching.schema import TABLES


class MarketStore(Protocol):
    def save(self, market: Market, *, actor: str, sources: list[Path]) -> str: ...

    def load(self, la_code: str, version: str | None = None) -> Market: ...

    def versions(self, la_code: str) -> list[dict]: ...

    def councils(self) -> list[str]: ...


def market_root() -> Path:
    from carewise.settings import get_settings

    return Path(get_settings().data_dir) / "market"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class ParquetMarketStore:
    """Versioned parquet files under the carewise data folder (``CAREWISE_DATA_DIR``)."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else market_root()

    def _folder(self, la_code: str) -> Path:
        return self.root / la_code

    def councils(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and self.versions(p.name))

    def versions(self, la_code: str) -> list[dict]:
        folder = self._folder(la_code)
        if not folder.exists():
            return []
        out = []
        for path in sorted(folder.glob("v[0-9][0-9][0-9][0-9]")):
            manifest = path / "manifest.json"
            if manifest.exists():
                out.append(json.loads(manifest.read_text("utf-8")))
        return out

    def save(self, market: Market, *, actor: str, sources: list[Path]) -> str:
        folder = self._folder(market.la_code)
        folder.mkdir(parents=True, exist_ok=True)
        previous = self.versions(market.la_code)
        number = int(previous[-1]["version"][1:]) + 1 if previous else 1
        version = f"v{number:04d}"
        tmp = Path(tempfile.mkdtemp(prefix=".loading-", dir=folder))
        try:
            for name in TABLES:
                market.table(name).write_parquet(tmp / f"{name}.parquet")
            manifest = {
                "version": version,
                "la_code": market.la_code,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "actor": actor,
                "based_on": previous[-1]["version"] if previous else None,
                "rows": {name: market.table(name).height for name in TABLES},
                "sources": [{"file": Path(p).name, "sha256": _sha256(Path(p))} for p in sources],
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
            os.rename(tmp, folder / version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return version

    def load(self, la_code: str, version: str | None = None) -> Market:
        versions = self.versions(la_code)
        if not versions:
            raise NotFoundError(f"No market is loaded for {la_code}. Load the extracts with "
                                "`carewise market load FILES --council CODE` (templates: "
                                "`carewise market template DIR`).")
        chosen = version or versions[-1]["version"]
        path = self._folder(la_code) / chosen
        if not path.exists():
            known = ", ".join(v["version"] for v in versions)
            raise NotFoundError(f"No market version {chosen} for {la_code}. Versions: {known}.")
        tables = {}
        for name in TABLES:
            file = path / f"{name}.parquet"
            tables[name] = pl.read_parquet(file) if file.exists() else empty(name)
        return Market(la_code, version=chosen, **tables)
