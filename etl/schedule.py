"""`safeguard schedule`: run the inbox on crontab timetables, in one long-running process of its own.

The timetables come from SAFEGUARD_SCHEDULE: crontab expressions (minute hour day-of-month month
day-of-week) separated by ';', read with crontab's meaning, in SAFEGUARD_SCHEDULE_TIMEZONE (an
IANA name such as Europe/London; the machine's zone when unset). Each run is `safeguard run-inbox`
in a child process, so the scheduler never opens the warehouse, a failing load cannot take it
down, and a load's memory goes back to the OS when it ends.

This must be its own process, never started inside the web server: each gunicorn worker would
run its own copy of every job.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from etl.inbox import EXIT_FAILED, EXIT_OK, EXIT_TEMPFAIL, EXIT_USAGE, Log, log_event
from warehouse.settings import environment

SCHEDULE_SETTING = "SAFEGUARD_SCHEDULE"
TIMEZONE_SETTING = "SAFEGUARD_SCHEDULE_TIMEZONE"
DEFAULT_SCHEDULE = "*/15 * * * *"
CRONTAB_FIELDS = "minute hour day-of-month month day-of-week"

# Crontab numbers the days from Sunday (0, and 7 again); APScheduler 3 counts 0 as Monday, so
# `1-5` handed to it as it stands would mean Tuesday to Saturday. Days are passed on by name.
CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")

STOP_TIMEOUT_SECONDS = 30.0


class ScheduleError(ValueError):
    """The schedule settings cannot be used; the message says which part and why."""


def schedule_timezone(name: str | None = None) -> tzinfo:
    name = (name if name is not None else environment().schedule_timezone or "").strip()
    if not name:
        from tzlocal import get_localzone  # installed with APScheduler, which uses it the same way

        return get_localzone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ScheduleError(
            f"{TIMEZONE_SETTING}: {name!r} is not a time zone name (for example Europe/London)"
        ) from error


def schedule_text(value: str | None = None) -> str:
    """The configured timetables: SAFEGUARD_SCHEDULE, or every 15 minutes when unset or blank."""
    value = value if value is not None else environment().schedule
    return value.strip() or DEFAULT_SCHEDULE


def parse_schedule(text: str, timezone: tzinfo) -> BaseTrigger:
    """One trigger for all the timetables, so that one job (max_instances=1) covers them all and
    two timetables firing together start one run, not two."""
    expressions = [part.strip() for part in text.split(";") if part.strip()]
    if not expressions:
        raise ScheduleError(f"{SCHEDULE_SETTING} holds no crontab expression")
    triggers = [trigger for expression in expressions for trigger in crontab_triggers(expression, timezone)]
    return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)


def crontab_triggers(expression: str, timezone: tzinfo) -> list[CronTrigger]:
    fields = expression.split()
    if len(fields) != 5:
        raise ScheduleError(
            f"{SCHEDULE_SETTING}: {expression!r} has {len(fields)} fields; a crontab expression "
            f"has 5 ({CRONTAB_FIELDS}), and several are separated by ';'"
        )
    minute, hour, day, month, weekday = fields
    try:
        days = crontab_weekdays(weekday)
        if day.startswith("*") or weekday.startswith("*"):
            return [
                CronTrigger(
                    minute=minute, hour=hour, day=day, month=month, day_of_week=days, timezone=timezone
                )
            ]
        # Crontab runs when either the day of the month or the weekday matches, where APScheduler
        # wants both: one trigger for each.
        return [
            CronTrigger(minute=minute, hour=hour, day=day, month=month, timezone=timezone),
            CronTrigger(minute=minute, hour=hour, month=month, day_of_week=days, timezone=timezone),
        ]
    except ValueError as error:
        raise ScheduleError(
            f"{SCHEDULE_SETTING}: {expression!r} is not a valid crontab expression "
            f"({CRONTAB_FIELDS}): {error}"
        ) from error


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field (numbers from Sunday = 0 or 7, or names) as APScheduler names."""
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.split(","):
        body, has_step, step_text = item.partition("/")
        step = _whole_number(step_text, "step") if has_step else 1
        if step < 1:
            raise ValueError(f"the day-of-week step in {item!r} must be at least 1")
        if body == "*":
            first, last = 0, 6
        elif "-" in body:
            start, _, end = body.partition("-")
            first, last = _weekday(start), _weekday(end)
            if first > last:
                raise ValueError(
                    f"the day-of-week range {body!r} runs backwards (Sunday is 0 or 7: use 5-7, not 5-0)"
                )
        else:
            first = _weekday(body)
            last = 7 if has_step else first
        days.update(day % 7 for day in range(first, last + 1, step))
    if len(days) == 7:
        return "*"
    return ",".join(CRONTAB_DAYS[day] for day in sorted(days))


def _weekday(token: str) -> int:
    name = token.strip().lower()
    if name in CRONTAB_DAYS:
        return CRONTAB_DAYS.index(name)
    number = _whole_number(name, "day of the week")
    if not 0 <= number <= 7:
        raise ValueError(f"day of the week {token!r} is not 0 to 7 (0 and 7 are Sunday) or sun to sat")
    return number


def _whole_number(text: str, what: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{what} {text!r} is not a whole number or a day name")
    return int(text)


def next_run_times(trigger: BaseTrigger, count: int, now: datetime) -> list[datetime]:
    times: list[datetime] = []
    moment = now
    while len(times) < count:
        fire = trigger.get_next_fire_time(None, moment)
        if fire is None:
            break
        times.append(fire)
        moment = fire + timedelta(seconds=1)  # crontab times fall on whole minutes
    return times


def describe_exit(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return {EXIT_OK: "ok", EXIT_FAILED: "failed", EXIT_USAGE: "usage_error", EXIT_TEMPFAIL: "busy"}.get(
        code, f"exit {code}"
    )


class InboxPass:
    """One `safeguard run-inbox` in a child process, logged as one JSON line when it ends."""

    def __init__(self, arguments: list[str], log: Log = log_event) -> None:
        self.command = [sys.executable, "-m", "etl.cli", "run-inbox", *arguments]
        self._log = log
        self._guard = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._stopping = False

    def __call__(self, trigger: str = "scheduled") -> int:
        started_at, started = datetime.now().astimezone(), time.monotonic()
        with self._guard:
            if self._stopping:
                return EXIT_TEMPFAIL
            self._child = child = subprocess.Popen(self.command)
        code = child.wait()
        with self._guard:
            self._child = None
        self._log(
            "schedule_run",
            trigger=trigger,
            started_at=started_at.isoformat(timespec="seconds"),
            duration_seconds=round(time.monotonic() - started, 3),
            exit_code=code,
            result=describe_exit(code),
        )
        return code

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """End a running pass. Safe at any moment: the warehouse swaps in whole or not at all,
        and a file leaves the inbox only after its load is published."""
        with self._guard:
            self._stopping = True
            child = self._child
        if child is None or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


class _JsonLogHandler(logging.Handler):
    """APScheduler's own warnings (a run skipped as the previous one is still going, a missed
    run) as JSON lines like the rest."""

    def __init__(self, log: Log) -> None:
        super().__init__(logging.WARNING)
        self._log = log

    def emit(self, record: logging.LogRecord) -> None:
        self._log("scheduler_log", level=record.levelname, logger=record.name, message=record.getMessage())


def _refuse_inside_web_server() -> None:
    if "gunicorn.arbiter" in sys.modules:
        raise ScheduleError(
            "the scheduler runs as its own process (safeguard schedule), never inside the web "
            "server: every gunicorn worker would run each load"
        )


def run_scheduler(
    trigger: BaseTrigger,
    inbox_pass: InboxPass,
    timezone: tzinfo,
    text: str,
    log: Log = log_event,
    show: bool = True,
) -> None:
    """Run passes on the trigger until Ctrl+C or SIGTERM; a pass still running is then ended."""
    _refuse_inside_web_server()
    # The jobs run on the scheduler's own threads; this one waits for the stop. SIGTERM only sets
    # the event: raised from a handler, it could land inside the scheduler's start-up and hang it.
    scheduler = BackgroundScheduler(timezone=timezone)
    stopping = threading.Event()
    # coalesce: runs missed while the machine slept become one; max_instances=1: a run still
    # going when the next is due makes that one skip rather than queue behind the load lock.
    scheduler.add_job(
        inbox_pass,
        trigger,
        id="run-inbox",
        name="safeguard run-inbox",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    upcoming = next_run_times(trigger, 3, datetime.now(timezone))
    handler = _JsonLogHandler(log)
    logging.getLogger("apscheduler").addHandler(handler)
    # Before anything is printed: whoever starts us may send SIGTERM as soon as it sees output.
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stopping.set())
    try:
        log(
            "schedule_started",
            schedule=text,
            timezone=str(timezone),
            pid=os.getpid(),
            next_runs=[t.isoformat() for t in upcoming],
        )
        if show:
            print(
                f"safeguard schedule: run-inbox on {text!r} ({timezone}); Ctrl+C or SIGTERM stops it.",
                flush=True,
            )
            print("Next runs: " + ", ".join(t.strftime("%Y-%m-%d %H:%M %Z") for t in upcoming), flush=True)
        scheduler.start()
        while not stopping.wait(timeout=0.2):  # a timeout, so that Ctrl+C is noticed too
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        inbox_pass.stop()
        if scheduler.running:
            scheduler.shutdown(wait=True)
        logging.getLogger("apscheduler").removeHandler(handler)
        log("schedule_stopped", pid=os.getpid())
