"""Where carewise keeps its files, found without loading the settings model.

:class:`carewise.settings.Settings` (pydantic-settings) reads every ``CAREWISE_…`` variable; loading
it costs about a tenth of a second, a fifth of a command's start (issue 13 item 7). ``carewise
validate`` needs only the data folder (for its copies of the postcode directory), so it reads that
one variable here, exactly as the settings model does: ``CAREWISE_DATA_DIR`` in any case (the last
one set wins), else the per-user data folder. ``tests/unit/test_folders.py`` checks the two agree.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_PREFIX = "CAREWISE_"
"""Every setting's environment variable is this followed by its name (``CAREWISE_DATA_DIR``)."""


def default_data_dir() -> Path:
    """The per-user data folder (``~/.local/share/carewise`` on Linux), used when none is set."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("carewise", appauthor=False))


def environment_value(name: str) -> str | None:
    """The value a setting is given in the environment, as pydantic-settings finds it: the names
    are compared without regard to case, and of several spellings the last one set wins."""
    wanted = f"{ENV_PREFIX}{name}".lower()
    found = None
    for key, value in os.environ.items():
        if key.lower() == wanted:
            found = value
    return found


def data_dir() -> Path:
    """The data folder (``Settings.data_dir``): ``CAREWISE_DATA_DIR``, else :func:`default_data_dir`."""
    value = environment_value("data_dir")
    return Path(value) if value is not None else default_data_dir()
