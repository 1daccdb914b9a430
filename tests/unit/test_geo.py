"""carewise.geo: postcode resolution, DfE distance, reg 11 locality."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from carewise import geo
from carewise.geo.authorities import build_postcode_letter_index, postcode_letters

LEEDS = "E08000035"
BRADFORD = "E08000032"
MANCHESTER = "E08000003"


def test_full_postcode_resolves_to_its_onspd_grid_reference():
    out = geo.resolve(pl.Series(["LS1 1BA", "ls11ba", " ls1  1ba "]))
    assert out["easting"].to_list() == [429317.0] * 3
    assert out["northing"].to_list() == [433507.0] * 3
    assert out["la_code"].to_list() == [LEEDS] * 3
    assert out["resolution"].to_list() == ["full"] * 3


def test_sector_resolves_to_the_centroid_of_its_postcodes_and_says_so():
    from carewise.geo.postcodes import letter_frame

    members = letter_frame("L").filter(pl.col("sector") == "LS1 1").drop_nulls("easting")
    out = geo.resolve(pl.Series(["LS1 1"]))
    assert out["resolution"][0] == "sector"
    assert out["easting"][0] == pytest.approx(members["easting"].mean())
    assert out["northing"][0] == pytest.approx(members["northing"].mean())


def test_district_and_unknown_and_blank():
    out = geo.resolve(pl.Series(["LS1", "QQ1 1AA", None, "", "not a postcode"]))
    assert out["resolution"].to_list() == ["district", "unknown", "unknown", "unknown", "unknown"]
    assert out["easting"][1:].null_count() == 4
    assert out.height == 5


def test_full_postcode_missing_from_directory_falls_back_to_its_sector():
    out = geo.resolve(pl.Series(["LS1 1ZZ"]))  # not issued; sector LS1 1 exists
    assert out["resolution"][0] == "sector"


def test_shire_district_maps_to_its_county_and_wales_to_itself():
    out = geo.resolve(pl.Series(["CB2 1TN", "CF10 1AA"]))
    assert out["la_code"].to_list() == ["E10000003", "W06000015"]  # Cambridgeshire, Cardiff


def test_distance_is_dfe_formula_on_floats_arrays_and_expressions():
    assert geo.distance_miles(0.0, 0.0, 3000.0, 4000.0) == pytest.approx(5 / 1.6093)
    arr = geo.distance_miles(np.zeros(2), np.zeros(2), np.array([0.0, 16093.0]), np.zeros(2))
    assert arr.tolist() == pytest.approx([0.0, 10.0])
    frame = pl.DataFrame({"e": [0.0, None], "n": [0.0, 0.0]})
    got = frame.select(geo.distance_miles(pl.col("e"), pl.col("n"), 16093.0, 0.0).alias("d"))
    assert got["d"].to_list()[0] == pytest.approx(10.0)
    assert got["d"].to_list()[1] is None
    assert geo.round_miles(pl.Series([20.04, 20.06])).to_list() == pytest.approx([20.0, 20.1])


def test_leeds_city_centre_to_manchester_is_about_36_miles():
    out = geo.resolve(pl.Series(["LS1 1BA", "M1 1AE"]))
    miles = geo.distance_miles(out["easting"][0], out["northing"][0], out["easting"][1],
                               out["northing"][1])
    # sqrt(44561^2 + 34954^2)/1609.3 = 35.2 miles (hand-computed from the two grid refs)
    assert geo.round_miles(miles) == pytest.approx(35.2)


def test_locality_in_area_adjoining_at_a_distance():
    got = geo.locality(LEEDS, pl.Series([LEEDS, BRADFORD, MANCHESTER, None]))
    assert got.to_list() == ["in_area", "adjoining", "at_a_distance", None]


def test_isle_of_wight_has_no_neighbours_so_hampshire_is_at_a_distance():
    assert geo.neighbours("E06000046") == []
    assert geo.locality("E06000046", pl.Series(["E10000014"])).to_list() == ["at_a_distance"]


def test_la_code_for_accepts_code_number_or_name():
    assert geo.la_code_for("Leeds") == LEEDS
    assert geo.la_code_for("383") == LEEDS
    assert geo.la_code_for("e08000035") == LEEDS
    from carewise.errors import SettingError

    with pytest.raises(SettingError):
        geo.la_code_for("Atlantis")


def test_postcodes_in_stays_inside_the_authority():
    pcs = geo.postcodes_in([LEEDS])
    assert pcs.height > 10_000
    assert set(pcs["la_code"].unique()) == {LEEDS}
    back = geo.resolve(pcs["postcode"].head(50))
    assert set(back["la_code"]) == {LEEDS}


def test_shipped_letter_index_matches_the_postcode_package():
    fresh = build_postcode_letter_index()
    for code in [LEEDS, "E10000003", "E09000033", "E06000052"]:
        row = fresh.filter(pl.col("la_code") == code)["letters"][0].split(";")
        assert postcode_letters(code) == row
