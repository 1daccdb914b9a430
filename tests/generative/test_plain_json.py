"""``print_json(data, plain=True)`` (orjson) writes exactly what json's indenting encoder writes,
for any plain data, including what orjson refuses (lone surrogates, integers over 64 bits), and the
validate result it is used for is plain data (issue 13 item 7: ``--json`` outputs are contracts)."""

from __future__ import annotations

import contextlib
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from carewise.cli.common import print_json

TEXT = st.text(st.characters(codec=None, categories=None)) | st.sampled_from(
    ["", "é", "\u2028", "\x00\x1f\x7f", "</script>", "\\\"", "\udcff", "🙂", "line\nbreak"])
SCALARS = st.none() | st.booleans() | st.integers() | st.integers(-(2**63), 2**64 - 1) | TEXT
PLAIN = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                     | st.dictionaries(TEXT, inner, max_size=4), max_leaves=30)


def _written(data, plain: bool) -> str:
    with contextlib.redirect_stdout(io.StringIO()) as written:
        print_json(data, plain=plain)
    return written.getvalue()


@settings(max_examples=400, deadline=None)
@given(PLAIN)
def test_plain_data_is_written_as_json_writes_it(data):
    expected = json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n"
    assert _written(data, plain=True) == expected
    assert _written(data, plain=False) == expected


def _plain_types(value, where="result") -> list[str]:
    """Where ``value`` holds anything but text, whole numbers, booleans, None, lists and dicts
    with text keys."""
    if value is None or type(value) in (str, int, bool):
        return []
    if type(value) is list:
        return [w for i, v in enumerate(value) for w in _plain_types(v, f"{where}[{i}]")]
    if type(value) is dict:
        return [f"{where} key {k!r}" for k in value if type(k) is not str] + [
            w for k, v in value.items() for w in _plain_types(v, f"{where}[{k!r}]")]
    return [f"{where}: {type(value).__name__}"]


def test_the_validate_result_is_plain_data(tmp_path):
    """A synthetic return with faults planted (rule errors, read problems of every kind) gives a
    ``validate --json`` result of plain data only, so ``plain=True`` is right for it."""
    import polars as pl

    from carewise.synth import generate_council, write_council
    from carewise.validate.runner import validate_paths

    folder = write_council(generate_council(60, "2024-25", seed=3), tmp_path) / "2024-25"
    episodes = pl.read_csv(folder / "episodes.csv", infer_schema=False)
    faulty = pl.concat([episodes, episodes.head(1)]).with_columns(  # a repeated row: a read error
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit(" ") + pl.col("PLACE"))  # a code with a space
        .when(pl.int_range(pl.len()) == 2).then(pl.lit("ZZ"))  # no such placement: a rule error
        .otherwise(pl.col("PLACE")).alias("PLACE"),
        pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("31/02/2024")).otherwise(pl.col("DECOM")).alias("DECOM"))
    faulty.write_csv(folder / "episodes.csv", null_value="")
    result = validate_paths(folder)
    data = result.as_json()
    assert data["errors"] and data["problems"], "the planted faults should give rule errors and problems"
    assert _plain_types(data) == []
