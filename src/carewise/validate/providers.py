"""Ofsted's provider lists for the URN rules, as the rule engine takes them.

The spreadsheets are read by ingest (:mod:`carewise.ingest.providers`, which also recognises a
provider list beside the 903 files); this module wraps the frame as
:class:`~carewise.validate.engine.ProviderLists`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from carewise.ingest.providers import OUTPUT_COLUMNS, provider_frame, read_provider_list
from carewise.validate.engine import ProviderLists

__all__ = ["OUTPUT_COLUMNS", "read_provider_frames", "read_providers"]


def read_provider_frames(frames: dict[str, pl.DataFrame]) -> ProviderLists:
    """Provider lists from already-read sheets (sheet name → text frame)."""
    return ProviderLists(provider_frame(frames))


def read_providers(paths: str | Path | Sequence[str | Path]) -> ProviderLists:
    """Read one or more Ofsted provider spreadsheets into one :class:`ProviderLists`."""
    return ProviderLists(read_provider_list(paths))
