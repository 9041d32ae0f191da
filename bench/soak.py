"""Soak: loads and users together for a long while (30 minutes by default; not in CI).

It makes and loads the demo warehouse in a fresh SAFEGUARD_HOME, serves the app on 127.0.0.1 (as
the browser tests serve it), and then, until the time is up:
- loads run one after another in the background, each forcing one demo extract in again, so the
  warehouse is rebuilt and swapped under the server every few seconds;
- N simulated users (threads, each with its own HTTP session, signed in through the sign-in form
  as one of the test accounts) open the pages their role has, render them through the Dash page
  callback with a filter from the URL, and download the dashboards' CSV exports;
- the server's RSS (with any children) is sampled every few seconds.

It prints every error, the HTTP statuses, latency percentiles per kind of request, the loads'
durations and the RSS over time, and exits 1 on any error (a status other than 200, a request
that failed, an answer that is not what the page sends, a failed load, an error in the server's
log, snapshot files left open) or when the server's RSS grew by more than --max-rss-growth-mb:
the median RSS of the last quarter of the run against that of the second quarter (the first
quarter is warm-up: caches fill, the first snapshots open).

    python bench/soak.py [--minutes 30] [--users 4] [--load-pause 2] [--max-rss-growth-mb 150]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.demo import generate_demo
from etl.pipeline import run_load
from tests.app.serving import ROLE_USERS, TEST_ADMIN, TEST_PASSWORD, add_test_users, serve
from warehouse.reader import links_folder
from warehouse.settings import Settings

MB = 1024 * 1024
CITY = "E08000021"  # every test account's LA
PAGES_CALLBACK = "_pages_content.children"
SKIPPED_PAGES = ("/pack",)  # the meeting pack renders every dashboard at once: a print job, not a view
TIMEOUT = 60


# --- what the run records ------------------------------------------------------------------------


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind of request -> ms
    statuses: Counter = field(default_factory=Counter)  # (kind, status) -> count
    errors: list[str] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)  # seconds each
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds into the run, bytes)
    started: float = field(default_factory=time.monotonic)

    def request(self, kind: str, status: int | str, ms: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(ms)
            self.statuses[(kind, status)] += 1

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(f"{time.monotonic() - self.started:7.1f}s  {what}")

    def requests_made(self) -> int:
        with self.lock:
            return sum(self.statuses.values())


def percentiles(ms: list[float]) -> str:
    if not ms:
        return "no requests"
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    return (
        f"n={len(ms):6d}  p50={cuts[49]:7.0f}  p95={cuts[94]:7.0f}  p99={cuts[98]:7.0f}  "
        f"max={max(ms):7.0f} ms"
    )


# --- one simulated user --------------------------------------------------------------------------


def sign_in(http: requests.Session, url: str, username: str) -> None:
    """Through the sign-in form, as a person signs in (its CSRF token included)."""
    form = http.get(f"{url}/login", timeout=TIMEOUT)
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    answer = http.post(
        f"{url}/login",
        data={"username": username, "password": TEST_PASSWORD, "csrf": token, "next": "/"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in as {username} answered {answer.status_code}")


def _links(node) -> list[str]:
    """Every dcc.Link's href in a Dash layout (the navigation shows the pages a role opens)."""
    if isinstance(node, list):
        return [href for child in node for href in _links(child)]
    if not isinstance(node, dict):
        return []
    props = node.get("props", {})
    own = [props["href"]] if node.get("type") == "Link" and "href" in props else []
    return own + _links(props.get("children"))


@dataclass(frozen=True)
class Site:
    """What a signed-in user can ask for: their pages, the page callback, the CSV exports."""

    pages: list[str]
    pages_output: str
    exports: dict[str, str]  # page path -> the export callback's component prefix (front-door, ...)


def discover(http: requests.Session, url: str) -> Site:
    layout = http.get(f"{url}/_dash-layout", timeout=TIMEOUT).json()
    dependencies = http.get(f"{url}/_dash-dependencies", timeout=TIMEOUT).json()
    pages = sorted({href.split("?")[0] for href in _links(layout)} - set(SKIPPED_PAGES))
    pages_output = next(d["output"] for d in dependencies if PAGES_CALLBACK in d["output"])
    exports = {}
    for d in dependencies:
        inputs, state = d["inputs"], d.get("state", [])
        is_export = d["output"].endswith("-download.data") and len(inputs) == 1
        reads_the_url = state == [{"id": "url", "property": "search"}]
        if is_export and inputs[0]["id"].endswith("-export") and reads_the_url:
            prefix = inputs[0]["id"].removesuffix("-export")
            if f"/{prefix}" in pages:
                exports[f"/{prefix}"] = prefix
    return Site(pages, pages_output, exports)


def searches(today: date) -> list[str]:
    """Filters a user picks: none, the city, this and last financial year, last month, a breakdown."""
    year = today.year if today.month >= 4 else today.year - 1
    years = [f"{y}-{(y + 1) % 100:02d}" for y in (year, year - 1)]
    last_month = today.replace(day=1) - timedelta(days=1)
    return [
        "",
        f"?la={CITY}",
        *(f"?period={y}&la={CITY}" for y in years),
        f"?period={last_month:%Y-%m}",
        f"?period={years[1]}&la={CITY}&gender=F",
    ]


def render_page(http: requests.Session, url: str, site: Site, path: str, search: str) -> requests.Response:
    """The page as the browser gets it: the Dash page callback for its path and query."""
    payload = {
        "output": site.pages_output,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    return http.post(f"{url}/_dash-update-component", json=payload, timeout=TIMEOUT)


def download_csv(http: requests.Session, url: str, prefix: str, search: str) -> requests.Response:
    payload = {
        "output": f"{prefix}-download.data",
        "outputs": {"id": f"{prefix}-download", "property": "data"},
        "inputs": [{"id": f"{prefix}-export", "property": "n_clicks", "value": 1}],
        "changedPropIds": [f"{prefix}-export.n_clicks"],
        "state": [{"id": "url", "property": "search", "value": search}],
    }
    return http.post(f"{url}/_dash-update-component", json=payload, timeout=TIMEOUT)


def _problem(kind: str, response: requests.Response, prefix: str | None) -> str | None:
    """What is wrong with an answer, if anything: beyond its status, that it is what the page sends."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:300]!r}"
    if kind == "page":
        return None if 'id="react-entry-point"' in response.text else "the page is not the Dash shell"
    body = response.json().get("response", {})
    if kind == "render":
        return None if body.get("_pages_content", {}).get("children") else "the page callback drew nothing"
    content = body.get(f"{prefix}-download", {}).get("data", {}).get("content", "")
    rows = list(csv.DictReader(io.StringIO(content)))
    return None if rows else "the CSV export is empty"


def simulated_user(url: str, username: str, seed: int, stop: threading.Event, record: Record) -> None:
    rng = random.Random(seed)
    today = date.today()
    with requests.Session() as http:
        try:
            sign_in(http, url, username)
            site = discover(http, url)
        except Exception as error:  # noqa: BLE001 (a user who cannot start is an error the run reports)
            record.error(f"{username}: could not start: {error!r}")
            return
        while not stop.is_set():
            path, search = rng.choice(site.pages), rng.choice(searches(today))
            kinds = ["page", "render", "render", "export"] if path in site.exports else ["page", "render"]
            kind = rng.choice(kinds)
            started = time.perf_counter()
            try:
                if kind == "page":
                    response = http.get(f"{url}{path}{search}", timeout=TIMEOUT)
                elif kind == "render":
                    response = render_page(http, url, site, path, search)
                else:
                    response = download_csv(http, url, site.exports[path], search)
                record.request(kind, response.status_code, (time.perf_counter() - started) * 1000)
                problem = _problem(kind, response, site.exports.get(path))
            except (requests.RequestException, ValueError, KeyError, AttributeError) as error:
                record.request(kind, type(error).__name__, (time.perf_counter() - started) * 1000)
                problem = repr(error)
            if problem:
                record.error(f"{username} {kind} {path}{search}: {problem}")


# --- loads and memory in the background -----------------------------------------------------------


def keep_loading(
    settings: Settings, extracts: list[Path], pause: float, stop: threading.Event, record: Record
) -> None:
    """Force one demo extract in after another: each load rebuilds and swaps the whole warehouse."""
    turn = 0
    while not stop.is_set():
        extract = extracts[turn % len(extracts)]
        turn += 1
        started = time.perf_counter()
        try:
            outcomes = run_load([extract], settings, synthetic=True, force=True)
        except Exception as error:  # noqa: BLE001 (a load that raises is an error the run reports)
            record.error(f"load of {extract.name} raised {error!r}")
        else:
            failed = [f"{o.file_name}: {o.message}" for o in outcomes if o.status == "failed"]
            if failed:
                record.error(f"load failed: {'; '.join(failed)}")
        with record.lock:
            record.loads.append(time.perf_counter() - started)
        stop.wait(pause)


def server_process() -> psutil.Process:
    """The `python -m app` that serving.serve started, a child of this process."""
    for child in psutil.Process().children(recursive=True):
        try:
            if child.cmdline()[-2:] == ["-m", "app"]:
                return child
        except psutil.NoSuchProcess:
            continue
    raise RuntimeError("the app's server process was not found")


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def _exit_status(process: psutil.Process) -> str:
    try:
        code = process.wait(timeout=5)
    except psutil.TimeoutExpired:
        return "it is still there"
    return f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"


def sample_rss(process: psutil.Process, every: float, stop: threading.Event, record: Record) -> None:
    while not stop.is_set():
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                raise psutil.NoSuchProcess(process.pid)
            rss = tree_rss(process)
        except psutil.NoSuchProcess:
            record.error(f"the server process has gone: {_exit_status(process)}")
            stop.set()  # nothing more to learn; the summary says what happened before
            return
        with record.lock:
            record.rss.append((time.monotonic() - record.started, rss))
        stop.wait(every)


def rss_growth(samples: list[tuple[float, int]]) -> tuple[int, int] | None:
    """Median RSS of the second quarter and of the last quarter of the samples, if there are enough."""
    if len(samples) < 8:
        return None
    quarter = len(samples) // 4
    values = [rss for _, rss in samples]
    return int(statistics.median(values[quarter : 2 * quarter])), int(statistics.median(values[-quarter:]))


def server_log_errors(log: Path) -> list[str]:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    return [
        line[:300]
        for line in lines
        if '"level": "error"' in line or '"level": "critical"' in line or line.startswith("Traceback")
    ]


# --- the run ----------------------------------------------------------------------------------


def prepare_home(home: Path) -> tuple[Settings, list[Path]]:
    """The demo warehouse, as `make run` makes it, with the test accounts to sign in as."""
    settings = Settings(home=home)
    extracts = generate_demo(home / "demo", as_of=date.today())
    outcomes = run_load(extracts, settings, synthetic=True)
    failed = [o.file_name for o in outcomes if o.status == "failed"]
    if failed:
        raise SystemExit(f"the demo did not load: {failed}")
    add_test_users(home)
    return settings, extracts


def summary(
    record: Record, minutes: float, growth_bound_mb: float, log_errors: list[str], open_snapshots: int
) -> int:
    print(f"\n=== soak summary: {minutes:g} minutes ===")
    print("requests by kind and status:")
    for (kind, status), count in sorted(record.statuses.items(), key=lambda item: str(item[0])):
        print(f"  {kind:7} {status!s:>22}: {count}")
    print("latencies:")
    for kind, ms in sorted(record.latencies.items()):
        print(f"  {kind:7} {percentiles(ms)}")
    loads = record.loads
    print(
        f"loads: {len(loads)}"
        + (f", {statistics.median(loads):.1f} s median, {max(loads):.1f} s longest" if loads else "")
    )
    print("server RSS over time (MB):")
    step = max(1, len(record.rss) // 12)
    print("  " + "  ".join(f"{t:.0f}s:{rss / MB:.0f}" for t, rss in record.rss[::step]))
    growth = rss_growth(record.rss)
    failures = []
    if growth:
        early, late = growth
        print(
            f"  median RSS, second quarter {early / MB:.0f} MB, last quarter {late / MB:.0f} MB: "
            f"growth {(late - early) / MB:+.0f} MB (bound {growth_bound_mb:g} MB); peak "
            f"{max(r for _, r in record.rss) / MB:.0f} MB"
        )
        if late - early > growth_bound_mb * MB:
            failures.append(
                f"the server's RSS grew by {(late - early) / MB:.0f} MB, over {growth_bound_mb:g} MB"
            )
    else:
        failures.append("too few RSS samples to judge its growth: run for longer")
    print(f"snapshot files left open by the server: {open_snapshots}")
    if open_snapshots > 2:
        failures.append(f"{open_snapshots} snapshot files are still open (old warehouse versions not closed)")
    if log_errors:
        failures.append(f"{len(log_errors)} errors in the server's log")
    if record.errors:
        failures.append(f"{len(record.errors)} errors in requests or loads")
    if not record.requests_made() or not loads:
        failures.append("nothing was exercised: no requests or no loads")
    for line in (record.errors + log_errors)[:50]:
        print(f"  ERROR {line}")
    if len(record.errors) + len(log_errors) > 50:
        print(f"  ... and {len(record.errors) + len(log_errors) - 50} more")
    print("RESULT: " + ("FAILED: " + "; ".join(failures) if failures else "passed, no errors"))
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long users and loads run together")
    parser.add_argument("--users", type=int, default=4, help="simulated users, each a thread with a session")
    parser.add_argument("--load-pause", type=float, default=2.0, help="seconds between one load and the next")
    parser.add_argument(
        "--max-rss-growth-mb",
        type=float,
        default=150.0,
        help="the most the server's RSS may grow from the run's second quarter to its last",
    )
    parser.add_argument(
        "--sample-seconds", type=float, default=2.0, help="how often the server's RSS is read"
    )
    parser.add_argument("--seed", type=int, default=2026, help="what the users pick, reproducibly")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where to keep the home and the server's log "
        "(default: a temporary folder, removed after a run that passed)",
    )
    args = parser.parse_args()
    # The soak's own home holds everything: the caller's settings do not send app state or loads elsewhere.
    for setting in ("SAFEGUARD_APPSTATE_URL", "SAFEGUARD_LOAD_DIRS"):
        os.environ.pop(setting, None)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="safeguard-soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"making and loading the demo warehouse in {workdir / 'home'} ...", flush=True)
    settings, extracts = prepare_home(workdir / "home")
    accounts = [TEST_ADMIN, *ROLE_USERS]
    record = Record()
    stop = threading.Event()
    server = serve(settings.home, workdir)
    url = next(server)
    try:
        process = server_process()
        print(
            f"serving {url} (pid {process.pid}); {args.users} users and loads for {args.minutes:g} minutes",
            flush=True,
        )
        record.started = time.monotonic()
        threads = [
            threading.Thread(target=sample_rss, args=(process, args.sample_seconds, stop, record)),
            threading.Thread(target=keep_loading, args=(settings, extracts, args.load_pause, stop, record)),
        ]
        threads += [
            threading.Thread(
                target=simulated_user, args=(url, accounts[i % len(accounts)], args.seed + i, stop, record)
            )
            for i in range(args.users)
        ]
        for thread in threads:
            thread.start()
        deadline = record.started + args.minutes * 60
        while time.monotonic() < deadline:
            time.sleep(min(30.0, max(0.0, deadline - time.monotonic())))
            rss = record.rss[-1][1] / MB if record.rss else float("nan")
            print(
                f"  {time.monotonic() - record.started:6.0f}s: {record.requests_made()} requests, "
                f"{len(record.loads)} loads, {len(record.errors)} errors, server RSS {rss:.0f} MB",
                flush=True,
            )
        stop.set()
        for thread in threads:
            thread.join(timeout=TIMEOUT + 30)
        time.sleep(1.0)  # the last requests' snapshots close as they end
        open_snapshots = len(list(links_folder(settings.warehouse_path, process.pid).glob("*.duckdb")))
    finally:
        stop.set()
        next(server, None)  # stops the server
    code = summary(
        record,
        args.minutes,
        args.max_rss_growth_mb,
        server_log_errors(workdir / "server.log"),
        open_snapshots,
    )
    if code == 0 and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"the home and the server's log are kept in {workdir}")
    return code


if __name__ == "__main__":
    sys.exit(main())
