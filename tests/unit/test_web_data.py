"""The web app's caches and small helpers: made once under concurrency, refreshed on import,
the explorer's filters, charts and comparator formatting."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from carewise.returns.build import return_from_rows
from carewise.web.data import _LRU

LA = "E06000056"


def test_a_value_asked_for_by_many_at_once_is_made_once():
    cache = _LRU(4)
    made = []
    start = threading.Barrier(8)

    def make():
        made.append(1)
        time.sleep(0.2)
        return "figures"

    def ask(out):
        start.wait()
        out.append(cache.get_or_make("key", make))

    answers: list[str] = []
    threads = [threading.Thread(target=ask, args=(answers,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == ["figures"] * 8
    assert len(made) == 1


def test_a_failed_make_is_not_cached_and_the_next_ask_tries_again():
    cache = _LRU(4)

    def fail():
        raise RuntimeError("store unavailable")

    with pytest.raises(RuntimeError):
        cache.get_or_make("key", fail)
    assert cache.get_or_make("key", lambda: 42) == 42


def test_the_least_recently_used_value_goes_first():
    cache = _LRU(2)
    cache.get_or_make("a", lambda: 1)
    cache.get_or_make("b", lambda: 2)
    cache.get_or_make("a", lambda: 0)  # a used again: b is now the oldest
    cache.get_or_make("c", lambda: 3)
    assert cache.get_or_make("a", lambda: "remade") == 1
    assert cache.get_or_make("b", lambda: "remade") == "remade"


def _return(year: str, children: int, place: str = "U4"):
    header = [{"CHILD": f"U{i:03d}", "SEX": "1" if i % 2 else "2", "DOB": "03/03/2012", "ETHNIC": "WBRI"}
              for i in range(children)]
    episodes = [{"CHILD": f"U{i:03d}", "DECOM": "01/06/2023", "RNE": "S", "LS": "C2", "CIN": "N1",
                 "PLACE": place if i % 3 else "K2", "PLACE_PROVIDER": "PR1"} for i in range(children)]
    return return_from_rows(year, header=header, episodes=episodes)


@pytest.fixture
def data(tmp_path):
    from carewise.store import Store
    from carewise.web.data import CouncilData

    store = Store(f"sqlite:///{tmp_path / 'carewise.db'}")
    store.import_returns(LA, [_return("2024-25", 9)], council_name="Unit council", synthetic=True)
    return CouncilData(store, "unit-test-secret")


def test_an_import_changes_the_figures_once_the_cache_is_cleared_or_has_aged(data, monkeypatch):
    import carewise.web.data as module

    (before,) = data.measures(LA, "2024-25", "internal", ("cla_at_date",))
    assert before.value == 9
    data.store.import_returns(LA, [_return("2024-25", 12)])
    (cached,) = data.measures(LA, "2024-25", "internal", ("cla_at_date",))
    assert cached.value == 9, "within the second the batch list is trusted"
    monkeypatch.setattr(module, "VERSION_TTL", 0.0)
    (after,) = data.measures(LA, "2024-25", "internal", ("cla_at_date",))
    assert after.value == 12
    data.store.import_returns(LA, [_return("2024-25", 5)])
    monkeypatch.setattr(module, "VERSION_TTL", 3600.0)
    data.invalidate()  # what the upload page does after storing a batch
    (now,) = data.measures(LA, "2024-25", "internal", ("cla_at_date",))
    assert now.value == 5


def test_the_explorer_offers_and_applies_the_dfe_placement_groups(data):
    from carewise.web.data import filter_history

    options = data.filter_options(LA, "2024-25")
    assert set(options["placement_type"]) == {"Foster placements", "Secure homes and children's homes"}
    history = data.history(LA)
    foster = filter_history(history, "2024-25", {"placement_type": "Foster placements"})
    assert foster.header["CHILD"].n_unique() == 6
    assert "Male" in options["sex"]
    boys_in_homes = filter_history(history, "2024-25", {"placement_type": "Secure homes and children's homes",
                                                        "sex": "Male"})
    assert boys_in_homes.header["CHILD"].to_list() == ["U003"]
    assert boys_in_homes.episodes["CHILD"].unique().to_list() == ["U003"]


def test_child_references_are_opaque_stable_and_found_again(data):
    ref = data.child_ref(LA, "U004")
    assert len(ref) == 24 and "U004" not in ref
    assert data.child_ref(LA, "U004") == ref
    assert data.child_by_ref(LA, ref) == "U004"
    assert data.child_by_ref(LA, "0" * 24) is None
    assert data.child_ref("E06000002", "U004") != ref, "the same id in another council is another child"


def test_charts_are_cached_by_their_figures_and_named_for_screen_readers():
    from carewise.web.charts import bar_chart, line_chart

    rows = [{"category": 'Boys & "others"', "value": 3.0}, {"category": "Girls", "value": 5.0}]
    first = bar_chart(rows, "category", "value", 'Sex & "gender"')
    again = bar_chart([dict(r) for r in rows], "category", "value", 'Sex & "gender"')
    assert first is again
    assert first.startswith('<svg role="img" aria-label="Sex &amp; &quot;gender&quot;"')
    line = line_chart([{"period": "2023-24", "value": 10}, {"period": "2024-25", "value": None}],
                      "period", "value", "Children")
    assert "<svg" in line and line is not first


@pytest.mark.parametrize(("kind", "value", "shown"), [
    ("count", 337.0, "337"), ("count", 1234.0, "1,234"), ("proportion", 10.44, "10.4%"),
    ("rate", 67.0, "67.0"), ("count", None, "not published"),
])
def test_published_comparators_read_like_the_councils_own_figure(kind, value, shown):
    from carewise.web.rendering import comparator_value

    result = SimpleNamespace(kind=kind, per=100)
    assert comparator_value({"label": "England", "value": value}, result) == shown
