"""`safeguard schedule`: crontab timetables read as crontab means them, one run at a time, a clean
stop on SIGTERM, and `--once` for a single pass."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import types
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from typer.testing import CliRunner

from etl.cli import app
from etl.schedule import (
    DEFAULT_SCHEDULE,
    ScheduleError,
    crontab_weekdays,
    describe_exit,
    next_run_times,
    parse_schedule,
    run_scheduler,
    schedule_text,
    schedule_timezone,
)
from tests.helpers import write_extract

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def runs(expression: str, now: str, count: int = 3) -> list[str]:
    trigger = parse_schedule(expression, LONDON)
    return [t.strftime("%a %Y-%m-%d %H:%M") for t in next_run_times(trigger, count, at(now))]


def test_weekdays_count_from_sunday_as_in_crontab():
    # APScheduler 3 itself would read 1-5 as Tuesday to Saturday.
    assert crontab_weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert crontab_weekdays("mon-fri") == "mon,tue,wed,thu,fri"
    assert crontab_weekdays("0") == crontab_weekdays("7") == crontab_weekdays("SUN") == "sun"
    assert crontab_weekdays("5-7") == "sun,fri,sat"
    assert crontab_weekdays("*/2") == "sun,tue,thu,sat"
    assert crontab_weekdays("1,3-4") == "mon,wed,thu"
    assert crontab_weekdays("0-6") == crontab_weekdays("*") == "*"


def test_working_hours_on_weekdays():
    # Friday 4 December 2026 at 19:50: the 19:45 run has gone, the next is Monday at 07:00.
    assert runs("*/15 7-19 * * 1-5", "2026-12-04T19:50") == [
        "Mon 2026-12-07 07:00",
        "Mon 2026-12-07 07:15",
        "Mon 2026-12-07 07:30",
    ]
    assert runs("*/15 7-19 * * 1-5", "2026-12-04T19:30") == [
        "Fri 2026-12-04 19:30",
        "Fri 2026-12-04 19:45",
        "Mon 2026-12-07 07:00",
    ]


def test_the_default_is_every_quarter_hour():
    assert schedule_text("") == schedule_text("  ") == DEFAULT_SCHEDULE == "*/15 * * * *"
    assert runs(DEFAULT_SCHEDULE, "2026-12-01T10:07") == [
        "Tue 2026-12-01 10:15",
        "Tue 2026-12-01 10:30",
        "Tue 2026-12-01 10:45",
    ]


def test_several_timetables_separated_by_semicolons_make_one_trigger():
    assert runs("0 7 * * *; 30 12 * * *;", "2026-12-01T08:00", 4) == [
        "Tue 2026-12-01 12:30",
        "Wed 2026-12-02 07:00",
        "Wed 2026-12-02 12:30",
        "Thu 2026-12-03 07:00",
    ]


def test_a_day_of_month_and_a_weekday_mean_either_as_in_crontab():
    # The 1st of the month or any Monday: Mondays in December, then Friday 1 January.
    assert runs("0 9 1 * 1", "2026-12-21T10:00", 3) == [
        "Mon 2026-12-28 09:00",
        "Fri 2027-01-01 09:00",
        "Mon 2027-01-04 09:00",
    ]


def test_british_summer_time_is_followed():
    # 07:00 in London is 06:00 UTC in summer and 07:00 UTC in winter.
    trigger = parse_schedule("0 7 * * *", LONDON)
    [summer] = next_run_times(trigger, 1, at("2026-07-01T00:00"))
    [winter] = next_run_times(trigger, 1, at("2026-12-01T00:00"))
    assert (summer.utcoffset().total_seconds(), winter.utcoffset().total_seconds()) == (3600, 0)


@pytest.mark.parametrize(
    "expression, message",
    [
        (
            "*/15 * * *",
            (
                "SAFEGUARD_SCHEDULE: '*/15 * * *' has 4 fields; a crontab expression has 5 "
                "(minute hour day-of-month month day-of-week), and several are separated by ';'"
            ),
        ),
        ("0 9 * * * *", "'0 9 * * * *' has 6 fields"),
        (
            "61 * * * *",
            (
                "SAFEGUARD_SCHEDULE: '61 * * * *' is not a valid crontab expression "
                "(minute hour day-of-month month day-of-week): "
            ),
        ),
        ("0 25 * * *", "'0 25 * * *' is not a valid crontab expression"),
        ("0 9 * * 8", "day of the week '8' is not 0 to 7 (0 and 7 are Sunday) or sun to sat"),
        ("0 9 * * 5-0", "the day-of-week range '5-0' runs backwards (Sunday is 0 or 7: use 5-7, not 5-0)"),
        ("0 9 * * funday", "day of the week 'funday' is not a whole number or a day name"),
        ("0 9 * * */0", "the day-of-week step in '*/0' must be at least 1"),
        ("every 15 minutes", "has 3 fields"),
        (" ; ", "SAFEGUARD_SCHEDULE holds no crontab expression"),
    ],
)
def test_a_bad_timetable_says_which_and_why(expression, message):
    with pytest.raises(ScheduleError) as raised:
        parse_schedule(expression, LONDON)
    assert message in str(raised.value)


def test_a_bad_timetable_in_one_of_several_is_named():
    with pytest.raises(ScheduleError, match=r"'0 9 \* \* 9' is not a valid"):
        parse_schedule("*/15 * * * *; 0 9 * * 9", LONDON)


def test_time_zones():
    assert schedule_timezone("Europe/London") == LONDON
    with pytest.raises(
        ScheduleError, match="SAFEGUARD_SCHEDULE_TIMEZONE: 'Mars/Olympus' is not a time zone name"
    ):
        schedule_timezone("Mars/Olympus")


def test_exit_codes_are_described_for_the_log():
    assert [describe_exit(c) for c in (0, 1, 2, 75, 3, -9)] == [
        "ok",
        "failed",
        "usage_error",
        "busy",
        "exit 3",
        "killed by SIGKILL",
    ]


def test_the_command_refuses_a_bad_schedule_with_exit_2(monkeypatch, settings):
    monkeypatch.setenv("SAFEGUARD_SCHEDULE", "*/15 7-19 * *")
    outcome = CliRunner().invoke(app, ["schedule"])
    assert outcome.exit_code == 2
    assert "'*/15 7-19 * *' has 4 fields" in outcome.stderr


@pytest.mark.slow  # the inbox pass runs in a process
def test_once_runs_one_inbox_pass(settings, capfd):
    inbox = settings.home / "inbox"
    write_extract(inbox / "contacts.csv", "contacts", [{}, {"contact_date": "2024-07-01"}])

    outcome = CliRunner().invoke(app, ["schedule", "--once", "--settle-seconds", "0"])

    assert outcome.exit_code == 0
    assert list(inbox.iterdir()) == []
    [archived] = (settings.home / "archive").glob("*/contacts.csv")
    assert json.loads(archived.with_name("contacts.csv.report.json").read_text())["rows_loaded"] == 2
    [run_line] = [json.loads(line) for line in outcome.stderr.splitlines() if '"schedule_run"' in line]
    assert (run_line["trigger"], run_line["exit_code"], run_line["result"]) == ("once", 0, "ok")
    # The pass itself (a child process) logged its file on the real stderr.
    child = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    assert [(c["file"], c["status"]) for c in child if c["event"] == "inbox_file"] == [
        ("contacts.csv", "loaded")
    ]


class FakePass:
    """Stands in for `safeguard run-inbox`: counts runs and how many were going at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.runs, self.running, self.most_at_once, self.stopped = seconds, 0, 0, 0, False
        self._guard = threading.Lock()

    def __call__(self, trigger: str = "scheduled") -> int:
        with self._guard:
            self.runs += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        time.sleep(self.seconds)
        with self._guard:
            self.running -= 1
        return 0

    def stop(self) -> None:
        self.stopped = True


@pytest.mark.slow  # the scheduler runs for 1.6 s of real time
def test_runs_do_not_overlap_and_sigterm_stops_the_scheduler(monkeypatch):
    logged: list[dict] = []
    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # a late signal must not end pytest
    slow = FakePass(seconds=0.7)
    timer = threading.Timer(1.6, os.kill, (os.getpid(), signal.SIGTERM))
    try:
        timer.start()
        started = time.monotonic()
        run_scheduler(
            IntervalTrigger(seconds=0.25, timezone=LONDON),
            slow,
            LONDON,
            "every 0.25 s",
            log=lambda event, **fields: logged.append({"event": event, **fields}),
            show=False,
        )
        elapsed = time.monotonic() - started
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, previous)

    assert elapsed < 5
    assert slow.stopped and slow.most_at_once == 1 and 2 <= slow.runs <= 3
    assert [e["event"] for e in logged if e["event"] != "scheduler_log"] == [
        "schedule_started",
        "schedule_stopped",
    ]
    assert len(logged[0]["next_runs"]) == 3


def test_never_inside_the_web_server(monkeypatch):
    monkeypatch.setitem(sys.modules, "gunicorn.arbiter", types.ModuleType("gunicorn.arbiter"))
    with pytest.raises(ScheduleError, match="never inside the web server"):
        run_scheduler(parse_schedule(DEFAULT_SCHEDULE, LONDON), FakePass(0), LONDON, DEFAULT_SCHEDULE)


@pytest.mark.slow  # the scheduler in a process
def test_the_command_prints_its_next_runs_and_stops_cleanly_on_sigterm(settings):
    env = os.environ | {"SAFEGUARD_SCHEDULE": "0 6 1 1 *", "SAFEGUARD_SCHEDULE_TIMEZONE": "Europe/London"}
    process = subprocess.Popen(
        [sys.executable, "-m", "etl.cli", "schedule"],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        first = process.stdout.readline()
        second = process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0
    assert (
        first == "safeguard schedule: run-inbox on '0 6 1 1 *' (Europe/London); Ctrl+C or SIGTERM stops it.\n"
    )
    year = datetime.now(LONDON).year + 1
    assert (
        second
        == f"Next runs: {year}-01-01 06:00 GMT, {year + 1}-01-01 06:00 GMT, {year + 2}-01-01 06:00 GMT\n"
    )
    events = [json.loads(line)["event"] for line in err.splitlines() if line.startswith("{")]
    assert events == ["schedule_started", "schedule_stopped"]
