"""What children said, per pledge, and what was done about it.

**Share who agree** (per pledge, age group and calendar year of the survey): of the children who
answered at least one of the pledge's questions (``dont_know`` is not an answer), the share whose
every such answer agrees (``extracts.AGREE``: the top two points of a scale, or yes). A child is
one completed form (``survey`` + ``respondent``), so a pledge tested by three questions counts each
child once. This is how the council's strategies read them ("we will use the pledges to judge how
successful we are", seed 000): a promise is kept for a child when every part of it is.

For audiences that may not see children, every figure goes through ``carewise.disclosure``: the
groups' counts of children, those agreeing and those not are tied by their sums into one
``disclosure.Table`` per pledge and year, and a share is shown only when neither the children in
its group nor those agreeing is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import polars as pl

from carewise.disclosure import SUPPRESSED, Policy, Table, current
from carewise.voice.extracts import AGE_GROUP_TITLES, AGE_GROUPS, AGREE, CLOSED, NOT_AN_ANSWER
from carewise.voice.storage import Voice

ALL = "all"


def agreement(responses: pl.DataFrame, questions: pl.DataFrame) -> pl.DataFrame:
    """One row per child (form) and pledge: ``pledge``, ``age_group``, ``year``, ``agrees``."""
    answered = responses.filter(pl.col("answer").is_not_null() & ~pl.col("answer").is_in(list(NOT_AN_ANSWER)))
    joined = answered.join(questions.select("question", "pledge"), on="question", how="inner")
    return (joined.group_by("survey", "respondent", "pledge")
            .agg(pl.col("age_group").first(), pl.col("date").min().dt.year().alias("year"),
                 pl.col("answer").is_in(list(AGREE)).all().alias("agrees"))
            .select("pledge", "age_group", "year", "agrees"))


def shown_shares(counts: dict[str, tuple[int, int]], audience: str, policy: Policy | None = None
                 ) -> dict[str, dict[str, Any]]:
    """Each group's (children, agreeing) and the whole's, as the audience may see them.

    Returns per group and ``all``: ``children`` (text), ``share`` (text) and ``value`` (the
    share as a number, None when hidden or there is none)."""
    policy = policy or current()
    total_n = sum(n for n, _ in counts.values())
    total_a = sum(a for _, a in counts.values())
    everything = {**counts, ALL: (total_n, total_a)}
    hidden: set[str] = set()
    if policy.protects(audience):
        table = Table(threshold=policy.threshold)
        for g, (n, a) in everything.items():
            table.add(f"n:{g}", n)
            table.add(f"a:{g}", a)
            table.add(f"r:{g}", n - a, implicit=True)
            table.tie(f"n:{g}", [f"a:{g}", f"r:{g}"])
        for kind in "nar":
            table.tie(f"{kind}:{ALL}", [f"{kind}:{g}" for g in counts])
        hidden = table.solve()
    out = {}
    for g, (n, a) in everything.items():
        n_hidden = f"n:{g}" in hidden
        share_hidden = n_hidden or f"a:{g}" in hidden or policy.hides_share(n, audience, a)
        value = None if n == 0 or share_hidden else round(100 * a / n, 1)
        out[g] = {"children": SUPPRESSED if n_hidden else policy.count(n, audience),
                  "share": SUPPRESSED if share_hidden and n else ("–" if n == 0 else f"{value:.0f}%"),
                  "value": value}
    return out


def _counts(frame: pl.DataFrame, flag: str) -> dict[str, tuple[int, int]]:
    got = {r["age_group"]: (r["n"], r["a"]) for r in frame.group_by("age_group").agg(
        pl.len().alias("n"), pl.col(flag).sum().alias("a")).iter_rows(named=True)}
    return {g: got.get(g, (0, 0)) for g in AGE_GROUPS}


def pledge_views(voice: Voice, pledges: Iterable[Any], audience: str, rags: dict[str, str] | None = None,
                 actions: Iterable[Any] = (), policy: Policy | None = None) -> list[dict[str, Any]]:
    """Per pledge: its questions, the shares who agree by age group and year, the benchmark
    shares (when the council supplied them), its RAG and the actions answering it."""
    rags = rags or {}
    questions = voice.get("survey_questions")
    agree = agreement(voice.get("survey_responses"), questions)
    bench = voice.get("benchmarks")
    asks = voice.get("asks")
    out = []
    for p in pledges:
        mine = agree.filter(pl.col("pledge") == p.ref)
        years = []
        for year in sorted(mine["year"].unique().to_list()):
            shares = shown_shares(_counts(mine.filter(pl.col("year") == year), "agrees"), audience, policy)
            years.append({"year": year, "groups": shares})
        linked = set(asks.filter(pl.col("pledge") == p.ref)["action"].drop_nulls().to_list())
        out.append({
            "ref": p.ref, "pledge": p.pledge, "audience": p.audience, "rag": rags.get(p.ref, "grey"),
            "questions": questions.filter(pl.col("pledge") == p.ref).select("question", "text").to_dicts(),
            "years": years,
            "benchmarks": bench.filter(pl.col("pledge") == p.ref).select("age_group", "share", "source").to_dicts(),
            "actions": [{"ref": a.ref, "action": a.action, "status": a.status, "rag": a.rag}
                        for a in actions if a.ref in linked],
            "asks": asks.filter(pl.col("pledge") == p.ref)["ref"].to_list(),
        })
    return out


def consultation_views(voice: Voice, audience: str, policy: Policy | None = None) -> list[dict[str, Any]]:
    """Per year of reviews: the share of children who felt listened to, and who understood their
    plan, by age group (each of the children who answered that question)."""
    frame = voice.get("consultations").with_columns(pl.col("review_date").dt.year().alias("year"))
    out = []
    for year in sorted(frame["year"].drop_nulls().unique().to_list()):
        rows = frame.filter(pl.col("year") == year)
        item: dict[str, Any] = {"year": year}
        for flag in ("listened_to", "understood_plan"):
            item[flag] = shown_shares(_counts(rows.filter(pl.col(flag).is_not_null()), flag), audience, policy)
        out.append(item)
    return out


def overdue(status: str, due: date | None, on: date) -> bool:
    """An ask is overdue when no response has been given ("done" or "not possible") by its due date."""
    return status not in CLOSED and due is not None and due < on


def ask_views(voice: Voice, history: dict[str, list[dict[str, Any]]], on: date,
              actions: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """"You said, we did": each ask with owner, due date, response, history and links, overdue
    ones first (then by due date)."""
    by_ref = {a.ref: a for a in actions}
    out = []
    for r in voice.get("asks").iter_rows(named=True):
        action = by_ref.get(r["action"]) if r["action"] else None
        out.append({
            "ref": r["ref"], "forum": r["forum"], "raised": r["raised"], "you_said": r["you_said"],
            "owner": r["owner"], "due": r["due"], "status": r["status"], "we_did": r["we_did"],
            "pledge": r["pledge"], "action": r["action"],
            "action_status": action.status if action else None, "action_rag": action.rag if action else None,
            "overdue": overdue(r["status"], r["due"], on),
            "history": history.get(r["ref"], []),
        })
    return sorted(out, key=lambda a: (not a["overdue"], a["due"] or date.max, a["ref"]))


def quotes(voice: Voice) -> list[dict[str, Any]]:
    """Comments the council has marked for publication, with the age group, year and pledge
    (never the child or the form)."""
    frame = voice.get("survey_responses").filter(pl.col("publish").fill_null(False) & pl.col("comment").is_not_null())
    frame = frame.join(voice.get("survey_questions").select("question", "pledge"), on="question", how="left")
    return [{"quote": r["comment"], "age_group": AGE_GROUP_TITLES[r["age_group"]], "year": r["date"].year,
             "pledge": r["pledge"]} for r in frame.iter_rows(named=True)]


def as_json(value: Any) -> Any:
    """Dates as ISO text, for ``--json`` and the API."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value
