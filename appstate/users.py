"""User accounts: who may sign in, with what role, for which LAs, agencies and areas.

Passwords are argon2-hashed and never stored or logged as typed. An account signed in through
single sign-on has no password: it must still be created here first, since the role and scope
come from this table, never from the identity provider. Five failed sign-ins in a row lock an
account for 15 minutes, whoever tries from wherever: each attempt is counted by one atomic
UPDATE before its password is checked, so attempts sent all at once, to any number of server
workers, get no more than five checks. A locked account answers in the same words, and after the
same argon2 work, as a wrong password, so a guesser cannot tell the two apart.

Sessions are cookies that the server can still revoke: each names its account's session
generation, and signing out, a new password, or disabling (or re-enabling) the account moves the
generation on, so every cookie issued before is worth nothing.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, Integer, String, case, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from appstate.db import Base, insert_if_missing, rows_updated
from warehouse.model.datasets import agency_groups

ROLES = ("executive", "partner", "data_team", "admin")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,119}$")
_HASHER = PasswordHasher()
REFUSED = (
    f"The username or password is not right. After {MAX_FAILURES} failed sign-ins an account waits "
    f"{LOCKOUT.seconds // 60} minutes."
)
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


class SessionGeneration(Base):
    """Which of an account's sessions still count: those issued at its current generation."""

    __tablename__ = "session_generation"

    username: Mapped[str] = mapped_column(String(120), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)


def session_generation(session: Session, username: str) -> int:
    return (
        session.scalar(select(SessionGeneration.generation).where(SessionGeneration.username == username))
        or 0
    )


def end_sessions(session: Session, username: str) -> None:
    """Every session of the account issued so far ends (on any server, at its next request)."""
    insert_if_missing(session, SessionGeneration, username=username, generation=0)
    session.execute(
        update(SessionGeneration)
        .where(SessionGeneration.username == username)
        .values(generation=SessionGeneration.generation + 1)
    )
    session.commit()


class SignInRefused(Exception):
    """A sign-in that failed; the message is safe to show (it never says which part was wrong, nor
    that the account is locked). `reason` says what happened, for the audit log only."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason or message


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")


def _known_agencies(agencies: tuple[str, ...]) -> tuple[str, ...]:
    """The agencies as the warehouse spells them; a name it does not know is refused, since it
    would match no figures and the partner would see only zeros."""
    known = agency_groups()
    unknown = [agency for agency in agencies if agency.lower() not in known]
    if unknown:
        raise ValueError(
            f"{', '.join(repr(a) for a in unknown)} is not an agency group: use one of "
            f"{', '.join(sorted(set(known.values())))}"
        )
    return tuple(known[agency.lower()] for agency in agencies)


def add_user(
    session: Session,
    username: str,
    role: str,
    created_by: str,
    password: str | None = None,
    la_codes: tuple[str, ...] = (),
    agencies: tuple[str, ...] = (),
    areas: tuple[str, ...] = (),
    unsuppressed: bool = False,
) -> UserAccount:
    """A new account. No password means single sign-on only."""
    username = normalise_username(username)
    if not _USERNAME.match(username):
        raise ValueError(
            f"'{username}' is not a username: use letters, digits, '.', '_', '-' or an email address"
        )
    if role not in ROLES:
        raise ValueError(f"'{role}' is not a role: use one of {', '.join(ROLES)}")
    if role != "admin" and not la_codes:
        raise ValueError(f"a {role.replace('_', ' ')} account needs the LAs it covers (--la)")
    if role != "partner" and (agencies or areas):
        raise ValueError("only partner accounts are limited to agencies or areas")
    agencies = _known_agencies(agencies)
    if role in ("partner", "data_team"):
        unsuppressed = role == "data_team"  # partners never see small numbers; data teams always do
    if session.scalar(select(UserAccount.id).where(UserAccount.username == username)):
        raise ValueError(f"there is already an account '{username}'")
    if password is not None:
        check_password_strength(password)
    account = UserAccount(
        username=username,
        role=role,
        la_codes=",".join(la_codes),
        agencies=",".join(agencies),
        areas=",".join(areas),
        unsuppressed=unsuppressed,
        password_hash=_HASHER.hash(password) if password else None,
        active=True,
        failed_sign_ins=0,
        created_by=created_by,
        created_at=datetime.now(),
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
    end_sessions(session, account.username)


def set_active(session: Session, username: str, active: bool) -> None:
    account = _existing(session, username)
    account.active = active
    session.commit()
    end_sessions(session, account.username)  # a cookie copied before a disable stays dead after re-enabling


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
        raise SignInRefused(REFUSED, "no such account, or one that signs in through single sign-on only")
    if not _claim_attempt(session, account, now):
        _matches(_DUMMY_HASH, password)
        raise SignInRefused(REFUSED, "the account is locked after repeated failures")
    if not _matches(account.password_hash, password):
        raise SignInRefused(REFUSED, "wrong password")  # the attempt stays counted
    if not account.active:
        raise SignInRefused("This account is disabled: ask an administrator.")
    session.execute(
        update(UserAccount)
        .where(UserAccount.id == account.id)
        .values(failed_sign_ins=0, locked_until=None, last_sign_in=now)
    )
    session.commit()
    session.refresh(account)
    return account


def _claim_attempt(session: Session, account: UserAccount, now: datetime) -> bool:
    """Count an attempt at the account's password before it is checked, in one UPDATE that only
    an unlocked account passes; the attempt that makes the fifth locks it. False when locked."""
    expired = UserAccount.locked_until.is_not(None)  # the only lock an unlocked account can hold
    attempts = case((expired, 1), else_=UserAccount.failed_sign_ins + 1)
    claimed = rows_updated(
        session,
        update(UserAccount)
        .where(
            UserAccount.id == account.id,
            or_(UserAccount.locked_until.is_(None), UserAccount.locked_until <= now),
        )
        .values(
            failed_sign_ins=attempts, locked_until=case((attempts >= MAX_FAILURES, now + LOCKOUT), else_=None)
        )
        .execution_options(synchronize_session=False),
    )
    session.commit()
    return claimed == 1


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
