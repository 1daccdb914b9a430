"""The one family of errors shown to users without a traceback.

A ``UserFacingError`` means the input or a setting is wrong, not carewise: the
CLI prints its message and exits with its exit code, the web app shows it on
the page. Anything else is a bug and is logged with its traceback.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """Something the user can fix: a bad file, a bad setting, a missing extract."""

    exit_code = 2


class BadInputError(UserFacingError):
    """A file could not be read; nothing was stored."""

    exit_code = 3


class SettingError(UserFacingError):
    exit_code = 4


class NotFoundError(UserFacingError):
    exit_code = 5
