"""A forecast reads only the episodes and headers (``read_returns(only_tables=...)``), recognising the
other files by their header row (``csv_reader.table_if_readable``): that must never call a file
readable that reading would refuse, and the returns must cover the same years as reading everything."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewise.ingest import read_csv_bytes, read_returns
from carewise.ingest.csv_reader import table_if_readable
from carewise.returns.tables import TABLES

HEADERS = [",".join(spec.columns) for spec in TABLES.values()]
# the characters that decide how a file is read: separators, line ends, quotes, blanks (ASCII and not)
cells = st.text(alphabet=st.sampled_from([",", ";", "\n", "\r", " ", "\t", '"', "\u00a0", "\u2028", "A", "1", "/"]),
                max_size=6)


@st.composite
def near_903_file(draw) -> bytes:
    header = draw(st.sampled_from(HEADERS))
    header = draw(st.sampled_from([header, header.lower(), header + ",", header.rsplit(",", 1)[0],
                                   header + "," + header.split(",")[0], "\n" + header, "Title\n" + header]))
    width = header.count(",") + 1
    rows = draw(st.lists(st.one_of(st.just(",".join(["1"] * width)),
                                   st.lists(cells, min_size=max(0, width - 1), max_size=width + 1).map(",".join)),
                         max_size=5))
    end = draw(st.sampled_from(["\n", "\r\n", "\r", ""]))
    text = draw(st.sampled_from(["\n", "\r\n"])).join([header, *rows]) + end
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])), errors="replace")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_903_file())
def test_a_file_called_readable_is_read(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("f") / "table.csv"
    path.write_bytes(data)
    spec = table_if_readable(path)
    if spec is not None:
        read = read_csv_bytes(data, path.name, str(path), check_values=False)
        assert read.usable and read.spec is spec
        assert table_if_readable(path, read_anyway=(spec.name,)) is None  # the caller reads it anyway


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


EPISODES = ("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
            "1,01/06/2024,S,C2,N1,U4,PR1,,,,,,\n2,01/07/2023,S,C2,N1,U4,PR1,01/05/2024,E11,,,,\n")
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2010,WBRI,,,\n2,2,01/01/2012,WBRI,,,\n"
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\n1,01/01/2010,01/09/2024,PN1\n"


@pytest.mark.parametrize("reviews", [
    REVIEWS,                                                    # read by the fast reader
    REVIEWS.replace("PN1", '"PN1"'),                            # quotes: read to know
    REVIEWS + "2,01/01/2012,01/10/2024",                       # cut short: the year is set aside
    REVIEWS.replace(",REVIEW_CODE", "").replace(",PN1", ""),    # a column missing: set aside
    REVIEWS.replace("\n", "\r"),                                # CR-only line ends
    REVIEWS + ",,\n \t\n\u00a0\n",                              # blank lines, one blank only to polars
    "Reviews export\n" + REVIEWS,                               # a title line above the header row
])
@pytest.mark.parametrize("episodes", [EPISODES, None, EPISODES.splitlines()[0] + "\n"])
def test_only_some_tables_the_same_years_are_read(tmp_path, reviews, episodes):
    """The same years, and the same episodes and headers, as reading every table; a year dated by
    its reviews alone (no episodes, or none with a date) is dated the same way."""
    for year in ("2023-24", "2024-25"):
        folder = tmp_path / "returns" / (year if episodes else "unnamed" + year)
        _write(folder, "header.csv", HEADER)
        _write(folder, "reviews.csv", reviews if year == "2024-25" else REVIEWS.replace("2024", "2023"))
        if episodes:
            _write(folder, "episodes.csv", episodes if year == "2024-25" else EPISODES.replace("2024", "2023"))
    _write(tmp_path / "returns" / "2024-25", "reviews copy.csv", REVIEWS) if reviews == REVIEWS else None
    full = read_returns([tmp_path / "returns"], check_values=False)
    some = read_returns([tmp_path / "returns"], check_values=False, only_tables=("episodes", "header"))
    assert list(some.returns) == list(full.returns)
    for year, ret in full.returns.items():
        for name in ("episodes", "header"):
            assert (name in ret.raw) == (name in some.returns[year].raw)
            if name in ret.raw:
                assert some.returns[year].raw[name].equals(ret.raw[name])
    assert [p for p in full.errors if "given twice" in p.message] == [p for p in some.errors if "given twice" in p.message]
