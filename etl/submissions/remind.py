"""Reminders of figures due: one email per agency contact, listing the agency's figures that are
late and those due within SAFEGUARD_REMIND_DAYS, sent through the configured SMTP server
(SAFEGUARD_SMTP_HOST, _PORT, _FROM; _STARTTLS, _USER and _PASSWORD if the server needs them).

An agency's contacts are its partner accounts named by an email address (an account has no email
field: a partner signing in with its email address is reachable at it), each told of the LAs it
covers, and the addresses SAFEGUARD_REMIND_TO gives for the agency, told of every LA.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage

from warehouse.settings import Environment, Settings, environment
from warehouse.tracker import LATE, NOT_YET_DUE, Due, tracker_at


@dataclass(frozen=True)
class Contact:
    address: str
    agency: str
    la_codes: tuple[str, ...] = ()  # the LAs it hears of; none: every LA


@dataclass(frozen=True)
class Reminder:
    contact: Contact
    items: tuple[Due, ...]
    message: EmailMessage


class RemindError(Exception):
    """Reminders cannot be sent as configured."""


def configured_contacts(text: str) -> list[Contact]:
    """SAFEGUARD_REMIND_TO: 'Police: a@x.uk, b@x.uk; Health: c@nhs.net'."""
    contacts = []
    for entry in filter(None, (e.strip() for e in text.split(";"))):
        agency, colon, addresses = entry.partition(":")
        if not colon or not agency.strip():
            raise RemindError(f"SAFEGUARD_REMIND_TO: {entry!r} is not 'Agency: address, address'")
        for address in filter(None, (a.strip() for a in addresses.split(","))):
            if "@" not in address:
                raise RemindError(f"SAFEGUARD_REMIND_TO: {address!r} is not an email address")
            contacts.append(Contact(address, agency.strip()))
    return contacts


def account_contacts(db_url: str | None = None) -> list[Contact]:
    """Active partner accounts named by an email address, one contact per agency they name."""
    from appstate.db import session
    from appstate.users import list_users

    with session(db_url) as db:
        accounts = list_users(db)
    return [
        Contact(account.username, agency, account.la_list)
        for account in accounts
        if account.active and account.role == "partner" and "@" in account.username
        for agency in account.agency_list
    ]


def to_remind(rows: list[Due], today: date, within_days: int) -> list[Due]:
    """The figures to remind of: late, or not yet due and due within `within_days`."""
    horizon = today + timedelta(days=within_days)
    return [r for r in rows if r.state == LATE or (r.state == NOT_YET_DUE and r.due <= horizon)]


def compose(
    contact: Contact, items: list[Due], sender: str, today: date, partnership: str | None
) -> EmailMessage:
    late = [i for i in items if i.state == LATE]
    soon = [i for i in items if i.state == NOT_YET_DUE]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = contact.address
    what = f"{len(late)} late" if late else ""
    what += (", " if late and soon else "") + (f"{len(soon)} due soon" if soon else "")
    message["Subject"] = (
        f"Figures for {partnership or 'the safeguarding partnership'}: {what} ({contact.agency})"
    )
    lines = [
        f"Figures {contact.agency} submits to {partnership or 'the safeguarding partnership'}, as of {today:%d %B %Y}.",
        "",
    ]
    for heading, group in (("Late (the deadline has passed):", late), ("Due soon:", soon)):
        if group:
            lines.append(heading)
            lines += [f"- {i.title}, {i.period.label}, {i.la_code}: due {i.due:%d %B %Y}" for i in group]
            lines.append("")
    lines += [
        (
            "Download the template for the period from the dashboard (or ask the data team), fill it in and "
            "upload it. To correct figures already sent, upload them again for the same period."
        ),
    ]
    message.set_content("\n".join(lines) + "\n")
    return message


def plan_reminders(
    rows: list[Due],
    contacts: list[Contact],
    today: date,
    within_days: int,
    sender: str,
    partnership: str | None,
) -> list[Reminder]:
    """One reminder per contact with something to remind of: its agency's items, for its LAs."""
    due = to_remind(rows, today, within_days)
    reminders = []
    for contact in dict.fromkeys(contacts):
        items = [
            i
            for i in due
            if i.agency.lower() == contact.agency.lower()
            and (not contact.la_codes or i.la_code in contact.la_codes)
        ]
        if items:
            reminders.append(
                Reminder(contact, tuple(items), compose(contact, items, sender, today, partnership))
            )
    return reminders


def send(reminders: list[Reminder], env: Environment) -> None:
    """Send through the configured SMTP server, one connection for all."""
    if not env.smtp_host or not env.smtp_from:
        raise RemindError("set SAFEGUARD_SMTP_HOST and SAFEGUARD_SMTP_FROM to send reminders")
    if not reminders:
        return
    with smtplib.SMTP(env.smtp_host, env.smtp_port, timeout=30) as server:
        if env.smtp_starttls:
            server.starttls()
        if env.smtp_user:
            password = env.smtp_password.get_secret_value() if env.smtp_password else ""
            server.login(env.smtp_user, password)
        for reminder in reminders:
            server.send_message(reminder.message)


def send_reminders(settings: Settings, today: date, agency: str | None = None) -> list[Reminder]:
    """Remind every contact (of `agency`, or of all) of what is late or due soon, by email; returns
    what was sent."""
    env = environment()
    if not env.smtp_host or not env.smtp_from:
        raise RemindError("set SAFEGUARD_SMTP_HOST and SAFEGUARD_SMTP_FROM to send reminders")
    contacts = [
        c
        for c in account_contacts() + configured_contacts(env.remind_to)
        if agency is None or c.agency.lower() == agency.lower()
    ]
    rows = tracker_at(settings.warehouse_path, today, agency=agency)
    reminders = plan_reminders(rows, contacts, today, env.remind_days, env.smtp_from, env.partnership_name)
    send(reminders, env)
    return reminders
