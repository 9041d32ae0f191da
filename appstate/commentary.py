""" "What is the data telling us?": commentary per KPI, LA and period, with every version kept.

An edit never overwrites: it adds the next version, so the history shows who wrote what and
when, and nothing written is lost. The text is stored as plain text and only ever shown as text
(never as HTML), so markup typed into it is inert wherever it appears.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from appstate.audit import record
from appstate.db import Base
from warehouse.kpis.registry import get_kpi

MAX_LENGTH = 4000
# Control characters but tab and newline: they have no place in commentary and can hide text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Commentary(Base):
    __tablename__ = "commentary"
    __table_args__ = (UniqueConstraint("kpi_id", "la_code", "period_code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[str] = mapped_column(String(64), index=True)
    la_code: Mapped[str] = mapped_column(String(9), index=True)
    period_code: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))
    written_at: Mapped[datetime] = mapped_column(DateTime)


def clean_text(text: str) -> str:
    """Commentary as it is stored: normalised Unicode, no control characters, trimmed lines."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def write_commentary(
    session: Session, kpi_id: str, la_code: str, period_code: str, text: str, author: str
) -> Commentary:
    """Adds the next version. An empty text is a version too: it withdraws the commentary shown."""
    get_kpi(kpi_id)  # an unknown KPI is an error, not a row nobody will ever see
    cleaned = clean_text(text)
    if len(cleaned) > MAX_LENGTH:
        raise ValueError(f"commentary is limited to {MAX_LENGTH:,} characters; this has {len(cleaned):,}")
    latest = session.scalar(
        select(func.max(Commentary.version)).where(
            Commentary.kpi_id == kpi_id, Commentary.la_code == la_code, Commentary.period_code == period_code
        )
    )
    entry = Commentary(
        kpi_id=kpi_id,
        la_code=la_code,
        period_code=period_code,
        version=(latest or 0) + 1,
        text=cleaned,
        author=author,
        written_at=datetime.now(),
    )
    session.add(entry)
    session.flush()  # the change and its audit row are committed together, by record
    record(
        session,
        author,
        "commentary_written",
        subject=f"{kpi_id} for {la_code}, {period_code}",
        version=entry.version,
        characters=len(cleaned),
    )
    return entry


def commentary_history(session: Session, kpi_id: str, la_code: str, period_code: str) -> list[Commentary]:
    """Every version, newest first."""
    return list(
        session.scalars(
            select(Commentary)
            .where(
                Commentary.kpi_id == kpi_id,
                Commentary.la_code == la_code,
                Commentary.period_code == period_code,
            )
            .order_by(Commentary.version.desc())
        )
    )


def current_commentary(session: Session, la_code: str, period_code: str) -> dict[str, Commentary]:
    """The latest version for each KPI of an LA and period, leaving out withdrawn (empty) ones."""
    latest = (
        select(Commentary.kpi_id, func.max(Commentary.version).label("version"))
        .where(Commentary.la_code == la_code, Commentary.period_code == period_code)
        .group_by(Commentary.kpi_id)
        .subquery()
    )
    rows = session.scalars(
        select(Commentary)
        .join(latest, (Commentary.kpi_id == latest.c.kpi_id) & (Commentary.version == latest.c.version))
        .where(Commentary.la_code == la_code, Commentary.period_code == period_code)
    )
    return {row.kpi_id: row for row in rows if row.text}
