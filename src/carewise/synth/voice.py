"""Synthetic feedback: surveys, review consultations and "you said, we did", for the demo.

Surveys are like Coram Voice's Bright Spots (Your Life Your Care for children under 11 and 11-18,
Your Life Beyond Care for care leavers): a few dozen forms per age group each February, questions
tied to the council's pledges (those of docs/compliance.md, in the words of seed 000), agreement
drifting up a little each year, younger children agreeing more (as Bright Spots reports). A few
comments are marked for publication. The Children in Care Council and care leavers' forum raise
asks through the years; most are answered, some are past their due date without a response.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from carewise.compliance.pledges import Pledge
from carewise.voice.extracts import AGE_GROUPS, EXTRACTS

PLEDGES = (
    Pledge("P1", "Making sure you see your social worker on your own on a regular basis", "children",
           "visits_seen_alone", 80),
    Pledge("P2", "We will see you at least every six weeks", "children", "visits_on_time", 90),
    Pledge("P3", "Supporting you to have regular health and dental checks", "children", "rha_on_time", 90),
    Pledge("P4", "Working with you to create a Pathway Plan", "care_leavers", "pathway_plans_current", 95),
    Pledge("P5", "We will stay in touch with you", "care_leavers", "care_leavers_in_touch", 90),
)
"""The example pledges of docs/compliance.md, used when the council has recorded none."""

QUESTIONS = (
    # question, text, pledge, who answers, answer scale, base share agreeing
    ("Q1", "Do you get to see your social worker on your own?", "P1", "children", "yes_no", 0.78),
    ("Q2", "Do you trust your social worker?", "P1", "children", "often", 0.84),
    ("Q3", "Do you know who your social worker is?", "P2", "children", "yes_no", 0.9),
    ("Q4", "Can you get in touch with your social worker easily?", "P2", "children", "often", 0.72),
    ("Q5", "Do you get the help you need to stay healthy?", "P3", "children", "agree", 0.82),
    ("L1", "Were you involved in writing your pathway plan?", "P4", "care_leaver", "yes_no", 0.7),
    ("L2", "Does your Personal Adviser keep in touch with you?", "P5", "care_leaver", "often", 0.8),
    ("L3", "Do you know how to get help when you need it?", "P5", "care_leaver", "agree", 0.74),
)
SCALES = {
    "yes_no": (("yes",), ("no",)),
    "often": (("all_of_the_time", "most_of_the_time"), ("sometimes", "hardly_ever", "never")),
    "agree": (("strongly_agree", "agree"), ("neither", "disagree", "strongly_disagree")),
}
FORMS_PER_YEAR = {"under_11": 28, "11_plus": 40, "care_leaver": 24}
"""Forms returned in a year (Poisson means): a few dozen per group, as Bright Spots councils see."""
AGREE_OFFSET = {"under_11": 0.06, "11_plus": 0.0, "care_leaver": -0.04}
COMMENTS = {
    "P1": ("My social worker listens to me when it is just us.", "I wish I could see my worker on my own more."),
    "P2": ("I know who to ring if something is wrong.", "My social worker changed three times this year."),
    "P3": ("The nurse helped me sort out my dentist.",),
    "P4": ("I wrote my plan with my PA and it is mine.", "Nobody asked me what I wanted in my plan."),
    "P5": ("My PA texts me every couple of weeks.", "I don't always know who to call."),
}
ASKS = (
    # forum, you said, owner, pledge, action, months to respond, response
    ("children_in_care_council", "More time with our social workers on our own, not just at reviews",
     "Head of Service, Children in Care", "P1", "1.1", 3, "Workers now book one visit in three with the child alone"),
    ("children_in_care_council", "Tell us before our social worker changes, and introduce the new one",
     "Head of Service, Children in Care", "P2", "", 4, "A handover visit with both workers is now the rule"),
    ("care_leavers_forum", "Council tax exemption for care leavers up to 25", "Director of Children's Services",
     "P5", "", 6, "Agreed by Cabinet: exempt to 25 from April"),
    ("care_leavers_forum", "Wi-Fi in semi-independent accommodation", "Commissioning Manager", "P4", "", 3, ""),
    ("children_in_care_council", "Free leisure passes for children in care and their carers",
     "Corporate Parenting Lead", "", "", 4, ""),
    ("care_leavers_forum", "A named PA before we turn 17", "Leaving Care Team Manager", "P5", "", 2,
     "Every young person now meets their PA at 16 and a half"),
    ("children_in_care_council", "Health checks at school, not in a clinic", "Designated Nurse", "P3", "", 5, ""),
)
ACTIONS = (
    ("1.1", "Recommendation 1: effective frontline managers and IROs",
     "First line leadership and management programme for frontline managers and IROs",
     "Head of Learning and Development", 9, "on_track", "Programme designed"),
)


def _answers(rng: np.random.Generator, scale: str, p: float, n: int) -> list[str]:
    yes, no = SCALES[scale]
    agree = rng.random(n) < p
    dont_know = rng.random(n) < 0.04
    return ["dont_know" if d else (rng.choice(yes) if a else rng.choice(no))
            for a, d in zip(agree, dont_know, strict=True)]


def generate_voice(as_at: date, seed: int = 1, years: int = 3, children: list[str] | None = None
                   ) -> dict[str, pl.DataFrame]:
    """Typed frames of every feedback extract for the ``years`` surveys up to ``as_at``.

    ``children``: 903 CHILD ids to put on some review consultation forms (the optional child
    reference), so the audited child view has something to show."""
    rng = np.random.default_rng(seed)
    first = as_at.year - years + (1 if date(as_at.year, 2, 15) <= as_at else 0)
    responses: list[dict] = []
    for y, year in enumerate(range(first, first + years)):
        day = date(year, 2, 15)
        for group in AGE_GROUPS:
            forms = int(rng.poisson(FORMS_PER_YEAR[group]))
            mine = [q for q in QUESTIONS if (q[3] == "care_leaver") == (group == "care_leaver")]
            survey = f"{'Your Life Beyond Care' if group == 'care_leaver' else 'Your Life Your Care'} {year}"
            for form in range(forms):
                respondent = f"{group[:2].upper()}{form + 1:03d}"
                for qid, _text, pledge, _who, scale, base in mine:
                    p = min(0.97, base + AGREE_OFFSET[group] + 0.03 * y)
                    (answer,) = _answers(rng, scale, p, 1)
                    comment, publish = None, False
                    if rng.random() < 0.03:
                        comment = str(rng.choice(COMMENTS[pledge]))
                        publish = bool(rng.random() < 0.6)
                    responses.append({"survey": survey, "respondent": respondent, "question": qid,
                                      "answer": answer, "age_group": group,
                                      "date": day + timedelta(days=int(rng.integers(0, 28))),
                                      "child": None, "comment": comment, "publish": publish})
    responses = [r for r in responses if r["date"] <= as_at]
    consultations = []
    start = date(first, 1, 1)
    for form in range(int(rng.poisson(80 * years))):
        day = start + timedelta(days=int(rng.integers(0, max(1, (as_at - start).days))))
        group = str(rng.choice(AGE_GROUPS, p=[0.35, 0.45, 0.2]))
        child = str(rng.choice(children)) if children and group != "care_leaver" and rng.random() < 0.5 else None
        consultations.append({"form": f"F{form + 1:04d}", "review_date": day, "age_group": group,
                              "listened_to": bool(rng.random() < 0.84),
                              "understood_plan": bool(rng.random() < (0.66 if group == "under_11" else 0.8)),
                              "child": child})
    asks = []
    for i, (forum, said, owner, pledge, action, months, did) in enumerate(ASKS):
        raised = start + timedelta(days=int((as_at - start).days * (i + 0.5) / (len(ASKS) + 1)))
        due = raised + timedelta(days=30 * months)
        status = "done" if did else ("in_progress" if due < as_at else "open")
        asks.append({"ref": f"{'CICC' if forum.startswith('children') else 'CLF'}-{i + 1:02d}", "forum": forum,
                     "raised": raised, "you_said": said, "owner": owner, "due": due, "status": status,
                     "we_did": did or None, "pledge": pledge or None, "action": action or None})
    questions = [{"question": q[0], "text": q[1], "pledge": q[2]} for q in QUESTIONS]
    frames = {"survey_questions": questions, "survey_responses": responses,
              "consultations": consultations, "asks": asks}
    return {k: pl.DataFrame(v, schema=EXTRACTS[k].schema, orient="row") for k, v in frames.items()}


def synthetic_actions(as_at: date) -> list[dict]:
    """The example action plan rows (``compliance.pledges.load_actions``) the asks link to."""
    return [{"ref": ref, "area": area, "action": action, "owner": owner,
             "due": as_at + timedelta(days=30 * months), "status": status, "rag_": None, "note": note}
            for ref, area, action, owner, months, status, note in ACTIONS]
