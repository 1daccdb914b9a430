"""Synthetic extracts: the same council and seed give the same files (``carewise extracts synth --seed``)."""

from __future__ import annotations

from polars.testing import assert_frame_equal

from carewise.synth import generate_council
from carewise.synth.extracts import extracts_for_council


def test_same_seed_same_extracts():
    council = generate_council("medium", "2022-23..2024-25", 3)
    first, second = extracts_for_council(council, seed=5), extracts_for_council(council, seed=5)
    assert first["return_home_interviews"].height > 100
    assert first.keys() == second.keys()
    for name in first:
        assert_frame_equal(first[name], second[name])
