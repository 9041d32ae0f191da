"""Regenerates docs/screenshots/ from the app served on the demo warehouse (`make screenshots`).

Loads the demo data (as of a fixed date, so the pictures are reproducible) into a temporary
SAFEGUARD_HOME, starts the app on a free local port, opens each page in Debian chromium and
saves a full-page PNG.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appstate.actions import ActionQuery, Status, add_action, change_status, list_actions, record_progress
from appstate.challenges import answer_challenge, raise_challenge
from appstate.commentary import write_commentary
from appstate.db import session
from appstate.meetings import (
    AgendaEntry,
    Attendee,
    add_decision,
    add_meeting,
    raise_meeting_action,
    set_agenda,
)
from appstate.reviews import ResultRow, add_finding, add_review, raise_review_action, record_results
from appstate.risks import add_risk, rescore_risk
from appstate.targets import seed_demo_targets
from appstate.users import add_user
from etl.demo import DEMO_LAS, generate_demo
from etl.pipeline import run_load
from warehouse.settings import Settings

AS_OF = date(2026, 11, 25)
# The pages are shot as an admin signed in through the form, in a throwaway home. It sees exact figures,
# as the demo's first admin does: the Data page (loads and rejections) opens for no one else.
SHOOTER, SHOOTER_PASSWORD = "lscp.admin", secrets.token_urlsafe(16)
OUT = Path(__file__).resolve().parent / "screenshots"
PAGES = [
    ("executive-summary", "/?period=2025-26&la=E08000021", None),
    ("executive-summary-filtered", "/?period=R12-2026-10&la=E06000057&gender=F&age=10-15", None),
    ("front-door", "/front-door?period=2025-26&la=E08000021", None),
    ("s47-icpc", "/s47-icpc?period=2025-26&la=E08000021", None),
    ("cp-plans", "/cp-plans?period=2025-26&la=E06000057", None),
    ("missing", "/missing?period=2025-26&la=E08000021&care=In+care", None),
    ("benchmarks", "/benchmarks?la=E08000021&kpi=re_referral_12m", None),
    ("meeting-pack", "/pack?period=2025-26&la=E08000021&section=cp-plans", None),
    ("records", "/records?period=2025-26&la=E08000021&kpi=re_referral_12m&gender=F", None),
    ("data-and-loads", "/data", ".ag-center-cols-container .ag-row:has-text('Loaded with rejections')"),
    ("scorecard", "/scorecard?period=R12-2026-10&la=E08000021", None),
    ("exception-report", "/exceptions?period=R12-2026-10&la=E06000057", None),
    ("commentary", "/commentary?kpi=re_referral_12m&la=E08000021&period=2025-26", None),
    ("challenge-log", "/challenges", ".ag-center-cols-container .ag-row:has-text('answered')"),
    ("action-tracker", "/actions", ".ag-center-cols-container .ag-row:has-text('thresholds')"),
    ("action-tracker-by-priority", "/actions", "#actions-view label:has-text('By business plan priority')"),
    ("risk-register", "/risks", None),
    ("risk-register-history", "/risks", {"#risk-chosen": "Front door capacity"}),  # a select's option
    ("reviews-and-audits", "/reviews?review=2", None),  # the spring 2026 audit (_review_examples)
    ("meetings", "/meetings?meeting=2", None),  # the December board (_board_meeting_examples)
    ("annual-report", "/annual-report?la=E08000021&year=2027", None),  # 2026/27 to date: the examples' year
    ("targets", "/targets", None),
    ("audit", "/audit", None),
]

# The printed meeting pack, as the board reads it: its cover and a page of cards (pdftoppm, from
# poppler-utils, turns a PDF page into a PNG).
PRINTED = [("meeting-pack-printed", "/pack.pdf?period=2025-26&la=E08000021&section=scorecard", (1, 3))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo_home(folder: Path) -> Path:
    home = folder / "home"
    paths = generate_demo(folder / "demo", as_of=AS_OF)
    run_load(
        paths + sorted((folder / "demo" / "bad").glob("*.csv")),
        Settings(home=home),
        synthetic=True,
        today=AS_OF,
    )
    with session(f"sqlite:///{home / 'appstate.sqlite'}") as db:
        seed_demo_targets(db, sorted(DEMO_LAS))
        _meeting_examples(db)
        _action_examples(db)
        _risk_examples(db)
        _review_examples(db)
        _board_meeting_examples(db)
        add_user(
            db, SHOOTER, "admin", created_by="make screenshots", password=SHOOTER_PASSWORD, unsuppressed=True
        )
    return home


def _meeting_examples(db) -> None:
    """Commentary and challenges for the screenshots, written as a partnership's analyst might."""
    write_commentary(
        db,
        "re_referral_12m",
        "E08000021",
        "2025-26",
        "Re-referrals are close to target and below the city's 2023/24 level.\n\nThe rise in "
        "the autumn came from police contacts about domestic abuse; the front door's new "
        "triage is being reviewed with police colleagues.",
        "analyst (example)",
    )
    raised = raise_challenge(
        db,
        "E08000021",
        "Why did re-referrals from police rise in the autumn?",
        "Police (DCI, safeguarding)",
        date(2026, 10, 15),
        "chair (example)",
        kpi_id="re_referral_12m",
        agency="Police",
    )
    answer_challenge(
        db,
        raised.id,
        "A change in the domestic abuse notification process; fixed in September.",
        "police lead (example)",
    )
    raise_challenge(
        db,
        "E08000021",
        "Are ICPC delays linked to health attendance?",
        "ICB safeguarding lead",
        date(2026, 12, 20),
        "chair (example)",
        kpi_id="icpc_15wd",
        agency="Health services",
    )


def _action_examples(db) -> None:
    """Actions from each kind of source for Newcastle, with progress as their leads might report it."""
    examples = [
        (
            "Joint audit of police contacts that lead to no referral",
            "business plan priority",
            "Front door: the right help at the right time",
            "Police",
            "DCI, public protection (example)",
            date(2026, 9, 30),
            "Contacts leading to referral back within the expected range by March 2027",
            ["contact_conversion", "re_referral_12m"],
            [(3, "Audit sample of 60 contacts agreed."), (2, "Audit delayed by the police system change.")],
        ),
        (
            "Health visitors attend the ICPC of every child under one",
            "practice review",
            "CSPR Child N (2025)",
            "Health",
            "Designated nurse (example)",
            date(2027, 3, 31),
            "ICPCs within 15 working days at 85% or more, with health present",
            ["icpc_15wd"],
            [(2, "Rota drafted with the health visiting service."), (3, "Rota in place since October.")],
        ),
        (
            "Re-audit step-down decisions against the thresholds document",
            "audit",
            "Multi-agency thresholds audit, June 2026",
            "Local authority",
            "Head of the front door (example)",
            date(2027, 1, 31),
            "Re-referrals within 12 months under 22%",
            ["re_referral_12m"],
            [(1, "Not started: auditors not yet named."), (2, "Auditors named; first cases chosen.")],
        ),
        (
            "Report to the board on return interviews declined",
            "board meeting",
            "Board, 15 October 2026",
            "Local authority",
            "Missing children coordinator (example)",
            date(2026, 12, 10),
            "Return interviews accepted above 60%",
            ["rhi_accepted"],
            [(4, "Report written and circulated.")],
        ),
    ]
    for title, source, reference, agency, lead, due, measure, kpis, reports in examples:
        action = add_action(
            db,
            "E08000021",
            title,
            source,
            reference,
            agency,
            lead,
            due,
            measure,
            "chair (example)",
            kpi_ids=kpis,
        )
        for progress, note in reports:
            record_progress(db, action.id, progress, note, lead)
        if source == "board meeting":
            change_status(db, action.id, Status.COMPLETE, "chair (example)")


def _risk_examples(db) -> None:
    """Risks for Newcastle as a partnership's register might hold them, some reviewed since."""
    examples = [
        (
            "Front door capacity",
            "Vacancies in the front door team slow decisions on contacts.",
            "Head of the front door (example)",
            "Local authority",
            "Agency cover; a daily multi-agency triage huddle.",
            (4, 3, date(2026, 9, 30)),
            [(5, 4, "Two more posts vacant from October.", date(2026, 11, 15))],
            ["contact_conversion", "re_referral_12m"],
            ["Joint audit of police contacts that lead to no referral"],
        ),
        (
            "Police notifications of domestic abuse arrive late",
            "Notifications reach the front door days after the incident.",
            "DCI, public protection (example)",
            "Police",
            "Weekly check of the notification queue.",
            (4, 4, date(2026, 8, 31)),
            [(3, 3, "New notification process in place since September.", date(2027, 2, 28))],
            ["re_referral_12m"],
            [],
        ),
        (
            "Health attendance at initial child protection conferences",
            "Health is not always present at ICPCs held at short notice.",
            "Designated nurse (example)",
            "Health",
            "Health visiting rota for ICPCs.",
            (3, 4, date(2027, 1, 31)),
            [(3, 4, "Rota in place; attendance not yet measured.", date(2027, 3, 31))],
            ["icpc_15wd"],
            ["Health visitors attend the ICPC of every child under one"],
        ),
        (
            "Return interviews declined",
            "Children missing from home decline return interviews.",
            "Missing children coordinator (example)",
            "Local authority",
            "Interviews offered by a trusted adult.",
            (2, 3, date(2026, 12, 31)),
            [],
            ["rhi_accepted"],
            [],
        ),
    ]
    actions = {a.title: a.id for a in list_actions(db, ActionQuery(la_codes=("E08000021",)))}
    for title, description, owner, agency, controls, first, reviews, kpis, linked in examples:
        likelihood, impact, review = first
        risk = add_risk(
            db,
            "E08000021",
            title,
            description,
            owner,
            agency,
            controls,
            likelihood,
            impact,
            review,
            "business manager (example)",
            kpi_ids=kpis,
            action_ids=[actions[a] for a in linked],
        )
        for likelihood, impact, reason, review in reviews:
            rescore_risk(db, risk.id, likelihood, impact, reason, review, "chair (example)")


def _review_examples(db) -> None:
    """Two front door audits a year apart (the second compared with the first), a rapid review and
    a Section 11 self-assessment for Newcastle, with findings and actions raised from them."""
    by = "business manager (example)"
    spring_2025 = add_review(
        db,
        "E08000021",
        "Front door multi-agency audit, spring 2025",
        "multi-agency audit",
        date(2025, 4, 10),
        "Local authority",
        by,
        themes="thresholds, voice of the child",
    )
    record_results(
        db,
        spring_2025.id,
        [
            ResultRow("Thresholds applied appropriately", 50, 39),
            ResultRow("Voice of the child recorded", 40, 26),
            ResultRow("Strategy discussion held within 24 hours", 30, 21),
        ],
        by,
    )
    spring_2026 = add_review(
        db,
        "E08000021",
        "Front door multi-agency audit, spring 2026",
        "multi-agency audit",
        date(2026, 4, 15),
        "Local authority",
        by,
        themes="thresholds, voice of the child, strategy discussions",
    )
    record_results(
        db,
        spring_2026.id,
        [
            ResultRow("Thresholds applied appropriately", 50, 43),
            ResultRow("Voice of the child recorded", 40, 30),
            ResultRow("Strategy discussion held within 24 hours", 30, 20),
            ResultRow("Plan shared with the family", 25, 19),
        ],
        by,
    )
    for finding in (
        "Police contacts about domestic abuse reached the front door without the risk assessment.",
        "Strategy discussions were held late when the police attended by phone only.",
        "Records seldom said what the child had said about home.",
    ):
        add_finding(db, spring_2026.id, finding, by)
    for title, agency, lead, due, measure in (
        (
            "Send the DASH risk assessment with every domestic abuse notification",
            "Police",
            "DCI, public protection (example)",
            date(2026, 9, 30),
            "95% of notifications with the assessment",
        ),
        (
            "Strategy discussions in person or by video",
            "Local authority",
            "Head of the front door (example)",
            date(2027, 3, 31),
            "90% within 24 hours at the next audit",
        ),
        (
            "Record the child's words in every assessment",
            "Local authority",
            "Principal social worker (example)",
            date(2027, 3, 31),
            "85% at the next audit",
        ),
    ):
        raise_review_action(db, spring_2026.id, title, agency, lead, due, measure, by)
    rapid = add_review(
        db,
        "E08000021",
        "Rapid review 2026/03 (neglect, under one)",
        "rapid review",
        date(2026, 3, 2),
        "Health",
        by,
        themes="neglect, health visiting",
    )
    for finding in (
        "Missed health visiting contacts were not escalated.",
        "The neglect toolkit was not used by universal services.",
    ):
        add_finding(db, rapid.id, finding, by)
    raise_review_action(
        db,
        rapid.id,
        "Escalate two missed health visiting contacts to the safeguarding nurse",
        "Health",
        "Designated nurse (example)",
        date(2026, 10, 31),
        "Every missed contact escalated",
        by,
    )
    add_review(
        db,
        "E08000021",
        "Section 11 self-assessment 2025",
        "Section 11 self-assessment",
        date(2025, 11, 20),
        "Local authority",
        by,
        themes="training, supervision",
    )


def _board_meeting_examples(db) -> None:
    """Two of Newcastle's board meetings: October's, whose actions the December pack reports on, and
    December's, its agenda built from the pack's sections, a decision taken and an action raised."""
    by = "business manager (example)"
    attendees = (
        Attendee("Independent chair (example)", "Partnership"),
        Attendee("Director of children's services (example)", "Local authority"),
        Attendee("Detective superintendent (example)", "Police"),
        Attendee("Designated nurse (example)", "Health"),
    )
    known = {"actions", "exceptions", "scorecard", "challenges"}
    october = add_meeting(db, ["E08000021"], date(2026, 10, 15), "Partnership board", by, attendees)
    set_agenda(db, october.id, [AgendaEntry("scorecard", "Performance lead (example)")], known, by)
    add_decision(db, october.id, "The front door's triage to be reviewed with police colleagues.", by)
    raise_meeting_action(
        db, october.id, "E08000021", "Report on police contacts that lead to no referral", "Police",
        "Detective superintendent (example)", date(2026, 11, 30), "A report to the December board", by,
    )  # fmt: skip
    december = add_meeting(
        db, ["E08000021"], date(2026, 12, 10), "Partnership board", by,
        (*attendees, Attendee("Head of safeguarding, schools (example)", "Schools and education")),
    )  # fmt: skip
    agenda = [
        AgendaEntry("actions", "Business manager (example)", "Actions from October and the business plan"),
        AgendaEntry("exceptions", "Performance lead (example)"),
        AgendaEntry("scorecard", "Performance lead (example)", "Quarter 2"),
        AgendaEntry("challenges", "Independent chair (example)"),
    ]
    set_agenda(db, december.id, agenda, known, by)
    add_decision(db, december.id, "The thresholds re-audit to report in March.", by)
    raise_meeting_action(
        db, december.id, "E08000021", "Audit the no-further-action decisions on police contacts",
        "Local authority", "Head of the front door (example)", date(2027, 3, 31),
        "Contacts leading to referral back within the expected range", by,
    )  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
        shoot(_demo_home(Path(folder)))


def shoot(home: Path) -> None:
    port = _free_port()
    env = os.environ | {"HOST": "127.0.0.1", "PORT": str(port), "SAFEGUARD_HOME": str(home)}
    server = subprocess.Popen([sys.executable, "-m", "app"], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.goto(url + "/login")
            page.fill("#username", SHOOTER)
            page.fill("#password", SHOOTER_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector(".account-name")
            for name, path, click in PAGES:
                page.goto(url + path)
                page.wait_for_load_state("networkidle")
                if isinstance(click, dict):  # choose, in each select, the option whose label holds the words
                    for select, words in click.items():
                        option = page.locator(f"{select} option", has_text=words).first
                        page.select_option(select, value=option.get_attribute("value"))
                elif click:
                    page.locator(click).first.click()
                if click:
                    page.wait_for_load_state("networkidle")
                    page.wait_for_timeout(500)
                page.screenshot(path=OUT / f"{name}.png", full_page=True)
                print(f"wrote {OUT / f'{name}.png'}")
            for name, path, page_numbers in PRINTED:
                _print_pages(page.context.request.get(url + path, timeout=300_000).body(), name, page_numbers)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def _print_pages(pdf: bytes, name: str, page_numbers: tuple[int, ...]) -> None:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as printed:
        printed.write(pdf)
        printed.flush()
        for number in page_numbers:
            target = OUT / f"{name}-page-{number}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    str(number),
                    "-l",
                    str(number),
                    "-singlefile",
                    printed.name,
                    str(target),
                ],
                check=True,
            )
            print(f"wrote {target}.png")


if __name__ == "__main__":
    main()
