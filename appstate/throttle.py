"""Failed sign-ins counted per client address, in app state, so the limit holds across every
server worker and instance, and against requests sent all at once.

An attempt is counted before its password is checked, by one atomic UPDATE that succeeds only
while the address is under the limit; a sign-in that succeeds gives its attempt back. So however
many requests arrive together, no more than the limit are ever checked in one window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, case, or_, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from appstate.db import Base, insert_if_missing, rows_updated

ADDRESS_FAILURES = 20
ADDRESS_WINDOW = timedelta(minutes=15)


class SignInAddress(Base):
    __tablename__ = "sign_in_address"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


def claim_attempt(session: Session, address: str, now: datetime | None = None) -> bool:
    """Count one sign-in attempt from `address`; False (and nothing counted) when the address has
    used its attempts for the current window."""
    now = now or datetime.now()
    address = address[:64]
    insert_if_missing(session, SignInAddress, address=address, window_start=now, attempts=0)
    stale = SignInAddress.window_start <= now - ADDRESS_WINDOW
    claimed = rows_updated(
        session,
        update(SignInAddress)
        .where(SignInAddress.address == address, or_(SignInAddress.attempts < ADDRESS_FAILURES, stale))
        .values(
            attempts=case((stale, 1), else_=SignInAddress.attempts + 1),
            window_start=case((stale, now), else_=SignInAddress.window_start),
        ),
    )
    session.commit()
    return claimed == 1


def give_back_attempt(session: Session, address: str) -> None:
    """A successful sign-in is not a failure: its attempt no longer counts."""
    session.execute(
        update(SignInAddress)
        .where(SignInAddress.address == address[:64], SignInAddress.attempts > 0)
        .values(attempts=SignInAddress.attempts - 1)
    )
    session.commit()
