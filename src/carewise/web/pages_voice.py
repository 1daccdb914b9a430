"""Voice pages: what children and care leavers told us, per pledge, and "you said, we did".

``/voice`` shows aggregates to every role (panel users see small groups as ``x``, through
``carewise.disclosure``). ``/voice/forms`` lists feedback forms that carry a child reference, so
only roles that may see children reach it, and every view is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from carewise.store import audit
from carewise.store.accounts import User
from carewise.web.auth import children_roles, current_user

router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, **context: Any):
    from carewise.web.rendering import render

    return render(request, name, **context)


@router.get("/voice")
def voice_page(request: Request, user: User = Depends(current_user)) -> Response:
    council = getattr(request.state, "council", None)
    if council is None:
        return _render(request, "no_data.html", title="No data yet")
    from carewise.compliance.pledges import RAG_WORDS
    from carewise.voice.extracts import AGE_GROUP_TITLES
    from carewise.voice.summary import voice_summary

    audience = "internal" if user.role.sees_children else "panel"
    store, data, today = request.app.state.store, request.app.state.data, date.today()
    got = data.cached(council.la_code, ("voice", *_voice_version(store, council.la_code), audience, today),
                      lambda: voice_summary(store, council.la_code, audience, today,
                                            data.history(council.la_code)))
    groups = {**AGE_GROUP_TITLES, "all": "All"}
    return _render(request, "voice.html", title="What children told us", v=got, groups=groups,
                   rag_words=RAG_WORDS, age_titles=AGE_GROUP_TITLES)


def _voice_version(store, la_code: str) -> tuple:
    """What /voice shows depends on besides the 903 data (which ``CouncilData.cached`` keys on):
    the feedback loads (their ids and status: current rows and the asks' history), the
    compliance extract loads (the pledges' RAG), and the pledges and actions as stored. Reading
    these is a few small queries; working the page out again cost about 155 ms of CPU a visit."""
    from carewise.compliance.pledges import list_actions, list_pledges
    from carewise.compliance.storage import extract_batches
    from carewise.voice.storage import voice_batches

    return (tuple((b.id, b.status) for b in voice_batches(store, la_code)),
            tuple((b.id, b.status) for b in extract_batches(store, la_code)),
            repr(list_pledges(store, la_code)), repr(list_actions(store, la_code)))


@router.get("/voice/forms")
def forms_page(request: Request, user: User = Depends(children_roles)) -> Response:
    council = getattr(request.state, "council", None)
    if council is None:
        return _render(request, "no_data.html", title="No data yet")
    from carewise.voice.storage import load_voice

    voice = load_voice(request.app.state.store, council.la_code)
    data = request.app.state.data
    forms = voice.get("consultations").filter(pl.col("child").is_not_null()).sort("review_date", descending=True)
    items = [{**r, "ref": data.child_ref(council.la_code, r["child"])} for r in forms.to_dicts()]
    audit.record(request.app.state.store, user.username, "view-child-list", council=council.la_code,
                 target="voice-forms", detail={"children": forms["child"].n_unique()})
    return _render(request, "voice_forms.html", title="Review consultation forms", items=items)
