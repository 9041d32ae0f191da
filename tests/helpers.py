"""Small hand-made extracts for tests: every column defaults to its documented example."""

from __future__ import annotations

import csv
import re
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from warehouse.model.files import BUILTIN_DIR, CORE_FILES, active_model

MODEL_DOC = Path(__file__).resolve().parents[1] / "docs" / "model.md"
TODAY = "2025-06-30"  # the load date the row-rule tests pretend it is

DATASETS = active_model().datasets


def extract_rows(dataset: str, rows: list[dict[str, str]], **file_values: str) -> list[dict[str, str]]:
    """Rows of a native extract: the documented examples, overridden per row and per file."""
    spec = DATASETS[dataset]
    defaults = {c.name: c.example for c in spec.columns} | file_values
    return [
        defaults | {spec.id_column: f"{spec.id_column[:2].upper()}{i + 1}"} | row
        for i, row in enumerate(rows)
    ]


def write_extract(path: Path, dataset: str, rows: list[dict[str, str]], **file_values: str) -> Path:
    spec = DATASETS[dataset]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(spec.column_names), extrasaction="raise")
        writer.writeheader()
        writer.writerows(extract_rows(dataset, rows, **file_values))
    return path


def declared_priorities() -> list[dict]:
    """The built-in scorecard priorities as their files declare them, read with tomllib alone:
    [{"title": ..., "kpis": [the ids of the KPIs that name it, in file order]}]. Every built-in file
    is read, in name order (a pack's file declares its own priorities and KPIs)."""
    import tomllib

    # The core files first, then the packs' (early_help.toml, ...), as the model reads them.
    files = sorted(BUILTIN_DIR.glob("*.toml"), key=lambda path: (path.name not in CORE_FILES, path.name))
    declared = [tomllib.loads(path.read_text(encoding="utf-8")) for path in files]
    kpis = [kpi for content in declared for kpi in content.get("kpi", [])]
    return [
        {"title": p["title"], "kpis": [k["id"] for k in kpis if k.get("priority") == p["id"]]}
        for content in declared
        for p in content.get("priority", [])
    ]


# --- Annex A workbooks, built cell by cell so that each awkward case is visible in its test ---

CONTACT_HEADER = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age",
    "Date of Contact",
    "Contact Source",
]
REFERRAL_HEADER = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age",
    "Date of Referral",
    "Referral Source",
    "Referral NFA?",
    "Allocated Worker",
]


def contact(child: int, day: object, source: object = "q) 6: Police", gender: object = "b) Female") -> list:
    return [child, gender, "a) WBRI", datetime(2015, 1, 25), 6, day, source]


def referral(child: int, day: object, nfa: object = "No") -> list:
    return [child, "a) Male", "a) WBRI", datetime(2010, 3, 1), 10, day, "e) 2A: Schools", nfa, "A Worker"]


def workbook(path: Path, sheets: dict[str, list[list]], merge: dict[str, str] | None = None) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge and title in merge:
            sheet.merge_cells(merge[title])
    book.save(path)
    return path


def engine_results(home: Path, kpi_ids, period_code: str, filters, policy=None) -> dict:
    """The engine's results from the warehouse in `home`, protected as partners see them unless
    another policy is given."""
    import duckdb

    from warehouse.kpis.engine import evaluate
    from warehouse.kpis.periods import parse_period
    from warehouse.kpis.suppression import SuppressionPolicy

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {
            r.kpi.id: r
            for r in evaluate(con, kpi_ids, parse_period(period_code), filters, policy or SuppressionPolicy())
        }


def model_doc_example(marker: str) -> str:
    """The block of docs/model.md's TOML examples that holds `marker`, as a data team would copy it:
    the doc is what is tested."""
    return next(
        block
        for block in re.findall(r"```toml\n(.*?)```", MODEL_DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
        if marker in block
    )


def early_help_example() -> str:
    """The early help dataset of docs/model.md, with its measures, KPIs and page."""
    return model_doc_example("[[dataset]]")


# --- A local SMTP server on 127.0.0.1, for the reminders' tests ---


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


@contextmanager
def local_smtp_server() -> Iterator[socketserver.ThreadingTCPServer]:
    """An SMTP server on a free 127.0.0.1 port; what it received is its `received` list of
    (sender, recipients, content)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
