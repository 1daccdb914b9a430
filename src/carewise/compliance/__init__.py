"""Promises kept: statutory compliance for every child, care leavers to 25, pledges and actions.

Public face:

- ``assess(history, extracts, as_at) -> Assessment`` (per child ``current``, ``instances``,
  ``summary`` by the ids in ``SUMMARY_IDS``); ``assess_stored(store, la_code, as_at)``;
- ``views``: ``by_group``, ``trend``, ``worklist``, ``to_excel``, ``as_json``;
- ``leavers.leavers(history, extracts, as_at)``: the care-leaver cohort by legal status, PA
  caseloads and the PA caseload forecast;
- ``extracts``: the local extract specs (``EXTRACTS``), ``read_extracts``, ``write_templates``;
  ``storage``: ``import_extracts``, ``load_extracts``, ``Extracts``;
- ``rules``: the statutory timescales (versioned data in ``timescales.toml``);
- ``pledges``: the pledge register and the append-only action plan.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from carewise.compliance.storage import Extracts, load_extracts
from carewise.compliance.views import SUMMARY_IDS, Assessment, assess

if TYPE_CHECKING:
    from carewise.store.store import Store


def assess_stored(store: Store, la_code: str, as_at: date | None = None) -> Assessment:
    """Compliance from what a store holds for a council: its 903 history and local extracts."""
    return assess(store.load_history(la_code), load_extracts(store, la_code), as_at)


__all__ = ["SUMMARY_IDS", "Assessment", "Extracts", "assess", "assess_stored", "load_extracts"]
