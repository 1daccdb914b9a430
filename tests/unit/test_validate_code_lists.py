"""The shipped 903 code lists: versioned by collection year."""

import pytest

from carewise.codes.lists import UnknownCodeList, fields, label, labels, valid_codes
from carewise.returns.years import CollectionYear


def test_sex_codes_change_in_2024_25():
    assert valid_codes("SEX", CollectionYear(2023)) == frozenset({"1", "2"})
    assert valid_codes("SEX", CollectionYear(2024)) == frozenset({"M", "F", "U"})


def test_place_gains_k3_in_2024_25_and_z1_splits_in_2025_26():
    assert "K3" not in valid_codes("PLACE", CollectionYear(2023))
    assert {"K3", "H5", "P2", "Z1"} <= valid_codes("PLACE", CollectionYear(2024))
    y25 = valid_codes("PLACE", 2025)
    assert {"Z11", "Z12", "Z13", "Z14", "K3"} <= y25
    assert not {"Z1", "H5", "P2"} & y25


def test_every_field_has_codes_and_labels():
    for field in fields():
        codes = valid_codes(field, 2024)
        assert codes, field
        assert set(labels(field, 2024)) == codes


def test_aliases_and_labels():
    assert valid_codes("CONVICTED", 2024) == frozenset({"0", "1"})
    assert label("REC", "E11", 2024).startswith("Adopted")
    assert label("PLACE", "K3", 2023) is None
    assert "S1" not in valid_codes("ACCOM", 2024)
    assert "999" in valid_codes("LA_PERM", 2024)


def test_unknown_field():
    with pytest.raises(UnknownCodeList):
        valid_codes("NOPE", 2024)
