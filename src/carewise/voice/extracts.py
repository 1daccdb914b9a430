"""The feedback extracts a council loads: surveys, review consultations, forum asks, benchmarks.

One ``Table`` per extract drives the one extract reader (``carewise.ingest.extracts``), the
templates (``carewise voice template``) and docs/voice.md. No extract has a name column: a
survey form is identified by an anonymous ``respondent`` number; the 903 ``child`` reference is
optional and only ever shown to roles that may see children.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from carewise.ingest import extracts as reader
from carewise.ingest.extracts import Column, ReadTable, Table

TEMPLATE = "carewise voice template DIR"

AGE_GROUPS = ("under_11", "11_plus", "care_leaver")
"""Bright Spots' surveys: Your Life Your Care (children under 11 and 11-18) and Your Life Beyond
Care (care leavers); the council's pledges speak to children and to care leavers alike."""
AGE_GROUP_TITLES = {"under_11": "Under 11", "11_plus": "11 and over", "care_leaver": "Care leavers"}

ANSWERS = ("strongly_agree", "agree", "neither", "disagree", "strongly_disagree", "yes", "no",
           "all_of_the_time", "most_of_the_time", "sometimes", "hardly_ever", "never", "dont_know")
AGREE = frozenset({"strongly_agree", "agree", "yes", "all_of_the_time", "most_of_the_time"})
"""Answers that say the promise is kept (the top two points of a scale, or yes)."""
NOT_AN_ANSWER = frozenset({"dont_know"})
"""Left out of the share: a child who does not know has not said either way."""

FORUMS = ("children_in_care_council", "care_leavers_forum")
ASK_STATUSES = ("open", "in_progress", "done", "not_possible")
CLOSED = frozenset({"done", "not_possible"})
"""An ask with a response given: "we did", or why we could not."""

_CHILD = Column("child", "text", False, "the child's 903 CHILD id (optional; never shown to panel "
                "or public)", "")
_AGE = Column("age_group", "enum", True, "under_11, 11_plus or care_leaver", "11_plus", AGE_GROUPS)


def _date(name: str, help: str, required: bool = True) -> Column:
    return Column(name, "date", required, help, "31/01/2025", not_future=True)


EXTRACTS: dict[str, Table] = {t.name: t for t in (
    Table("survey_questions", "Survey questions and the pledge each tests", "question", (
        Column("question", "id", True, "the question's id, as in the survey responses", "Q3"),
        Column("text", "text", True, "the question as children read it", "Do you trust your "
               "social worker?"),
        Column("pledge", "text", True, "the ref of the pledge it tests (carewise pledges list)", "P1"),
    )),
    Table("survey_responses", "Survey answers", None, (
        Column("survey", "text", True, "the survey's name, e.g. Your Life Your Care 2024", "YLYC 2024"),
        Column("respondent", "text", True, "an anonymous number for each completed form (no names)",
               "R017"),
        Column("question", "id", True, "the question's id (survey questions extract)", "Q3"),
        Column("answer", "enum", True, "agree/disagree scale, yes/no, all of the time…never or "
               "dont_know", "agree", ANSWERS),
        _AGE,
        _date("date", "the day the form was completed"),
        _CHILD,
        Column("comment", "text", False, "what the child wrote, if anything", ""),
        Column("publish", "bool", False, "Y when the council has agreed the comment may be quoted",
               "N"),
    ), date_column="date"),
    Table("consultations", "Review consultation forms", "form", (
        Column("form", "id", True, "an anonymous number for each form (no names): two children's "
               "forms may say the same", "F0042"),
        _date("review_date", "the day of the review the form was for"),
        _AGE,
        Column("listened_to", "bool", False, "Y if the child felt listened to", "Y"),
        Column("understood_plan", "bool", False, "Y if the child understood their plan", "Y"),
        _CHILD,
    ), date_column="review_date"),
    Table("asks", '"You said, we did": asks from the Children in Care Council and care leavers\' '
          "forum", "ref", (
              Column("ref", "id", True, "the ask's reference", "CICC-12"),
              Column("forum", "enum", True, "children_in_care_council or care_leavers_forum",
                     "children_in_care_council", FORUMS),
              _date("raised", "the day the children or young people asked"),
              Column("you_said", "text", True, "what they asked for, in their words", "More time "
                     "with our social workers"),
              Column("owner", "text", True, "the officer who answers for it", "Head of Service"),
              Column("due", "date", True, "the day a response is due", "30/06/2025"),
              Column("status", "enum", True, "open, in_progress, done or not_possible", "open",
                     ASK_STATUSES),
              Column("we_did", "text", False, "what was done, or why it could not be", ""),
              Column("pledge", "text", False, "the ref of the pledge it concerns", "P1"),
              Column("action", "text", False, "the ref of the action plan action answering it", ""),
          ), date_column="raised", ordered=(("raised", "due"),)),
    Table("benchmarks", "National survey results (e.g. Bright Spots headline shares)", None, (
        Column("pledge", "text", True, "the pledge the published figure compares with", "P1"),
        _AGE,
        Column("share", "float", True, "the published share who agree, in %", "83", low=0, high=100),
        Column("source", "text", True, "where it is published", "Bright Spots national 2023"),
    )),
)}


def read_voice(paths: Sequence[Path], today: date | None = None) -> list[ReadTable]:
    """Read and check feedback files (which extract each is comes from its name or header)."""
    return reader.read_files(paths, EXTRACTS, today=today, template=TEMPLATE)


def write_templates(folder: Path) -> list[Path]:
    """One CSV per feedback extract: its header and one example row."""
    return reader.write_csv_templates(EXTRACTS.values(), folder)
