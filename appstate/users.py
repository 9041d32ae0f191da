"""User accounts: who may sign in, with what role, for which LAs, agencies and areas.

Passwords are argon2-hashed and never stored or logged as typed. An account signed in through
single sign-on has no password: it must still be created here first, since the role and scope
come from this table, never from the identity provider. Five failed sign-ins in a row lock an
account for 15 minutes, whoever tries from wherever.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from appstate.db import Base

ROLES = ("executive", "partner", "data_team", "admin")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,119}$")
_HASHER = PasswordHasher()
# Verified against when the account does not exist, so a wrong username takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class UserAccount(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    la_codes: Mapped[str] = mapped_column(String(2000), default="")  # comma-separated; empty: every loaded LA
    agencies: Mapped[str] = mapped_column(String(500), default="")  # partner restriction; empty: all
    areas: Mapped[str] = mapped_column(String(2000), default="")  # partner restriction; empty: all
    unsuppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_sign_in: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    @staticmethod
    def _codes(text: str) -> tuple[str, ...]:
        return tuple(code for code in text.split(",") if code)

    @property
    def la_list(self) -> tuple[str, ...]:
        return self._codes(self.la_codes)

    @property
    def agency_list(self) -> tuple[str, ...]:
        return self._codes(self.agencies)

    @property
    def area_list(self) -> tuple[str, ...]:
        return self._codes(self.areas)


class SignInRefused(Exception):
    """A sign-in that failed; the message is safe to show (it never says which part was wrong)."""


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")


def add_user(session: Session, username: str, role: str, created_by: str, password: str | None = None,
             la_codes: tuple[str, ...] = (), agencies: tuple[str, ...] = (), areas: tuple[str, ...] = (),
             unsuppressed: bool = False) -> UserAccount:
    """A new account. No password means single sign-on only."""
    username = normalise_username(username)
    if not _USERNAME.match(username):
        raise ValueError(f"'{username}' is not a username: use letters, digits, '.', '_', '-' or an email address")
    if role not in ROLES:
        raise ValueError(f"'{role}' is not a role: use one of {', '.join(ROLES)}")
    if role != "admin" and not la_codes:
        raise ValueError(f"a {role.replace('_', ' ')} account needs the LAs it covers (--la)")
    if role != "partner" and (agencies or areas):
        raise ValueError("only partner accounts are limited to agencies or areas")
    if role in ("partner", "data_team"):
        unsuppressed = role == "data_team"  # partners never see small numbers; data teams always do
    if session.scalar(select(UserAccount.id).where(UserAccount.username == username)):
        raise ValueError(f"there is already an account '{username}'")
    if password is not None:
        check_password_strength(password)
    account = UserAccount(
        username=username, role=role, la_codes=",".join(la_codes), agencies=",".join(agencies), areas=",".join(areas),
        unsuppressed=unsuppressed, password_hash=_HASHER.hash(password) if password else None, active=True,
        failed_sign_ins=0, created_by=created_by, created_at=datetime.now(),
    )
    session.add(account)
    session.commit()
    return account


def get_user(session: Session, username: str) -> UserAccount | None:
    name = normalise_username(username)
    if not _USERNAME.match(name):
        return None  # a NUL, a space or 121 characters names nobody (and PostgreSQL would refuse the query)
    return session.scalar(select(UserAccount).where(UserAccount.username == name))


def list_users(session: Session) -> list[UserAccount]:
    return list(session.scalars(select(UserAccount).order_by(UserAccount.username)))


def set_password(session: Session, username: str, password: str) -> None:
    account = _existing(session, username)
    check_password_strength(password)
    account.password_hash = _HASHER.hash(password)
    account.failed_sign_ins, account.locked_until = 0, None
    session.commit()


def set_active(session: Session, username: str, active: bool) -> None:
    _existing(session, username).active = active
    session.commit()


def _existing(session: Session, username: str) -> UserAccount:
    account = get_user(session, username)
    if account is None:
        raise ValueError(f"there is no account '{normalise_username(username)}'")
    return account


def sign_in(session: Session, username: str, password: str, now: datetime | None = None) -> UserAccount:
    """The account, if the password is right and the account may sign in; else SignInRefused."""
    now = now or datetime.now()
    account = get_user(session, username)
    if account is None or not account.password_hash:
        _matches(_DUMMY_HASH, password)
        raise SignInRefused("The username or password is not right.")
    if account.locked_until and account.locked_until > now:
        raise SignInRefused("Too many failed sign-ins: this account is locked for 15 minutes.")
    if not _matches(account.password_hash, password):
        account.failed_sign_ins += 1
        if account.failed_sign_ins >= MAX_FAILURES:
            account.locked_until, account.failed_sign_ins = now + LOCKOUT, 0
        session.commit()
        raise SignInRefused("The username or password is not right.")
    if not account.active:
        raise SignInRefused("This account is disabled: ask an administrator.")
    account.failed_sign_ins, account.locked_until, account.last_sign_in = 0, None, now
    session.commit()
    return account


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
