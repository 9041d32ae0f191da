"""Reminders of figures late or due soon, received by a local SMTP server on 127.0.0.1: one email per
agency contact (its partner accounts named by email address, for their LAs, and the addresses
SAFEGUARD_REMIND_TO gives, for every LA)."""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.submissions.remind import RemindError, configured_contacts
from tests.etl import submission_fixtures
from tests.etl.submission_fixtures import NEWCASTLE, NORTHUMBERLAND, POLICE_PARTNER

figures_base, figures_home = submission_fixtures.figures_base, submission_fixtures.figures_home


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib to hand over messages, which it keeps (envelope and content)."""

    def handle(self) -> None:
        reply = lambda text: self.wfile.write(text.encode() + b"\r\n")
        reply("220 127.0.0.1 test SMTP server")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                reply("250-127.0.0.1")
                reply("250 8BITMIME")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                reply("250 OK")
            elif verb == "DATA":
                reply("354 end with .")
                content = b""
                while (data := self.rfile.readline()) != b".\r\n":
                    content += data[1:] if data.startswith(b"..") else data
                self.server.received.append((sender, recipients, content))  # type: ignore[attr-defined]
                reply("250 OK")
            elif verb == "QUIT":
                reply("221 bye")
                return
            else:  # HELO, RSET, NOOP
                reply("250 OK")


@pytest.fixture
def smtp_server() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def police_rows(la: str) -> list[dict[str, str]]:
    from etl.readers.figures import COLUMNS

    figures = [
        ("pr_incidents", "0-12", "1"),
        ("pr_incidents", "13-17", "2"),
        ("pr_encompass", "", "3"),
        ("pr_satisfaction", "", "4"),
    ]
    return [
        dict.fromkeys(COLUMNS, "")
        | {"dataset": "police_returns", "agency": "Police", "period": "2025-26-Q1", "la_code": la}
        | {"measure": measure, "part": part, "value": value}
        for measure, part, value in figures
    ]


def test_each_contact_gets_one_email_of_what_is_late_for_its_las(
    figures_home, tmp_path, smtp_server, monkeypatch
):
    import csv

    from etl.readers.figures import COLUMNS

    path = tmp_path / "q1.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(police_rows(NEWCASTLE) + police_rows(NORTHUMBERLAND))
    assert CliRunner().invoke(app, ["submit", str(path), "--today", "2025-10-01"]).exit_code == 0
    monkeypatch.setenv("SAFEGUARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SAFEGUARD_SMTP_PORT", str(smtp_server.server_address[1]))
    monkeypatch.setenv("SAFEGUARD_SMTP_FROM", "data@partnership.example")
    monkeypatch.setenv("SAFEGUARD_REMIND_TO", "Police: duty@police.example")
    monkeypatch.setenv("SAFEGUARD_PARTNERSHIP_NAME", "Tyne Safeguarding Children Partnership")
    # 15 November 2025: both LAs' Q1 arrived; their Q2 (due 20 October) has not: late. Q3 has not ended.
    result = CliRunner().invoke(app, ["remind", "--today", "2025-11-15"])
    assert result.exit_code == 0, result.output
    messages = {
        recipients[0]: (sender, email.message_from_bytes(content, policy=email.policy.default))
        for sender, recipients, content in smtp_server.received
    }
    # The police analyst (Newcastle only) and the police's duty address; the health analyst's agency
    # submits no figures, so nothing to tell.
    assert sorted(messages) == ["analyst@police.example", "duty@police.example"]
    assert POLICE_PARTNER == "analyst@police.example"
    sender, analyst = messages[POLICE_PARTNER]
    assert sender == "data@partnership.example" and analyst["To"] == POLICE_PARTNER
    assert analyst["Subject"] == "Figures for Tyne Safeguarding Children Partnership: 1 late (Police)"
    body = analyst.get_content().replace("\r\n", "\n")
    assert (
        "Late (the deadline has passed):\n- Police returns, Q2 2025/26, E08000021: due 20 October 2025\n"
        in body
    )
    assert "E06000057" not in body
    duty = messages["duty@police.example"][1]
    assert duty["Subject"] == "Figures for Tyne Safeguarding Children Partnership: 2 late (Police)"
    assert (
        "- Police returns, Q2 2025/26, E06000057: due 20 October 2025\n"
        "- Police returns, Q2 2025/26, E08000021: due 20 October 2025\n"
    ) in duty.get_content().replace("\r\n", "\n")
    assert "analyst@police.example (Police): 1 figure late or due soon" in " ".join(result.output.split())


def test_a_period_due_within_the_days_set_is_due_soon(figures_home, smtp_server, monkeypatch, tmp_path):
    import csv

    from etl.readers.figures import COLUMNS

    path = tmp_path / "q1.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(police_rows(NEWCASTLE))
    assert CliRunner().invoke(app, ["submit", str(path), "--today", "2025-10-01"]).exit_code == 0
    for name, value in {
        "HOST": "127.0.0.1",
        "PORT": str(smtp_server.server_address[1]),
        "FROM": "d@p.example",
    }.items():
        monkeypatch.setenv(f"SAFEGUARD_SMTP_{name}", value)
    # 10 October: Q2 is due on the 20th, 10 days on: past the default 7 days, within 14.
    assert CliRunner().invoke(app, ["remind", "--today", "2025-10-10"]).exit_code == 0
    assert smtp_server.received == []
    monkeypatch.setenv("SAFEGUARD_REMIND_DAYS", "14")
    assert CliRunner().invoke(app, ["remind", "--today", "2025-10-10", "--agency", "police"]).exit_code == 0
    ((_, recipients, content),) = smtp_server.received
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert recipients == [POLICE_PARTNER] and message["Subject"].endswith(": 1 due soon (Police)")
    assert (
        "Due soon:\n- Police returns, Q2 2025/26, E08000021: due 20 October 2025\n"
        in message.get_content().replace("\r\n", "\n")
    )


def test_without_a_mail_server_nothing_is_sent_and_it_says_why(figures_home, monkeypatch):
    result = CliRunner().invoke(app, ["remind", "--today", "2025-11-15"])
    assert result.exit_code == 2
    assert "no reminders sent: set SAFEGUARD_SMTP_HOST and SAFEGUARD_SMTP_FROM" in " ".join(
        result.output.split()
    )


def test_configured_addresses_are_read_per_agency_and_a_mistake_named():
    contacts = configured_contacts("Police: a@police.uk, b@police.uk; Health : c@nhs.net")
    assert [(c.agency, c.address) for c in contacts] == [
        ("Police", "a@police.uk"),
        ("Police", "b@police.uk"),
        ("Health", "c@nhs.net"),
    ]
    with pytest.raises(RemindError, match="'police.uk' is not an email address"):
        configured_contacts("Police: police.uk")
    with pytest.raises(RemindError, match="'a@police.uk' is not 'Agency: address, address'"):
        configured_contacts("a@police.uk")
