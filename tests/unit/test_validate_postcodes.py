"""Postcode look-ups for the DfE-derived placement fields."""

import polars as pl
import pytest

from carewise.validate import postcodes

pytestmark = pytest.mark.skipif(not postcodes.available(), reason="postcode directory not installed")


def test_resolve_full_postcode_and_sector():
    full = postcodes.resolve("sw1a 1aa")
    assert full["LAUA"] == "E09000033"
    sector = postcodes.resolve("SW1A 1")
    assert sector["LAUA"] == "E09000033"
    assert abs(sector["EASTING"] - full["EASTING"]) < 2000
    assert postcodes.resolve("ZZ9 9ZZ") is None
    # A well-formed full postcode that does not exist is invalid, not a partial one (rule 392c):
    # it must not take its sector's centre (EX24 6AA exists; EX24 6VY does not).
    assert postcodes.resolve("EX24 6AA") is not None
    assert postcodes.resolve("EX24 6VY") is None
    assert postcodes.resolve("EX24 6") is not None
    assert postcodes.resolve("CB2 1TN")["PL_LA"] == "E10000003"


def test_distance_uses_dfe_formula():
    # London (Westminster) to Manchester city centre is about 163 miles as the crow flies.
    assert 155 < postcodes.distance_miles("SW1A 1AA", "M1 1AE") < 170
    assert postcodes.distance_miles("SW1A 1AA", "SW1A 1AA") == 0.0
    assert postcodes.distance_miles("SW1A 1AA", "not a postcode") is None


def test_placement_fields_in_and_out():
    ep = pl.DataFrame({"HOME_POST": ["SW1A 1AA", "M1 1AE", None], "PL_POST": ["M1 1AE", "CB2 1TN", "x"]})
    out = postcodes.placement_fields(ep, "E08000003")  # Manchester
    assert out.get_column("PL_LOCATION").to_list() == ["IN", "OUT", None]
    assert out.get_column("PL_LA").to_list()[0] == "E08000003"
    assert out.get_column("PL_DISTANCE").to_list()[2] is None
    county = postcodes.placement_fields(ep, "E10000003")  # Cambridgeshire holds Cambridge (CB2)
    assert county.get_column("PL_LOCATION").to_list() == ["OUT", "IN", None]
    wales = postcodes.placement_fields(pl.DataFrame({"HOME_POST": ["CF10 1EP"], "PL_POST": ["CF10 1EP"]}), None)
    assert wales.get_column("PL_LA").to_list() == ["WAL"]


def test_full_postcodes_come_from_the_cached_file_as_in_the_directory(tmp_path):
    """The cached copy of a letter (a memory-mapped binary file searched by number) gives each
    full postcode's own grid reference and district, blank where the directory has none, and no
    row for a well-formed postcode that is not in it."""
    from carewise.geo.postcodes import letter_frame

    directory = letter_frame("Y")
    sample = pl.concat([
        directory.sort("key").head(2), directory.sort("key").tail(2), directory.sample(200, seed=1),
        directory.filter(pl.col("easting").is_null()).head(20), directory.filter(pl.col("laua").is_null()).head(20),
    ]).unique("key")
    files = [postcodes._letter_files("Y", tmp_path)[0]]
    found = postcodes._full_rows(files, pl.concat([sample["key"], pl.Series(["YO999ZZ", "Y", None])]))
    expected = sample.select("key", "easting", "northing", "laua")
    assert found.sort("key").equals(expected.sort("key"))
    assert expected["easting"].null_count() > 0 and expected["laua"].null_count() > 0
