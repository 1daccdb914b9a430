"""Share who agree with a pledge (docs/voice.md): each child (form) once per pledge; a child agrees
when every answer to the pledge's questions agrees; "don't know" is not an answer."""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.compliance.pledges import Pledge
from carewise.voice.storage import Voice
from carewise.voice.views import pledge_views


def test_share_who_agree_hand_worked():
    # P1 is tested by Q1 and Q2, P2 by Q3.
    questions = pl.DataFrame({"question": ["Q1", "Q2", "Q3"], "text": ["a", "b", "c"], "pledge": ["P1", "P1", "P2"]})
    rows = [
        # R1: agrees with both P1 questions -> agrees with P1
        ("R1", "Q1", "agree"), ("R1", "Q2", "all_of_the_time"),
        # R2: one P1 answer disagrees -> does not agree
        ("R2", "Q1", "strongly_agree"), ("R2", "Q2", "sometimes"),
        # R3: don't know on Q1, yes on Q2 -> agrees (don't know is not an answer)
        ("R3", "Q1", "dont_know"), ("R3", "Q2", "yes"),
        # R4: only don't know -> not counted for P1; answers P2 with no
        ("R4", "Q1", "dont_know"), ("R4", "Q3", "no"),
    ]
    responses = pl.DataFrame({
        "survey": ["YLYC"] * len(rows), "respondent": [r[0] for r in rows], "question": [r[1] for r in rows],
        "answer": [r[2] for r in rows], "age_group": ["11_plus"] * len(rows), "date": [date(2025, 2, 1)] * len(rows),
        "child": [None] * len(rows), "comment": [None] * len(rows), "publish": [None] * len(rows)})
    voice = Voice.from_frames({"survey_questions": questions, "survey_responses": responses})
    pledges = [Pledge("P1", "p1", "children", "visits_on_time", 90), Pledge("P2", "p2", "children", "visits_on_time", 90)]
    p1, p2 = pledge_views(voice, pledges, "internal")
    (year,) = p1["years"]
    assert year["year"] == 2025
    # P1: R1, R2, R3 answered; R1 and R3 agree: 2 / 3 = 66.7%
    assert year["groups"]["11_plus"] == {"children": "3", "share": "67%", "value": 66.7}
    assert year["groups"]["under_11"]["share"] == "–"
    assert year["groups"]["all"]["value"] == 66.7
    # P2: R4 answered no: 0 / 1
    assert p2["years"][0]["groups"]["11_plus"]["value"] == 0.0
