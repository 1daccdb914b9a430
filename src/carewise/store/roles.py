"""Web users' roles, in a module of their own so the command line can offer them without loading
the database layer (``carewise users add --role``)."""

from __future__ import annotations

from enum import StrEnum


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
