"""Everything a panel reads about children's views, in one dict: the CLI's ``--json``, the web
pages and the pack section all start from :func:`voice_summary`, so they cannot disagree."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from carewise.voice.storage import ask_history, load_voice
from carewise.voice.views import ask_views, consultation_views, pledge_views, quotes

if TYPE_CHECKING:
    from carewise.store.store import Store

NO_BENCHMARK = ("No national comparison: the council has not loaded a benchmarks file (e.g. the "
                "Bright Spots national headline shares). Load one with `carewise voice load benchmarks.csv`.")


def voice_summary(store: Store, la_code: str, audience: str = "internal", on: date | None = None,
                  history=None, with_rag: bool = True, rag_at: date | None = None,
                  extracts=None) -> dict[str, Any]:
    """Per pledge what children said (shares by age group and year, RAG, actions), the review
    consultations, the asks tracker and the quotes marked for publication.

    ``on``: the day asks are judged overdue on (default today); ``rag_at``: the day of the pledges'
    RAG (default the last day of the 903 data); ``history``/``extracts``: to save reloading."""
    from carewise.compliance.pledges import list_actions, list_pledges

    on = on or date.today()
    voice = load_voice(store, la_code)
    pledges = list_pledges(store, la_code)
    actions = list_actions(store, la_code)
    rags: dict[str, str] = {}
    if with_rag and pledges:
        from carewise.compliance.pledges import pledge_rows

        _, rows = pledge_rows(store, la_code, rag_at, audience, history=history, extracts=extracts)
        rags = {r["ref"]: r["rag"] for r in rows}
    asks = ask_views(voice, ask_history(store, la_code), on, actions)
    benchmarks = voice.loaded("benchmarks") and voice.get("benchmarks").height > 0
    return {
        "council": la_code, "audience": audience, "on": on,
        "loaded": sorted(voice.frames),
        "pledges": pledge_views(voice, pledges, audience, rags, actions),
        "consultations": consultation_views(voice, audience),
        "asks": asks,
        "asks_summary": {"total": len(asks), "answered": sum(a["status"] in ("done", "not_possible") for a in asks),
                         "overdue": sum(a["overdue"] for a in asks)},
        "overdue": [a["ref"] for a in asks if a["overdue"]],
        "quotes": quotes(voice),
        "benchmarks_supplied": benchmarks,
        "benchmark_note": "" if benchmarks else NO_BENCHMARK,
    }
