"""Ofsted provider lists read from the spreadsheet layouts Ofsted has used (fake sample files)."""

from pathlib import Path

import polars as pl
import pytest

from carewise.errors import BadInputError
from carewise.validate.providers import OUTPUT_COLUMNS, read_provider_frames, read_providers

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "903-from-open-source-validator"


@pytest.mark.skipif(not SAMPLES.exists(), reason="sample provider lists not available")
def test_reads_every_sample_layout_into_one_row_per_urn():
    lists = read_providers(sorted(SAMPLES.glob("*.xlsx")))
    frame = lists.providers
    assert set(OUTPUT_COLUMNS) <= set(frame.columns)
    assert frame["URN"].n_unique() == frame.height
    mordor = frame.filter(pl.col("URN") == "MDR00003").row(0, named=True)
    assert mordor["PLACE_CODES"] == "K1" and mordor["POSTCODE"] == "MO6 7NN"
    assert str(mordor["REG_DATE"]) == "1993-12-16"
    assert frame.filter(pl.col("URN") == "P4BABOO7")["CLOSE_DATE"].to_list()[0] is not None


def test_columns_recognised_by_wording_and_slashes_in_codes():
    sheet = pl.DataFrame(
        {"URN ": ["sc1"], "Provider Placement Code": ["K1/K2"], "Closed Date": ["01/02/2024"]}
    )
    frame = read_provider_frames({"x": sheet}).providers
    assert frame.row(0, named=True)["URN"] == "SC1"
    assert frame.row(0, named=True)["PLACE_CODES"] == "K1,K2"
    assert str(frame.row(0, named=True)["CLOSE_DATE"]) == "2024-02-01"


def test_no_urn_column_is_a_user_error(tmp_path):
    with pytest.raises(BadInputError):
        read_provider_frames({"x": pl.DataFrame({"a": ["1"]})})
    bad = tmp_path / "not.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(BadInputError):
        read_providers(bad)
