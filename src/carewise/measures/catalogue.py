"""The "Every measure" tables of docs/measures.md, written from the declarations.

``tests/unit/test_measures_docs.py`` checks the document holds exactly this text, so the
definitions analysts read are the ones the code follows. Regenerate after changing a measure:
``python -m carewise.measures.catalogue`` prints the section.
"""

from __future__ import annotations

from carewise.measures.registry import MEASURES

SECTIONS = {
    "population": "Population",
    "placements": "Placements",
    "stability": "Stability",
    "permanence": "Permanence and adoption",
    "health": "Health and wellbeing (OC2)",
    "care_leavers": "Care leavers (OC3)",
    "missing": "Missing from care",
}


def _kind(kind: str, per: int) -> str:
    return f"rate (per {per:,})" if kind == "rate" else kind


def every_measure() -> str:
    """The section, from its heading to the last table row, ending in a newline."""
    lines = ["## Every measure", ""]
    for section, title in SECTIONS.items():
        measures = [m for m in MEASURES.values() if m.section == section]
        if not measures:
            continue
        lines += [
            f"### {title}",
            "",
            "| id | measure | kind | breakdowns | definition |",
            "|---|---|---|---|---|",
        ]
        for m in measures:
            breakdowns = ", ".join(b.name for b in m.breakdowns) or "–"
            rule = f" **Rule stated with the figure:** {m.rule}" if m.rule else ""
            lines.append(
                f"| `{m.id}` | {m.title} | {_kind(m.kind, m.per)} | {breakdowns} | {m.dfe}{rule} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(every_measure(), end="")
