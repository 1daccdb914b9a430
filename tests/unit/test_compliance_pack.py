"""The compliance pack sections, the synthetic extracts' realism, and docs that match the specs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from carewise.compliance.extracts import EXTRACTS

DOCS = Path(__file__).parents[2] / "docs" / "compliance.md"


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    from carewise.compliance import pledges as pg
    from carewise.compliance.extracts import read_extracts
    from carewise.compliance.storage import import_extracts
    from carewise.store import Store
    from carewise.synth import generate_council
    from carewise.synth.extracts import generate_extracts, write_extracts

    root = tmp_path_factory.mktemp("pack")
    made = generate_council(150, "2023-24..2024-25", seed=9)
    store = Store(f"sqlite:///{root / 'db.sqlite'}")
    store.import_returns(made.la_code, made.returns.values(), council_name=made.la_name, synthetic=True)
    history = store.load_history(made.la_code)
    frames = generate_extracts(history, seed=4)
    import_extracts(store, made.la_code, read_extracts(write_extracts(frames, root / "ext")))
    pg.save_pledges(store, made.la_code, [
        pg.Pledge("P1", "We will see you at least every six weeks", "children", "visits_on_time", 90),
        pg.Pledge("P2", "We will stay in touch", "care_leavers", "care_leavers_in_touch", 95),
    ])
    pg.add_action(store, made.la_code, "1.1", "Rec 1", "Train managers", "Head of L&D", date(2025, 9, 30))
    pg.update_action(store, made.la_code, "1.1", "off_track", "Trainer left")
    return store, made.la_code, history, frames


def test_pack_sections_are_registered_and_built(council):
    from carewise.reports import (
        SECTIONS,
        ChartBlock,
        compliance,  # noqa: F401 - registers the sections
        pack_data,
    )

    store, la, history, _ = council
    assert {"statutory-compliance", "pledges", "action-plan"} <= set(SECTIONS)
    data = pack_data(history, "2024-25", la, "panel")
    data.extra.update(store=store, history=history)
    built = {sid: SECTIONS[sid].build(data) for sid in ("statutory-compliance", "pledges", "action-plan")}
    comp = built["statutory-compliance"]
    assert {h.measure_id for h in comp.headlines} >= {"visits_on_time", "reviews_on_time", "pep_on_time"}
    visits = next(h for h in comp.headlines if h.measure_id == "visits_on_time")
    assert visits.value.endswith("%")
    # issue 16: a chart per section (on time by requirement, by team; each pledge's figure), its
    # table behind it, and what the panel is asked to note or decide
    charts = [b for b in comp.blocks if isinstance(b, ChartBlock)]
    assert [c.table.columns[0] for c in charts] == ["Requirement", "Team"]
    assert all(c.svg.startswith("<svg") for c in charts)
    chart = built["pledges"].blocks[0]
    assert isinstance(chart, ChartBlock)
    pledges = chart.table
    assert [r[0].text for r in pledges.rows] == ["P1", "P2"]
    assert pledges.rows[0][5].text in ("Green: kept", "Amber: nearly", "Red: not kept")
    not_kept = [r[0].text for r in pledges.rows if r[5].text != "Green: kept"]
    assert [a.text.split()[1] for a in built["pledges"].asks] == not_kept
    plan = built["action-plan"].blocks[0].rows[0]
    assert plan[4].text.startswith("off track") and plan[5].text == "Red" and "Trainer left" in plan[6].text
    (ask,) = built["action-plan"].asks
    assert ask.kind == "decide" and ask.text.startswith("Action 1.1")


def test_synthetic_extracts_agree_with_the_903_and_have_realistic_rates(council):
    from carewise.compliance import assess
    from carewise.compliance.cohort import periods
    from carewise.compliance.storage import Extracts

    _, _, history, frames = council
    kids = set(history.header["CHILD"].to_list())
    for kind, frame in frames.items():
        assert set(frame["child"].to_list()) <= kids, kind
    # every visit falls while the child is looked after
    per = periods(history, history.last_date)
    v = frames["visits"].join(per, left_on="child", right_on="CHILD").filter(
        (pl.col("date") >= pl.col("start")) & (pl.col("end").is_null() | (pl.col("date") <= pl.col("end"))))
    assert v.select(pl.struct("child", "date").n_unique()).item() == frames["visits"].select(
        pl.struct("child", "date").n_unique()).item()
    s = assess(history, Extracts.from_frames(frames)).summary
    assert 80 <= s["visits_on_time"]["value"] <= 95
    assert 70 <= s["iha_on_time"]["value"] <= 97
    assert 70 <= s["pep_on_time"]["value"] <= 97
    assert s["visits_on_time"]["overdue"] + s["visits_on_time"]["late"] > 0


def test_docs_list_every_extract_and_column():
    text = DOCS.read_text(encoding="utf-8")
    for kind, spec in EXTRACTS.items():
        assert f"### {kind} (" in text, kind
        for col in spec.columns:
            assert f"| `{col.name}` |" in text
