"""Web accounts: local users with argon2 password hashes, their role and the councils they may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update

from carewise.errors import UserFacingError
from carewise.store import schema as s

_hasher = PasswordHasher()


class Role(StrEnum):
    """What a user may do. Panel members see aggregates only, with small numbers suppressed."""

    ADMIN = "admin"
    ANALYST = "analyst"
    MANAGER = "manager"
    PANEL = "panel"

    @property
    def sees_children(self) -> bool:
        return self in (Role.ADMIN, Role.ANALYST, Role.MANAGER)

    @property
    def imports(self) -> bool:
        return self in (Role.ADMIN, Role.ANALYST)

    @property
    def label(self) -> str:
        return {"admin": "Administrator", "analyst": "Analyst", "manager": "Manager",
                "panel": "Panel member"}[self.value]


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    all_councils: bool
    councils: tuple[str, ...]

    def may_see(self, la_code: str) -> bool:
        return self.all_councils or la_code in self.councils


MIN_PASSWORD = 12


def create_user(store, username: str, password: str | None, role: Role | str, *, display_name: str | None = None,
                councils: list[str] | None = None, all_councils: bool = False) -> User:
    role = Role(role)
    username = username.strip().lower()
    if not username:
        raise UserFacingError("enter a user name")
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserFacingError(f"passwords must be at least {MIN_PASSWORD} characters")
    with store.engine.begin() as conn:
        if conn.execute(select(s.web_user.c.id).where(s.web_user.c.username == username)).first():
            raise UserFacingError(f"a user called {username} already exists")
        user_id = conn.execute(
            insert(s.web_user).values(
                username=username, display_name=display_name or username,
                password_hash=_hasher.hash(password) if password else None, role=role.value,
                active=True, all_councils=all_councils, created_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]
        _set_councils(conn, user_id, councils or [])
    return get_user(store, username)


def _set_councils(conn, user_id: int, councils: list[str]) -> None:
    conn.execute(delete(s.user_council).where(s.user_council.c.user_id == user_id))
    for code in councils:
        council_id = conn.execute(select(s.council.c.id).where(s.council.c.la_code == code)).scalar()
        if council_id is None:
            raise UserFacingError(f"no council {code} is stored; import its data first")
        conn.execute(insert(s.user_council).values(user_id=user_id, council_id=council_id))


def update_user(store, username: str, *, role: Role | str | None = None, active: bool | None = None,
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
        if len(password) < MIN_PASSWORD:
            raise UserFacingError(f"passwords must be at least {MIN_PASSWORD} characters")
        values["password_hash"] = _hasher.hash(password)
    with store.engine.begin() as conn:
        if values:
            conn.execute(update(s.web_user).where(s.web_user.c.id == user.id).values(**values))
        if councils is not None:
            _set_councils(conn, user.id, councils)
    return get_user(store, username)


def get_user(store, username: str) -> User:
    found = find_user(store, username)
    if found is None:
        raise UserFacingError(f"no user called {username}")
    return found


def find_user(store, username: str) -> User | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(s.web_user).where(s.web_user.c.username == username.strip().lower())).first()
        if row is None:
            return None
        codes = conn.execute(
            select(s.council.c.la_code).join(s.user_council, s.user_council.c.council_id == s.council.c.id)
            .where(s.user_council.c.user_id == row.id).order_by(s.council.c.la_code)
        ).scalars().all()
    return User(row.id, row.username, row.display_name, Role(row.role), bool(row.active),
                bool(row.all_councils), tuple(codes))


def list_users(store) -> list[User]:
    with store.engine.connect() as conn:
        names = conn.execute(select(s.web_user.c.username).order_by(s.web_user.c.username)).scalars().all()
    return [get_user(store, n) for n in names]


def verify_password(store, username: str, password: str) -> User | None:
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
