"""The care timeline's rules, one hand-worked child each (carewise.returns.timeline)."""

from dataclasses import replace
from datetime import date

from carewise.history import stitch
from carewise.returns.build import return_from_rows


def _ep(decom, rne, ls, place, dec=None, rec=None, **extra):
    return {"CHILD": "1", "DECOM": decom, "RNE": rne, "LS": ls, "CIN": "N1", "PLACE": place,
            "PLACE_PROVIDER": "PR1", "DEC": dec, "REC": rec, **extra}


HEADER = [{"CHILD": "1", "SEX": "F", "DOB": "29/02/2008", "ETHNIC": "WBRI"}]


def _timeline(*episodes, year="2024-25"):
    return stitch([return_from_rows(year, header=HEADER, episodes=list(episodes))]).timeline


def test_short_breaks_then_care_start_the_period_on_the_day_care_began():
    # 01/05-01/06/2024 short breaks (V3), then full care (V2) from 01/06/2024: DfE leaves short
    # breaks out, so the child starts to be looked after on 01/06/2024, straight after breaks.
    line = _timeline(
        _ep("01/05/2024", "S", "V3", "R1", "01/06/2024", "X1"),
        _ep("01/06/2024", "L", "V2", "U4"),
    )
    periods = line.periods()
    assert periods.select("start", "end", "after_short_break").rows() == [
        (date(2024, 6, 1), None, True)
    ]
    assert line.episodes["LS"].to_list() == ["V2"]


def test_a_change_with_the_same_carers_is_a_placement_flagged_same_carers():
    # Foster carers approved as long-term carers on 01/09/2024 (RNE T, U4 -> U1): DfE counts a
    # second placement; the carers (carer_no) do not change.
    line = _timeline(
        _ep("10/04/2024", "S", "C2", "U4", "01/09/2024", "X1"),
        _ep("01/09/2024", "T", "C2", "U1"),
    )
    assert line.placements().select("start", "same_carers").rows() == [
        (date(2024, 4, 10), False),
        (date(2024, 9, 1), True),
    ]
    assert line.episodes["carer_no"].to_list() == [1, 1]


def test_a_move_to_new_carers_is_not_same_carers():
    line = _timeline(
        _ep("10/04/2024", "S", "C2", "U4", "01/09/2024", "X1"),
        _ep("01/09/2024", "P", "C2", "U4"),
    )
    assert line.placements()["same_carers"].to_list() == [False, False]
    assert line.episodes["carer_no"].to_list() == [1, 2]


def test_a_hospital_stay_and_the_return_to_the_same_placement_are_one_placement():
    # U4 -> T1 (hospital, 5 days) -> back to U4: one placement (903 rule 383: temporary).
    line = _timeline(
        _ep("10/04/2024", "S", "C2", "U4", "01/07/2024", "X1"),
        _ep("01/07/2024", "P", "C2", "T1", "06/07/2024", "X1"),
        _ep("06/07/2024", "P", "C2", "U4"),
    )
    assert line.placements().height == 1
    assert line.episodes["temporary"].to_list() == [False, True, False]


def test_placed_for_adoption_with_the_foster_carers_is_not_a_new_placement():
    line = _timeline(
        _ep("10/04/2024", "S", "C2", "U4", "01/10/2024", "X1"),
        _ep("01/10/2024", "T", "E1", "A5"),
    )
    assert line.placements().height == 1
    assert line.episodes["adoptive_placement_start"].to_list() == [None, date(2024, 10, 1)]


def test_a_gap_starts_a_new_period_of_care():
    line = _timeline(
        _ep("10/04/2024", "S", "C2", "U4", "01/07/2024", "E4A"),
        _ep("15/08/2024", "S", "C2", "U4"),
    )
    assert line.periods().select("start", "end", "REC").rows() == [
        (date(2024, 4, 10), date(2024, 7, 1), "E4A"),
        (date(2024, 8, 15), None, None),
    ]


def test_the_date_of_birth_is_the_latest_returns_and_29_february_turns_18_on_1_march():
    earlier = return_from_rows("2023-24", header=[{**HEADER[0], "DOB": "28/02/2008"}],
                               episodes=[_ep("10/04/2023", "S", "C2", "U4")])
    later = return_from_rows("2024-25", header=HEADER, episodes=[_ep("10/04/2023", "S", "C2", "U4")])
    line = stitch([earlier, later]).timeline
    assert line.children["DOB"].to_list() == [date(2008, 2, 29)]


def test_as_at_a_date_blanks_later_endings_and_drops_later_episodes():
    line = _timeline(
        _ep("10/04/2024", "S", "C2", "U4", "01/09/2024", "X1"),
        _ep("01/09/2024", "P", "C2", "U4"),
    ).as_at(date(2024, 8, 31))
    assert line.episodes.select("DECOM", "DEC", "REC", "end_excl").rows() == [
        (date(2024, 4, 10), None, None, date(2024, 9, 1))
    ]


def test_as_known_at_a_date_leaves_out_a_later_return_and_a_later_correction():
    # 2023-24 says the child is in U4 from 10/04/2023. The 2024-25 return (known from 31/03/2025)
    # recodes that episode to U5; a re-import of 2023-24 received 01/10/2024 recodes it to U6.
    first = return_from_rows("2023-24", header=HEADER, episodes=[_ep("10/04/2023", "S", "C2", "U4")])
    next_year = return_from_rows("2024-25", header=HEADER, episodes=[_ep("10/04/2023", "S", "C2", "U5")])
    history = stitch([first, next_year])
    assert history.timeline.episodes["PLACE"].to_list() == ["U5"]
    assert history.as_known_at(date(2024, 6, 30)).timeline.episodes["PLACE"].to_list() == ["U4"]
    assert history.as_known_at(date(2025, 3, 31)).timeline.episodes["PLACE"].to_list() == ["U5"]

    corrected = return_from_rows("2023-24", header=HEADER, episodes=[_ep("10/04/2023", "S", "C2", "U6")])
    corrected = replace(corrected, received=date(2024, 10, 1))
    assert stitch([corrected], known_at=date(2024, 6, 30)).years == []
    assert stitch([corrected], known_at=date(2024, 10, 1)).timeline.episodes["PLACE"].to_list() == ["U6"]
