"""Web accounts: local users with argon2 password hashes, their role and the councils they may see.

Passwords follow NIST SP 800-63B section 5.1.1.2 and the NCSC password guidance: at least 12
characters, any characters (spaces included, but not only spaces), no composition rules, and
refused when on a list of common or breached passwords (:func:`password_problem`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update

from carewise.errors import UserFacingError
from carewise.store import schema as s
from carewise.store.roles import Role
from carewise.store.store import new_id

if TYPE_CHECKING:
    from carewise.store.store import Store

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    all_councils: bool
    councils: tuple[str, ...]
    must_change_password: bool = False

    def may_see(self, la_code: str) -> bool:
        return self.all_councils or la_code in self.councils


MIN_PASSWORD = 12
MAX_PASSWORD = 256
"""Long enough for any passphrase (NIST: at least 64) and short enough that hashing cannot be abused."""


class AccountError(UserFacingError):
    """A refused account change, naming the form field it is about (so the page can show it there)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused, or None (NIST SP 800-63B 5.1.1.2; NCSC password guidance).

    - fewer than ``MIN_PASSWORD`` characters, or only white space;
    - on the list of the 30,000 most common passwords from breaches (zxcvbn's bundled list,
      compared without regard to case);
    - easily guessed all the same: zxcvbn (which matches that list, dictionary words, keyboard
      patterns, repeats, sequences and dates, also with l33t changes, and the user's own name)
      rates it under a million guesses, e.g. ``password1234`` or ``aaaaaaaaaaaa``.
    No rules about character classes: NIST and the NCSC advise against them.
    """
    if len(password) < MIN_PASSWORD:
        return f"Enter a password of at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"Enter a password of at most {MAX_PASSWORD} characters"
    if not password.strip():
        return "Enter a password that is not only spaces"
    if password.casefold() in _common_passwords():
        return "That password is on a list of common passwords that attackers try first: choose another"
    from zxcvbn import zxcvbn

    name = username.strip().lower()
    words = [name, name.split("@")[0], *name.replace("@", ".").split(".")]
    # zxcvbn scores at most 72 characters; a longer password is judged on its start
    if zxcvbn(password[:72], user_inputs=[w for w in words if w])["guesses"] < 1e6:
        return ("That password is too easy to guess (a common password, a pattern or your user name "
                "with small changes): try three random words")
    return None


def _checked_hash(password: str, username: str) -> str:
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem, "password")
    return _hasher.hash(password)


def create_user(store: Store, username: str, password: str | None, role: Role | str = Role.PANEL, *,
                display_name: str | None = None, councils: list[str] | None = None,
                all_councils: bool = False) -> User:
    """A new account; the role defaults to the least privileged (panel member)."""
    try:
        role = Role(role)
    except ValueError:
        raise AccountError("Choose a role", "role") from None
    username = username.strip().lower()
    if not username:
        raise AccountError("Enter a user name", "username")
    password_hash = _checked_hash(password, username) if password is not None else None
    with store.engine.begin() as conn:
        if conn.execute(select(s.web_user.c.id).where(s.web_user.c.username == username)).first():
            raise AccountError(f"A user called {username} already exists", "username")
        user_id = new_id(conn.execute(
            insert(s.web_user).values(
                username=username, display_name=display_name or username,
                password_hash=password_hash, role=role.value,
                active=True, all_councils=all_councils, created_at=datetime.now(UTC),
                must_change_password=False,
            )
        ))
        _set_councils(conn, user_id, councils or [])
    return get_user(store, username)


def _set_councils(conn, user_id: int, councils: list[str]) -> None:
    conn.execute(delete(s.user_council).where(s.user_council.c.user_id == user_id))
    for code in councils:
        council_id = conn.execute(select(s.council.c.id).where(s.council.c.la_code == code)).scalar()
        if council_id is None:
            raise AccountError(f"No council {code} is stored; import its data first", "councils")
        conn.execute(insert(s.user_council).values(user_id=user_id, council_id=council_id))


def update_user(store: Store, username: str, *, role: Role | str | None = None, active: bool | None = None,
                councils: list[str] | None = None, all_councils: bool | None = None,
                password: str | None = None) -> User:
    user = get_user(store, username)
    values: dict = {}
    if role is not None:
        values["role"] = Role(role).value
    if active is not None:
        values["active"] = active
    if all_councils is not None:
        values["all_councils"] = all_councils
    if password is not None:
        values["password_hash"] = _checked_hash(password, user.username)
        values["must_change_password"] = False
    with store.engine.begin() as conn:
        if values:
            conn.execute(update(s.web_user).where(s.web_user.c.id == user.id).values(**values))
        if councils is not None:
            _set_councils(conn, user.id, councils)
    if active is False or password is not None:
        end_sessions(store, user.username)
    return get_user(store, username)


def temporary_password() -> str:
    """A random password an administrator passes on (e.g. ``3f9a1c-0b7d22-9e41a8-55c0f3``, 96 bits)."""
    return "-".join(secrets.token_hex(3) for _ in range(4))


def reset_password(store: Store, username: str, password: str) -> User:
    """An administrator's reset: the temporary password works once, to choose a new one (NCSC:
    "force a password change" after an administrator sets one); the user's sessions end."""
    update_user(store, username, password=password)
    with store.engine.begin() as conn:
        conn.execute(update(s.web_user).where(s.web_user.c.username == username.strip().lower())
                     .values(must_change_password=True))
    return get_user(store, username)


def change_own_password(store: Store, username: str, current: str, new: str, *, keep_session: str | None = None) -> User:
    """A user choosing their own new password: the current one must be right and the new one
    different; every other session of theirs ends (OWASP ASVS 3.3.3)."""
    user = get_user(store, username)
    if verify_password(store, username, current) is None:
        raise AccountError("Your current password is not right", "current_password")
    if new == current:
        raise AccountError("Choose a password different from the current one", "new_password")
    problem = password_problem(new, user.username)
    if problem:
        raise AccountError(problem, "new_password")
    with store.engine.begin() as conn:
        conn.execute(update(s.web_user).where(s.web_user.c.id == user.id)
                     .values(password_hash=_hasher.hash(new), must_change_password=False))
        query = delete(s.web_session).where(s.web_session.c.username == user.username)
        if keep_session:
            query = query.where(s.web_session.c.token_hash != session_key(keep_session))
        conn.execute(query)
    return get_user(store, username)


def session_key(token: str) -> str:
    """What the database keeps of a session's cookie id: its SHA-256, never the id itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def end_sessions(store: Store, username: str) -> int:
    """End every web session of a user, in every server process at once; returns how many."""
    with store.engine.begin() as conn:
        return conn.execute(delete(s.web_session).where(
            s.web_session.c.username == username.strip().lower())).rowcount or 0


def get_user(store: Store, username: str) -> User:
    found = find_user(store, username)
    if found is None:
        raise UserFacingError(f"no user called {username}")
    return found


def find_user(store: Store, username: str) -> User | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(s.web_user).where(s.web_user.c.username == username.strip().lower())).first()
        if row is None:
            return None
        codes = conn.execute(
            select(s.council.c.la_code).join(s.user_council, s.user_council.c.council_id == s.council.c.id)
            .where(s.user_council.c.user_id == row.id).order_by(s.council.c.la_code)
        ).scalars().all()
    return User(row.id, row.username, row.display_name, Role(row.role), bool(row.active),
                bool(row.all_councils), tuple(codes), bool(row.must_change_password))


def list_users(store: Store) -> list[User]:
    with store.engine.connect() as conn:
        names = conn.execute(select(s.web_user.c.username).order_by(s.web_user.c.username)).scalars().all()
    return [get_user(store, n) for n in names]


def verify_password(store: Store, username: str, password: str) -> User | None:
    """The user if the password is right and the account active; None otherwise (same time either way)."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(s.web_user.c.password_hash, s.web_user.c.active).where(
                s.web_user.c.username == username.strip().lower())
        ).first()
    stored = row.password_hash if row is not None and row.password_hash else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    return get_user(store, username)


@cache
def _dummy_hash() -> str:
    """Verified against when the user is unknown, so timing does not reveal which names exist."""
    return _hasher.hash("carewise-timing-equaliser")
