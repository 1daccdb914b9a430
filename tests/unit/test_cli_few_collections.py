"""``cli.common.few_collections``: the cycle collector runs rarely inside, and is as it was after,
even when the command inside ends with an exit or an error."""

from __future__ import annotations

import contextlib
import gc

import pytest
import typer

from carewise.cli.common import few_collections


@pytest.mark.parametrize("ending", [None, typer.Exit(1), ValueError("boom")])
def test_the_collector_is_as_it_was_afterwards(ending):
    before = gc.get_threshold()
    expected = pytest.raises(type(ending)) if ending is not None else contextlib.nullcontext()
    with expected, few_collections(young=12_345):
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() > 0
        if ending is not None:
            raise ending
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_as_a_decorator_each_call_sets_and_restores():
    before = gc.get_threshold()

    @few_collections(young=23_456)
    def command() -> tuple[int, int, int]:
        return gc.get_threshold()

    assert command() == (23_456, *before[1:]) == command()
    assert gc.get_threshold() == before
