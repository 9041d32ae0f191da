"""Board meetings: when and for which local authorities, who attended for which agency, the agenda
(built from the meeting pack's sections), the decisions taken and the actions raised.

Attendees are the post holders at the table (staff of the partner agencies, never a child), each
with their agency. The agenda is an ordered list of the pack's section ids (app/pack_sections.py),
each with an optional presenter and note; which ids exist is the app's to say, so `set_agenda` is
given them. Actions raised in a meeting are actions of the action tracker (appstate/actions.py,
source "board meeting"), linked by `MeetingAction` (an action comes from one meeting at most), and
are tracked there. Every change is committed with its audit row.

A meeting is for one or more LAs; it is seen by whoever's scope holds all of them, and its
previous meeting is the latest one before it for the same LAs.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from appstate.actions import Action, SourceKind, add_action
from appstate.audit import record
from appstate.challenges import MAX_NAME, checked_text
from appstate.db import Base

MAX_TITLE = 200
MAX_NOTE = 500
MAX_ATTENDEES = 60
LA_SEPARATOR = ","


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    la_codes_text: Mapped[str] = mapped_column(String(200))  # LA_SEPARATOR between codes, sorted
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    attendees: Mapped[list[MeetingAttendee]] = relationship(order_by="MeetingAttendee.id", lazy="selectin")
    agenda: Mapped[list[AgendaItem]] = relationship(order_by="AgendaItem.position", lazy="selectin")
    decisions: Mapped[list[MeetingDecision]] = relationship(
        order_by="MeetingDecision.number", lazy="selectin"
    )
    action_links: Mapped[list[MeetingAction]] = relationship(
        order_by="MeetingAction.action_id", lazy="selectin"
    )

    @property
    def la_codes(self) -> tuple[str, ...]:
        return tuple(code for code in self.la_codes_text.split(LA_SEPARATOR) if code)

    @property
    def action_ids(self) -> tuple[int, ...]:
        return tuple(link.action_id for link in self.action_links)

    @property
    def label(self) -> str:
        """How the meeting is named wherever it is referred to: '12 November 2026: Partnership board'."""
        return f"{self.held_on.day} {self.held_on:%B %Y}: {self.title}"


class MeetingAttendee(Base):
    """A post holder at the meeting, and the agency they attended for."""

    __tablename__ = "meeting_attendee"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    agency: Mapped[str] = mapped_column(String(MAX_NAME))


class AgendaItem(Base):
    """An item of the agenda: a section of the meeting pack, in its place, with who presents it."""

    __tablename__ = "meeting_agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    section_id: Mapped[str] = mapped_column(String(64))
    presenter: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class MeetingDecision(Base):
    """A decision of the meeting, numbered in the order recorded."""

    __tablename__ = "meeting_decision"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime)


class MeetingAction(Base):
    """An action of the tracker raised in the meeting: an action comes from one meeting at most."""

    __tablename__ = "meeting_action"

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)


# --- what is typed, checked ---


@dataclass(frozen=True)
class Attendee:
    name: str
    agency: str


@dataclass(frozen=True)
class AgendaEntry:
    section_id: str
    presenter: str = ""
    note: str = ""


def parse_attendees(text: str) -> tuple[Attendee, ...]:
    """Attendees typed one a line as 'name, agency' (the agency after the last comma); blank lines
    are skipped. Each error names the line."""
    attendees = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, comma, agency = line.rpartition(",")
        if not comma:
            raise ValueError(f"attendees, line {number}: write 'name, agency'; not {line.strip()!r}")
        try:
            attendees.append(
                Attendee(
                    checked_text(name, "the name", limit=MAX_NAME),
                    checked_text(agency, "the agency", limit=MAX_NAME),
                )
            )
        except ValueError as error:
            raise ValueError(f"attendees, line {number}: {error}") from None
    if len(attendees) > MAX_ATTENDEES:
        raise ValueError(f"a meeting has at most {MAX_ATTENDEES} attendees; this has {len(attendees)}")
    return tuple(attendees)


def _la_codes(la_codes: Collection[str]) -> str:
    codes = sorted(set(la_codes))
    if not codes:
        raise ValueError("a meeting is for at least one local authority")
    return LA_SEPARATOR.join(codes)


def _subject(meeting: Meeting) -> str:
    return f"meeting {meeting.id} ({', '.join(meeting.la_codes)}, {meeting.held_on.isoformat()})"


def _meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise ValueError(f"there is no meeting {meeting_id}")
    return meeting


# --- changes: each committed with its audit row ---


def add_meeting(
    session: Session,
    la_codes: Collection[str],
    held_on: date,
    title: str,
    created_by: str,
    attendees: tuple[Attendee, ...] = (),
) -> Meeting:
    meeting = Meeting(
        held_on=held_on,
        title=checked_text(title, "the title", limit=MAX_TITLE),
        la_codes_text=_la_codes(la_codes),
        created_by=created_by,
        created_at=datetime.now(),
    )
    session.add(meeting)
    session.flush()
    session.add_all([MeetingAttendee(meeting_id=meeting.id, name=a.name, agency=a.agency) for a in attendees])
    session.flush()  # the change and its audit row are committed together, by record
    record(
        session,
        created_by,
        "meeting_added",
        subject=_subject(meeting),
        title=meeting.title,
        attendees=len(attendees),
    )
    session.refresh(meeting)
    return meeting


def set_attendees(session: Session, meeting_id: int, attendees: tuple[Attendee, ...], by: str) -> Meeting:
    """The meeting's attendees replaced by `attendees`."""
    meeting = _meeting(session, meeting_id)
    for old in meeting.attendees:
        session.delete(old)
    session.flush()
    session.add_all([MeetingAttendee(meeting_id=meeting.id, name=a.name, agency=a.agency) for a in attendees])
    session.flush()  # the change and its audit row are committed together, by record
    record(session, by, "meeting_attendees", subject=_subject(meeting), attendees=len(attendees))
    session.refresh(meeting)
    return meeting


def set_agenda(
    session: Session, meeting_id: int, entries: list[AgendaEntry], known: Collection[str], by: str
) -> Meeting:
    """The meeting's agenda replaced by `entries`, in their order: each a section of the pack (one of
    `known`), once."""
    seen: set[str] = set()
    checked = []
    for number, entry in enumerate(entries, start=1):
        if entry.section_id not in known:
            raise ValueError(f"agenda item {number}: there is no pack section {entry.section_id!r}")
        if entry.section_id in seen:
            raise ValueError(f"agenda item {number}: {entry.section_id!r} is on the agenda already")
        seen.add(entry.section_id)
        checked.append(
            AgendaEntry(
                entry.section_id,
                checked_text(entry.presenter, "the presenter", required=False, limit=MAX_NAME),
                checked_text(entry.note, "the note", required=False, limit=MAX_NOTE),
            )
        )
    meeting = _meeting(session, meeting_id)
    for old in meeting.agenda:
        session.delete(old)
    session.flush()
    session.add_all(
        [
            AgendaItem(
                meeting_id=meeting.id,
                position=position,
                section_id=e.section_id,
                presenter=e.presenter,
                note=e.note,
            )
            for position, e in enumerate(checked, start=1)
        ]
    )
    session.flush()  # the change and its audit row are committed together, by record
    record(session, by, "meeting_agenda", subject=_subject(meeting), agenda=[e.section_id for e in checked])
    session.refresh(meeting)
    return meeting


# How an agenda item can be changed in place: moved a place earlier or later, or taken off.
AGENDA_MOVES = {"up": -1, "down": 1}
AGENDA_CHANGES = (*AGENDA_MOVES, "remove")


def changed_agenda(agenda: Sequence[AgendaEntry], position: int, change: str) -> list[AgendaEntry]:
    """`agenda` with its item at `position` (1 for the first) moved up or down a place, or removed."""
    if change not in AGENDA_CHANGES:
        raise ValueError(f"an agenda item can be moved up, down or removed, not {change!r}")
    if not 1 <= position <= len(agenda):
        raise ValueError(f"the agenda has no item {position}: it has {len(agenda)}")
    entries = list(agenda)
    if change == "remove":
        del entries[position - 1]
        return entries
    other = position - 1 + AGENDA_MOVES[change]
    if not 0 <= other < len(entries):
        raise ValueError(f"agenda item {position} is {'first' if change == 'up' else 'last'} already")
    entries[position - 1], entries[other] = entries[other], entries[position - 1]
    return entries


def attendees_text(attendees: Sequence[Attendee] | Sequence[MeetingAttendee]) -> str:
    """Attendees as parse_attendees reads them: 'name, agency', one a line."""
    return "\n".join(f"{a.name}, {a.agency}" for a in attendees)


def add_decision(session: Session, meeting_id: int, text: str, by: str) -> MeetingDecision:
    """The meeting's next decision, numbered after the last."""
    cleaned = checked_text(text, "the decision")
    meeting = _meeting(session, meeting_id)
    last = session.scalar(
        select(func.max(MeetingDecision.number)).where(MeetingDecision.meeting_id == meeting.id)
    )
    decision = MeetingDecision(
        meeting_id=meeting.id, number=(last or 0) + 1, text=cleaned, by=by, at=datetime.now()
    )
    session.add(decision)
    session.flush()  # the change and its audit row are committed together, by record
    record(session, by, "meeting_decision", subject=_subject(meeting), number=decision.number)
    session.refresh(meeting)
    return decision


def raise_meeting_action(
    session: Session,
    meeting_id: int,
    la_code: str,
    title: str,
    agency: str,
    lead: str,
    due_date: date,
    success_measure: str,
    created_by: str,
    kpi_ids: list[str] | tuple[str, ...] = (),
) -> Action:
    """An action of the tracker raised in the meeting, for one of its LAs, linked to it."""
    meeting = _meeting(session, meeting_id)
    if la_code not in meeting.la_codes:
        raise ValueError(f"the meeting is for {', '.join(meeting.la_codes)}; not {la_code}")
    action = add_action(
        session,
        la_code,
        title,
        SourceKind.BOARD_MEETING.value,
        meeting.label,
        agency,
        lead,
        due_date,
        success_measure,
        created_by,
        kpi_ids=kpi_ids,
        link=lambda action: MeetingAction(action_id=action.id, meeting_id=meeting.id),
    )
    session.refresh(meeting)
    return action


# --- reading ---


def _within(meeting: Meeting, la_codes: Collection[str]) -> bool:
    return set(meeting.la_codes) <= set(la_codes)


def list_meetings(session: Session, la_codes: Collection[str]) -> list[Meeting]:
    """The meetings whose LAs are all among `la_codes` (a viewer's scope), newest first."""
    found = session.scalars(select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc()))
    return [m for m in found if _within(m, la_codes)]


def get_meeting(session: Session, meeting_id: int, la_codes: Collection[str]) -> Meeting | None:
    """The meeting, if its LAs are all among `la_codes`; else None, as if there were none."""
    meeting = session.get(Meeting, meeting_id)
    return meeting if meeting is not None and _within(meeting, la_codes) else None


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The latest meeting before this one (held earlier, or the same day and made earlier) for the
    same LAs."""
    earlier = select(Meeting).where(
        Meeting.la_codes_text == meeting.la_codes_text,
        (Meeting.held_on < meeting.held_on)
        | ((Meeting.held_on == meeting.held_on) & (Meeting.id < meeting.id)),
    )
    return session.scalars(earlier.order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(1)).first()


def meeting_actions(session: Session, meeting: Meeting, agencies: tuple[str, ...] = ()) -> list[Action]:
    """The actions raised in the meeting, by due date; for a partner limited to agencies (`agencies`),
    those its agencies lead."""
    statement = (
        select(Action)
        .join(MeetingAction, MeetingAction.action_id == Action.id)
        .where(MeetingAction.meeting_id == meeting.id)
        .order_by(Action.due_date, Action.id)
    )
    if agencies:
        statement = statement.where(Action.agency.in_(agencies))
    return list(session.scalars(statement))
