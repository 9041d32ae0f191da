"""Who may see what, and who may change what: the questions every page, callback and export asks.

Until sign-in arrives (the access-control issue), every visitor is treated as a partner: all
the LAs the warehouse holds, with small numbers suppressed. Each data path calls
`current_scope()` on the server and never takes the scope from the browser.

Writes to app state (targets, commentary, the challenge log, saved views) go through
`require(permission)`, which names the user they are recorded against. Until sign-in, that user
is the one local operator of this install (`SAFEGUARD_LOCAL_USER`, else the account running the
server), with the role `SAFEGUARD_LOCAL_ROLE` (admin by default): the server listens on
127.0.0.1 only, so the operator is whoever sits at this machine.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from enum import StrEnum

from app.state import reader
from warehouse.kpis.suppression import SuppressionPolicy


@dataclass(frozen=True)
class Scope:
    la_codes: tuple[str, ...]
    policy: SuppressionPolicy

    def allowed(self, requested: tuple[str, ...]) -> tuple[str, ...]:
        """The requested LAs that the scope includes; all of the scope if none are asked for."""
        kept = tuple(code for code in requested if code in self.la_codes)
        return kept or self.la_codes


def current_scope() -> Scope:
    las = reader().query("loaded_las")
    return Scope(la_codes=tuple(las["la_code"]), policy=SuppressionPolicy())


class Role(StrEnum):
    EXECUTIVE = "executive"
    PARTNER = "partner"
    DATA_TEAM = "data_team"
    ADMIN = "admin"


class Permission(StrEnum):
    SET_TARGETS = "set targets"
    WRITE_COMMENTARY = "write commentary"
    RAISE_CHALLENGES = "raise and close challenges"
    ANSWER_CHALLENGES = "answer challenges"
    SAVE_VIEWS = "save views"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.EXECUTIVE: frozenset({Permission.WRITE_COMMENTARY, Permission.RAISE_CHALLENGES, Permission.ANSWER_CHALLENGES,
                               Permission.SAVE_VIEWS}),
    Role.PARTNER: frozenset({Permission.ANSWER_CHALLENGES, Permission.SAVE_VIEWS}),
    Role.DATA_TEAM: frozenset({Permission.SET_TARGETS, Permission.WRITE_COMMENTARY, Permission.ANSWER_CHALLENGES,
                               Permission.SAVE_VIEWS}),
    Role.ADMIN: frozenset(Permission),
}


class PermissionDenied(Exception):
    """Raised on the server when a user asks for something their role does not allow."""


@dataclass(frozen=True)
class User:
    username: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]


def current_user() -> User:
    """The user a request acts as (the local operator until sign-in arrives)."""
    username = os.environ.get("SAFEGUARD_LOCAL_USER") or getpass.getuser()
    return User(username=username, role=Role(os.environ.get("SAFEGUARD_LOCAL_ROLE", Role.ADMIN.value)))


def require(permission: Permission) -> User:
    """The current user, if their role allows `permission`; every app-state write asks this first."""
    user = current_user()
    if not user.can(permission):
        raise PermissionDenied(f"{user.username} ({user.role.value.replace('_', ' ')}) may not {permission.value}")
    return user
