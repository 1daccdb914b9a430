"""The data folder read without the settings model (``carewise.folders``) is the one
``Settings.data_dir`` gives, however the variable is spelt or set (issue 13 item 7)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carewise.folders import data_dir, default_data_dir
from carewise.settings import Settings


def _without_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.lower() == "carewise_data_dir":
            monkeypatch.delenv(key)


@pytest.mark.parametrize("spellings", [
    {},
    {"CAREWISE_DATA_DIR": "/srv/carewise"},
    {"carewise_data_dir": "relative/folder"},
    {"Carewise_Data_Dir": "/a b/with spaces"},
    {"CAREWISE_DATA_DIR": ""},
    {"CAREWISE_DATA_DIR": "~/not-expanded"},
    {"CAREWISE_DATA_DIR": "/first", "carewise_data_dir": "/second"},
    {"carewise_data_dir": "/second", "CAREWISE_DATA_DIR": "/first"},
])
def test_data_folder_is_the_settings_data_folder(monkeypatch, spellings):
    _without_data_dir(monkeypatch)
    for key, value in spellings.items():
        monkeypatch.setenv(key, value)
    assert data_dir() == Settings().data_dir


def test_without_the_variable_it_is_the_per_user_folder(monkeypatch):
    _without_data_dir(monkeypatch)
    assert data_dir() == default_data_dir() == Settings().data_dir
    assert default_data_dir().name == "carewise"


def test_a_value_given_is_used_as_written(monkeypatch):
    _without_data_dir(monkeypatch)
    monkeypatch.setenv("CAREWISE_DATA_DIR", "/srv/x")
    assert data_dir() == Path("/srv/x")
