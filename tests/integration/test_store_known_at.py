"""A stored correction carries the day it was received, so a history as known before it leaves it out."""

from __future__ import annotations

from datetime import UTC, datetime

from carewise.returns.build import return_from_rows
from carewise.store import Store


def _return(year: str, place: str):
    header = [{"CHILD": "C1", "SEX": "F", "DOB": "01/02/2012", "ETHNIC": "WBRI"}]
    episodes = [{"CHILD": "C1", "DECOM": "05/05/2023", "RNE": "S", "LS": "C2", "CIN": "N1",
                 "PLACE": place, "PLACE_PROVIDER": "PR1"}]
    return return_from_rows(year, header=header, episodes=episodes)


def test_a_first_import_is_known_from_the_year_end_and_a_correction_from_its_import(db_url):
    store = Store(db_url)
    store.import_returns("E06000056", [_return("2023-24", "U4")])
    first = store.load_return("E06000056", "2023-24")
    assert first.received is None
    assert first.known_from == first.year.end

    store.import_returns("E06000056", [_return("2023-24", "U5")])
    corrected = store.load_return("E06000056", "2023-24")
    today = datetime.now(UTC).date()
    assert corrected.received is not None and abs((corrected.received - today).days) <= 1
    history = store.load_history("E06000056")
    assert history.timeline.episodes["PLACE"].to_list() == ["U5"]
    # before the correction was received the year's return (as now stored) was not known
    assert history.as_known_at(first.year.end).years == []


def test_importing_the_same_files_again_is_not_a_correction(db_url, tmp_path):
    """Re-running an import of unchanged files must not date every year as received today (it made
    every backtest cut before today impossible: 'No return had been received by 2022-03-31')."""
    from carewise.importing import import_paths
    from carewise.synth import generate_council, write_council

    made = generate_council(30, "2023-24..2024-25", 3, "E06000056")
    folder = write_council(made, tmp_path / "council")
    store = Store(db_url)
    import_paths(store, [folder], la_code=made.la_code, validate=False)
    import_paths(store, [folder], la_code=made.la_code, validate=False, replace=True)
    again = store.load_return(made.la_code, "2023-24")
    assert again.received is None and again.known_from == again.year.end
