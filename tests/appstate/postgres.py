"""A throwaway PostgreSQL server for the app-state tests.

Debian's binaries (`make postgresql` installs them), a cluster made with initdb in a temporary
folder, listening on 127.0.0.1 only on a free port with its unix socket in that folder, trust
authentication inside it. It is started once per test run and stopped (`pg_ctl stop -m fast`)
and removed at the end, whatever the tests did. initdb and the server refuse to run as root, so
as root they run as the `postgres` system user the Debian package makes.

The app connects as an ordinary role (not a superuser), as a deployment would. Each test gets
an empty schema of its own in the database `appstate` (its URL sets the search path, so the app
creates its tables there on first use, as in a new database), dropped after the test: a schema
takes a millisecond where a database takes a few tenths of a second. Tests of a brand-new
database (the first uses racing to create the tables) make real databases.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import re
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INSTALL_HINT = (
    "install Debian's server with `make postgresql` (it runs `apt-get install postgresql`), "
    "or put a PostgreSQL bin directory holding initdb and pg_ctl on PATH"
)
APP_ROLE = "safeguard"
SHARED_DATABASE = "appstate"
SYSTEM_USER = "postgres"


class Unavailable(Exception):
    """PostgreSQL cannot be run here; the message says why and how to fix it."""


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin with initdb and pg_ctl, else the one on PATH."""

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)

    found = [
        p
        for p in Path("/usr/lib/postgresql").glob("*/bin")
        if (p / "initdb").is_file() and (p / "pg_ctl").is_file()
    ]
    if found:
        return max(found, key=version)
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl", path=str(Path(on_path).parent)):
        return Path(on_path).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _traversable_by_others(path: Path) -> bool:
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in [path, *path.parents])


class PostgresServer:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.dir: Path | None = None
        self.port = 0
        self._admin = None
        self._shared = None
        self._names = itertools.count(1)
        self._started = False
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                self._user = pwd.getpwnam(SYSTEM_USER)
            except KeyError as missing:
                raise Unavailable(
                    f"PostgreSQL refuses to run as root and there is no '{SYSTEM_USER}' system user "
                    f"to run it as: {INSTALL_HINT}"
                ) from missing

    # --- running the server's programs ---

    def _run(self, program: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bindir / program), *args]
        if self.as_root:
            if shutil.which("runuser"):
                command = ["runuser", "-u", SYSTEM_USER, "--", *command]
            else:
                command = ["su", SYSTEM_USER, "-s", "/bin/sh", "-c", shlex.join(command)]
        # None of the caller's PG* settings (PGDATA, PGPORT, PGHOST...) may steer this cluster.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")} | {"LC_ALL": "C", "LANG": "C"}
        return subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout, cwd=self.dir, check=False
        )

    def _check(self, what: str, result: subprocess.CompletedProcess) -> None:
        if result.returncode != 0:
            log = self.dir / "server.log" if self.dir else None
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(
                f"PostgreSQL {what} failed (exit {result.returncode}) with {self.bindir}:\n"
                f"{result.stdout}{result.stderr}{tail}"
            )

    def start(self) -> None:
        base = Path(tempfile.gettempdir())
        if self.as_root and not _traversable_by_others(base):
            base = Path("/tmp")  # the postgres user must be able to reach its own folder
        self.dir = Path(tempfile.mkdtemp(prefix="safeguard-pg-", dir=base))
        atexit.register(self.stop)  # should the run end without its session teardown
        if self.as_root:
            os.chown(self.dir, self._user.pw_uid, self._user.pw_gid)
        self._check(
            "initdb",
            self._run(
                "initdb",
                "-D",
                str(self.dir / "data"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
                "--no-instructions",
            ),
        )
        self._started = True  # from here on, stop() runs pg_ctl stop (harmless if nothing started)
        for attempt in range(3):  # a free port can be taken between the probe and the server's bind
            self.port = _free_port()
            options = shlex.join(
                [
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.dir),
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                ]
            )
            started = self._run(
                "pg_ctl",
                "start",
                "-D",
                str(self.dir / "data"),
                "-l",
                str(self.dir / "server.log"),
                "-w",
                "-t",
                "30",
                "-o",
                options,
            )
            if started.returncode == 0:
                break
            if attempt == 2:
                self._check("start", started)
        self._admin = self._connect("postgres")
        self._admin.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
        self._admin.execute(f"CREATE DATABASE {SHARED_DATABASE} OWNER {APP_ROLE}")

    def stop(self) -> None:
        """Idempotent: the session teardown calls it, and atexit again should that not have run."""
        for connection in (self._shared, self._admin):
            if connection is not None:
                connection.close()
        self._admin = self._shared = None
        if self._started:
            self._started = False
            stopped = self._run(
                "pg_ctl", "stop", "-D", str(self.dir / "data"), "-m", "fast", "-w", "-t", "30"
            )
            if stopped.returncode != 0:
                self._run("pg_ctl", "stop", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "-t", "30")
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # --- databases ---

    def url(self, dbname: str, schema: str | None = None) -> str:
        search_path = f"?options=-csearch_path%3D{schema}" if schema else ""
        return f"postgresql+psycopg://{APP_ROLE}@127.0.0.1:{self.port}/{dbname}{search_path}"

    def create_database(self) -> str:
        name = f"appstate_{next(self._names)}"
        self._admin.execute(f"CREATE DATABASE {name} OWNER {APP_ROLE}")
        return name

    def end_app_connections(self) -> int:
        """End every connection the app's role holds, as a server restart or an idle timeout would."""
        ended = self._admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = %s", (APP_ROLE,)
        ).fetchone()[0]
        for _ in range(100):  # terminating is asynchronous: wait until they are gone
            if not self._admin.execute(
                "SELECT 1 FROM pg_stat_activity WHERE usename = %s", (APP_ROLE,)
            ).fetchone():
                break
            time.sleep(0.02)
        return ended

    def drop_database(self, name: str) -> None:
        self._admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    @contextmanager
    def fresh_database(self) -> Iterator[str]:
        """A new, empty database's SQLAlchemy URL; the database is dropped afterwards."""
        name = self.create_database()
        url = self.url(name)
        try:
            yield url
        finally:
            _dispose(url)
            self.drop_database(name)

    @contextmanager
    def fresh_schema(self) -> Iterator[str]:
        """The URL of a new, empty schema (the search path) in the shared database; dropped afterwards."""
        schema = f"test_{next(self._names)}"
        self._admin_shared().execute(f"CREATE SCHEMA {schema} AUTHORIZATION {APP_ROLE}")
        url = self.url(SHARED_DATABASE, schema)
        try:
            yield url
        finally:
            _dispose(url)
            self._admin_shared().execute(f"DROP SCHEMA {schema} CASCADE")

    def _admin_shared(self):
        if self._shared is None:
            self._shared = self._connect(SHARED_DATABASE)
        return self._shared

    def _connect(self, dbname: str):
        """A superuser connection for setting up; a session a test left open fails its drop, not hangs it."""
        import psycopg

        connection = psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True
        )
        connection.execute("SET lock_timeout = '10s'")
        return connection


def _dispose(url: str) -> None:
    """Close the app's pooled connections to a URL (its engine is made once per URL and kept)."""
    from appstate.db import engine_for

    engine_for(url).dispose()


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """Raises Unavailable when the binaries (or the driver, or the postgres user) are missing."""
    bindir = find_bindir()
    if bindir is None:
        raise Unavailable(
            f"no PostgreSQL server binaries (no /usr/lib/postgresql/*/bin/initdb): {INSTALL_HINT}"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError as missing:
        raise Unavailable(
            "the PostgreSQL driver psycopg is not installed: `.venv/bin/pip install -e '.[test]'`"
        ) from missing
    server = PostgresServer(bindir)
    started_at = time.monotonic()
    try:
        server.start()
        server.startup_seconds = time.monotonic() - started_at
        yield server
    finally:
        server.stop()
