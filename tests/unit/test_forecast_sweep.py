"""forecast.sweep: the cluster address setting, regions, council folders."""

from __future__ import annotations

import pytest
from distributed import LocalCluster
from distributed.diagnostics.plugin import SchedulerPlugin

from carewise.cli.forecast import _print_sweep, dask_address
from carewise.errors import UserFacingError
from carewise.forecast.known_rates import example_rates, known_council
from carewise.forecast.scenarios import Change, Scenario
from carewise.forecast.sweep import council_folders, in_region, sweep
from carewise.history import stitch
from carewise.settings import get_settings


class _Seen(SchedulerPlugin):
    """Records the tasks the scheduler finished."""

    def __init__(self) -> None:
        self.done: list[str] = []

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if finish == "memory":
            self.done.append(str(key))


@pytest.fixture()
def history():
    known = example_rates()
    known.entries_per_year = 60
    return stitch(known_council(known, first_year=2022, last_year=2024, seed=2))


def test_address_setting_is_honoured(history, monkeypatch, capsys):
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        seen = _Seen()
        cluster.scheduler.add_plugin(seen)
        monkeypatch.setenv("CAREWISE_DASK_ADDRESS", cluster.scheduler_address)
        get_settings.cache_clear()
        try:
            assert dask_address(None) == cluster.scheduler_address
            result = sweep([("E06000056", history)], [Scenario("less", "", [Change("entry_rate", change=-0.2)])],
                           runs=50, horizon_months=12, address=dask_address(None))
        finally:
            get_settings.cache_clear()
        assert result.address == cluster.scheduler_address
        assert any(key.startswith("_safe_task") for key in seen.done)
        assert set(result.table["scenario"]) == {"baseline", "less"}
    _print_sweep(result)  # the text table renders every row, with ranges
    text = capsys.readouterr().out
    assert text.count("E06000056") == result.table.height and " to " in text


def test_explicit_address_wins_over_setting(monkeypatch):
    monkeypatch.setenv("CAREWISE_DASK_ADDRESS", "tcp://10.0.0.5:8786")
    get_settings.cache_clear()
    try:
        assert dask_address("tcp://127.0.0.1:9999") == "tcp://127.0.0.1:9999"
        assert dask_address(None) == "tcp://10.0.0.5:8786"
    finally:
        get_settings.cache_clear()


def test_unreachable_address_is_a_user_error(history):
    with pytest.raises(UserFacingError, match="Dask scheduler"):
        sweep([("E06000056", history)], [], address="tcp://127.0.0.1:1", connect_timeout="1s", runs=10, horizon_months=12)


def test_region_uses_dfe_region_and_geo_region():
    codes = ["E09000002", "E09000007", "E08000016", "E06000056"]  # Barking, Camden, Barnsley, C Beds
    assert in_region(codes, "London") == ["E09000002", "E09000007"]
    assert in_region(codes, "inner london") == ["E09000007"]
    assert in_region(codes, "Yorkshire and The Humber") == ["E08000016"]
    with pytest.raises(UserFacingError, match="region"):
        in_region(codes, "Atlantis")


def test_council_folders(tmp_path):
    with pytest.raises(UserFacingError):
        council_folders(tmp_path)
    (tmp_path / "E06000056" / "2024-25").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    assert [la for la, _ in council_folders(tmp_path)] == ["E06000056"]
