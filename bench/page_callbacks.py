"""Page callbacks over HTTP under load: the real app, served by gunicorn as the Dockerfile runs it,
on a free 127.0.0.1 port with the benchmark warehouse as SAFEGUARD_HOME.

A benchmark account (an executive covering every loaded LA) is created in the home's app state;
each simulated user signs in over HTTP (the sign-in form, its CSRF token and the session cookie)
and then POSTs the Dash pages callback (/_dash-update-component for `_pages_location` pathname
and search, the request a browser sends when the URL changes) for random pages and filter
combinations (bench/views.py). Every response is timed; anything but a 200 is an error, and counted.

Two kinds of run:

- users with think time, at 1, 10 and 50 users: each user pauses THINK_TIME_S (uniform random,
  seeded) before each of its callbacks, as a person reads the page before changing a filter, and
  makes a fixed number of callbacks. This is what "N concurrent users" means in load testing (as
  locust's `wait_time = between(2, 8)`), and what the target is judged on.
- saturation, at SATURATION_USERS users: each sends its next callback as soon as its last
  returned (no think time), so the server is never idle: its callbacks/s and latency say what
  the machine can serve at most, not what N people see.

For each run: p50/p95/p99 (overall and by page), throughput, errors, the server's and the
client's CPU, and the peak RSS and PSS of the server's process tree (gunicorn and its workers,
sampled with psutil). Targets: every page's p95 < 300 ms at 50 users with think time; the server's
CPU per callback < 20 ms at 50 users; >= 80 callbacks/s at saturation; app memory < 1.5 GB, judged by
the tree's PSS (summed RSS counts shared pages once per process).

    python bench/page_callbacks.py [--quick] [--per-user 16,24,10] [--saturation 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import MB, REPO, PeakMemory, cpu_seconds, latency_summary, tree_memory
from bench.national import national_warehouse

TARGET_P95_MS = 300  # for every page
TARGET_AT_USERS = 50
TARGET_CPU_MS_PER_CALLBACK = 20
TARGET_SATURATION_PER_S = 80
TARGET_RSS_BYTES = 1.5 * 1024**3  # judged by the tree's PSS (by its summed RSS if PSS cannot be read)
USERS = (1, 10, 50)
# A person reading the page before the next filter change: each simulated user waits this long
# (uniform random, in seconds, seeded per user) before each callback, as locust's
# `wait_time = between(2, 8)`. Without it, N users are N clients hammering the server.
THINK_TIME_S = (2.0, 8.0)
THINK_SEED = 2028
# Callbacks per user at 1, 10 and 50 users with think time. At about 5 s a callback (the mean
# think time plus the response) the full run takes about 85 + 130 + 50-90 s, and the saturation
# run about a minute more: about 6 minutes in all.
FULL_PER_USER = (16, 24, 10)
QUICK_PER_USER = (3, 3, 2)
SATURATION_USERS = 10
# Back to back, shared by the SATURATION_USERS users: about 13 s at 80/s. 300 (4 to 5 s) gave 62 to
# 85 callbacks/s from one run to the next of the same code, its start and end a large share of it.
FULL_SATURATION_REQUESTS = 1000
QUICK_SATURATION_REQUESTS = 60
BENCH_USER = "bench-executive"
REQUEST_TIMEOUT_S = 150  # above gunicorn's --timeout 120, so the server gives up first
CALLBACK_PATH = "/_dash-update-component"
PAGES_OUTPUT = "_pages_content.children"  # the pages router's output, as dash registers it


def dockerfile_command(port: int | str) -> list[str]:
    """The Dockerfile's CMD (gunicorn and its arguments), bound to 127.0.0.1:port instead."""
    text = re.sub(r"\\\n", " ", (REPO / "Dockerfile").read_text())
    [cmd] = [json.loads(line.strip()[3:]) for line in text.splitlines() if line.strip().startswith("CMD ")]
    command = [arg.replace("0.0.0.0:8050", f"127.0.0.1:{port}") for arg in cmd]
    command[0] = str(Path(sys.executable).with_name(command[0]))  # the venv's gunicorn
    return command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(home: Path) -> dict[str, str]:
    """The caller's environment without any SAFEGUARD_ setting (an app-state URL would send the
    benchmark account to someone's real accounts database), pointed at the benchmark home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEGUARD_")}
    return env | {"SAFEGUARD_HOME": str(home), "SAFEGUARD_SECRET_KEY": secrets.token_hex(32)}


@contextmanager
def gunicorn(home: Path, log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """The app served on a free port until the block ends; yields its URL and the master process."""
    port = _free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            dockerfile_command(port), cwd=REPO, env=_server_env(home), stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_ready(url, server, log_path)
            yield url, server
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_ready(url: str, server: subprocess.Popen, log_path: Path, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url + "/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log_path.read_text()[-4000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"gunicorn was not ready within {timeout_s:.0f} s:\n{log_path.read_text()[-4000:]}"
            )
        time.sleep(0.5)


def loaded_las(warehouse_path: Path) -> tuple[str, ...]:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return tuple(
            r[0] for r in con.execute("SELECT DISTINCT la_code FROM kpi_cube_la ORDER BY 1").fetchall()
        )


def bench_account(home: Path, la_codes: tuple[str, ...]) -> tuple[str, str]:
    """The benchmark's executive account in the home's app state, with a new password each run."""
    from appstate.db import session
    from appstate.users import add_user, get_user, set_password

    password = secrets.token_urlsafe(18)
    with session(f"sqlite:///{home / 'appstate.sqlite'}") as db:
        if get_user(db, BENCH_USER) is None:
            add_user(db, BENCH_USER, "executive", created_by="bench", password=password, la_codes=la_codes)
        else:
            set_password(db, BENCH_USER, password)
    return BENCH_USER, password


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> None:
    """Through the sign-in form, as a browser: its CSRF token, then the session cookie it sets."""
    form = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert form.status_code == 200 and csrf, f"no sign-in form: {form.status_code}"
    done = await client.post(
        "/login", data={"csrf": csrf[1], "next": "/", "username": username, "password": password}
    )
    assert done.status_code == 302 and "safeguard_session" in client.cookies, (
        f"sign-in refused: {done.status_code}"
    )


class PagesCallback:
    """The pages router's callback as the server declares it (/_dash-dependencies): the request
    body for a URL is built from that declaration, as dash-renderer builds it."""

    def __init__(self, dependencies: list[dict]) -> None:
        [router] = [d for d in dependencies if PAGES_OUTPUT in d["output"]]
        self.output = router["output"]
        self.outputs = [
            dict(zip(("id", "property"), part.split("."), strict=True))
            for part in self.output.strip(".").split("...")
        ]
        self.inputs = [{"id": i["id"], "property": i["property"]} for i in router["inputs"]]

    def body(self, pathname: str, search: str) -> dict:
        values = {"pathname": pathname, "search": search}
        inputs = [i | {"value": values[i["property"]]} for i in self.inputs]
        return {
            "output": self.output,
            "outputs": self.outputs,
            "inputs": inputs,
            "state": [],
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in self.inputs],
        }


async def _callback(
    client: httpx.AsyncClient, callback: PagesCallback, path: str, search: str
) -> tuple[str, float]:
    """One callback: its outcome ("200", another status or the exception's name) and milliseconds."""
    started = time.perf_counter()
    try:
        response = await client.post(CALLBACK_PATH, json=callback.body(path, search))
        outcome = str(response.status_code)
    except httpx.HTTPError as error:
        outcome = type(error).__name__
    return outcome, (time.perf_counter() - started) * 1000


async def _level(
    clients: list[httpx.AsyncClient],
    callback: PagesCallback,
    views,
    pages: list[str],
    *,
    per_user: int | None = None,
    requests: int | None = None,
) -> tuple[list[tuple[str, str, float]], float]:
    """One run by len(clients) users. With `per_user`, each user makes that many callbacks, each
    after a think time drawn from THINK_TIME_S; with `requests`, the users share that many and
    each sends its next as soon as its last returned (saturation). Returns (page, outcome, ms) per
    callback and the wall time in seconds."""
    from bench.views import search_string

    assert (per_user is None) != (requests is None), "a run has think time or a request count, not both"
    remaining = requests or 0
    done: list[tuple[str, str, float]] = []

    async def one(client: httpx.AsyncClient) -> None:
        path, query = views.view(pages)
        outcome, ms = await _callback(client, callback, path, search_string(query))
        done.append((path, outcome, ms))

    async def thinking_user(index: int, client: httpx.AsyncClient) -> None:
        think = random.Random(THINK_SEED * 1000 + len(clients) * 100 + index)
        for _ in range(per_user):
            await asyncio.sleep(think.uniform(*THINK_TIME_S))  # before the first too: no stampede at t=0
            await one(client)

    async def back_to_back_user(_index: int, client: httpx.AsyncClient) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await one(client)

    user = thinking_user if per_user is not None else back_to_back_user
    started = time.perf_counter()
    await asyncio.gather(*(user(i, client) for i, client in enumerate(clients)))
    return done, time.perf_counter() - started


def _level_result(
    users: int,
    per_user: int | None,
    done: list[tuple[str, str, float]],
    wall_s: float,
    memory: PeakMemory,
    cpu: dict[str, float],
) -> dict:
    outcomes = Counter(outcome for _, outcome, _ in done)
    by_page = {}
    for page in sorted({p for p, _, _ in done}):
        mine = [(outcome, ms) for p, outcome, ms in done if p == page]
        by_page[page] = {
            "ms": latency_summary([ms for outcome, ms in mine if outcome == "200"]),
            "errors": sum(outcome != "200" for outcome, _ in mine),
        }
    return {
        "users": users,
        "think_time_s": list(THINK_TIME_S) if per_user is not None else None,
        "callbacks_per_user": per_user,
        "requests": len(done),
        "wall_seconds": wall_s,
        "throughput_per_s": len(done) / wall_s,
        "ms": latency_summary([ms for _, outcome, ms in done if outcome == "200"]),
        "errors": len(done) - outcomes["200"],
        "outcomes": dict(outcomes),
        "by_page": by_page,
        "server_peak_rss_bytes": memory.rss,
        "server_peak_pss_bytes": memory.pss,
        "server_cpu_seconds": cpu["server"],
        "client_cpu_seconds": cpu["client"],
        "server_cpu_ms_per_callback": cpu["server"] / len(done) * 1000,
    }


async def _run_levels(
    url: str,
    server_pid: int,
    account: tuple[str, str],
    views,
    pages: list[str],
    per_user: tuple[int, ...],
    saturation_requests: int,
) -> tuple[list[dict], dict]:
    """The think-time runs at each of USERS, then the saturation run; returns (those, saturation)."""
    # One browser tab per user. A connection idle for a second is not reused: gunicorn closes one
    # idle for 2 s (its keep-alive), and a callback sent on it as it closes fails with ReadError
    # (1 of 500 at 50 users), which a browser retries unseen and this client would count.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=1.0)
    clients = [
        httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S, limits=limits) for _ in range(max(USERS))
    ]
    server, client = psutil.Process(server_pid), psutil.Process()

    async def timed_run(users: int, per_user: int | None, requests: int | None) -> dict:
        # CPU on both sides: the simulated users share the machine's cores with the server.
        server_before, client_before = cpu_seconds(server, with_children=True), cpu_seconds(client)
        with PeakMemory(server_pid) as memory:
            done, wall_s = await _level(
                clients[:users], callback, views, pages, per_user=per_user, requests=requests
            )
        cpu = {
            "server": cpu_seconds(server, with_children=True) - server_before,
            "client": cpu_seconds(client) - client_before,
        }
        result = _level_result(users, per_user, done, wall_s, memory, cpu)
        print_level(result)
        return result

    try:
        for one in clients:  # one by one: fifty argon2 checks at once would be a sign-in benchmark
            await sign_in(one, *account)
        dependencies = (await clients[0].get("/_dash-dependencies")).json()
        callback = PagesCallback(dependencies)
        # Warm, untimed: a worker opens the warehouse and registers the pages callback at its first request.
        await _level(clients[:10], callback, views, pages, requests=4 * len(pages))
        levels = [await timed_run(users, n, None) for users, n in zip(USERS, per_user, strict=True)]
        saturation = await timed_run(SATURATION_USERS, None, saturation_requests)
        return levels, saturation
    finally:
        await asyncio.gather(*(one.aclose() for one in clients))


def _peak_pss(runs: list[dict]) -> int | None:
    """The highest PSS of the runs, or None if any run could not read it."""
    found = [run["server_peak_pss_bytes"] for run in runs]
    return None if None in found else max(found)


def measure(home: Path, per_user: tuple[int, ...], saturation_requests: int, log_path: Path) -> dict:
    """Serve the app from `home`, run the think-time levels and the saturation run, stop it. Sets
    SAFEGUARD_HOME in this process too: the random views are drawn from the same warehouse's
    filter options."""
    os.environ["SAFEGUARD_HOME"] = str(home)
    from bench.views import RandomViews, dashboard_pages

    la_codes = loaded_las(home / "warehouse.duckdb")
    account = bench_account(home, la_codes)
    pages = list(dashboard_pages())
    views = RandomViews(la_codes, seed=2027)
    with gunicorn(home, log_path) as (url, server):
        idle_rss, idle_pss = tree_memory(psutil.Process(server.pid))
        levels, saturation = asyncio.run(
            _run_levels(url, server.pid, account, views, pages, per_user, saturation_requests)
        )
    at_target = next(level for level in levels if level["users"] == TARGET_AT_USERS)
    runs = [*levels, saturation]
    return {
        "command": ["gunicorn", *dockerfile_command("PORT")[1:]],
        "pages": pages,
        "account_role": "executive",
        "las_in_scope": len(la_codes),
        "think_time_s": list(THINK_TIME_S),
        "server_idle_rss_bytes": idle_rss,
        "server_idle_pss_bytes": idle_pss,
        "levels": levels,
        "saturation": saturation,
        "server_peak_rss_bytes": max(run["server_peak_rss_bytes"] for run in runs),
        "server_peak_pss_bytes": _peak_pss(runs),
        "p95_ms_at_target_users": at_target["ms"]["p95"],
        "target_users": TARGET_AT_USERS,
        "target_p95_ms": TARGET_P95_MS,
        "target_cpu_ms_per_callback": TARGET_CPU_MS_PER_CALLBACK,
        "target_saturation_per_s": TARGET_SATURATION_PER_S,
        "target_rss_bytes": TARGET_RSS_BYTES,
        "server_log": str(log_path),
    }


def _mb(n: int | None) -> str:
    return "unreadable" if n is None else f"{n / MB:,.0f} MB"


def _run_name(level: dict) -> str:
    users = f"{level['users']} user{'s' if level['users'] != 1 else ''}"
    if level["think_time_s"] is None:
        return f"{users}, saturation (no think time)"
    low, high = level["think_time_s"]
    return f"{users}, {low:g}-{high:g} s think time"


def print_level(level: dict) -> None:
    ms = level["ms"]
    print(
        f"{_run_name(level)}: {level['requests']} callbacks in {level['wall_seconds']:.1f} s "
        f"({level['throughput_per_s']:.1f}/s)  p50 {ms['p50']:.1f} ms  p95 {ms['p95']:.1f} ms  "
        f"p99 {ms['p99']:.1f} ms  errors {level['errors']}  server peak PSS "
        f"{_mb(level['server_peak_pss_bytes'])} (RSS summed {_mb(level['server_peak_rss_bytes'])})  "
        f"server CPU {level['server_cpu_ms_per_callback']:.0f} ms per callback",
        flush=True,
    )


def print_result(result: dict) -> None:
    for level in [*result["levels"], result["saturation"]]:
        answered = [
            (page, found["ms"]["p95"]) for page, found in level["by_page"].items() if found["ms"]["n"]
        ]
        slowest = sorted(answered, key=lambda item: -item[1])[:3]
        print(
            f"  {_run_name(level)}, slowest pages by p95: "
            + ", ".join(f"{page} {p95:.0f} ms" for page, p95 in slowest)
        )
        if level["errors"]:
            print(f"  {_run_name(level)}, outcomes: {level['outcomes']} (see {result['server_log']})")


def _ints(text: str) -> tuple[int, ...]:
    return tuple(map(int, text.split(",")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the few-LA warehouse and fewer callbacks")
    parser.add_argument(
        "--per-user", type=_ints, help="callbacks per user with think time, at 1, 10 and 50 users"
    )
    parser.add_argument("--saturation", type=int, help="callbacks of the saturation run (back to back)")
    args = parser.parse_args()
    warehouse = national_warehouse(args.quick)
    per_user = args.per_user or (QUICK_PER_USER if args.quick else FULL_PER_USER)
    saturation = args.saturation or (QUICK_SATURATION_REQUESTS if args.quick else FULL_SATURATION_REQUESTS)
    print_result(measure(warehouse.home, per_user, saturation, warehouse.home.parent / "server.log"))


if __name__ == "__main__":
    main()
