"""The deployment files: the Dockerfile is checked as Docker would read it (no engine here), and the
exact gunicorn command it runs serves the app on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped, as Docker parses them."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _cmd() -> list[str]:
    [cmd] = [json.loads(args) for instruction, args in _instructions() if instruction == "CMD"]
    return cmd


def test_the_image_is_multi_stage_non_root_and_checks_its_health():
    instructions = _instructions()
    stages = [args for instruction, args in instructions if instruction == "FROM"]
    assert len(stages) == 2 and stages[0].endswith(" AS build") and "python:3.11" in stages[1]
    final = instructions[[i for i, (ins, _) in enumerate(instructions) if ins == "FROM"][-1] :]
    users = [args for instruction, args in final if instruction == "USER"]
    assert users == ["safeguard"]
    [health] = [args for instruction, args in final if instruction == "HEALTHCHECK"]
    assert "/readyz" in health
    assert _cmd()[0] == "gunicorn" and _cmd()[-1] == "app.wsgi:server"
    assert _cmd()[_cmd().index("--worker-class") + 1] == "gthread"


def test_the_image_copies_every_package_the_project_installs():
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"][
        "include"
    ]
    copied = {
        args.split()[0]
        for instruction, args in _instructions()
        if instruction == "COPY" and "--from" not in args
    }
    assert {name.rstrip("*") for name in packages} <= copied


def test_compose_runs_the_web_app_and_the_scheduler_on_one_volume():
    text = (ROOT / "docker-compose.yml").read_text()
    assert re.search(r"^  web:\n", text, re.MULTILINE) and re.search(r"^  scheduler:\n", text, re.MULTILINE)
    assert text.count("- safeguard-data:/data") == 2
    assert '"safeguard", "schedule"' in text
    assert "127.0.0.1:8050:8050" in text  # published on the host's loopback only; a proxy faces the network


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # gunicorn serves the app
def test_the_dockerfiles_gunicorn_command_serves_the_app(demo_home, tmp_path):
    from tests.app.serving import SESSION_COOKIE, TEST_SECRET, copy_home, session_cookie

    home = copy_home(demo_home, tmp_path / "home")
    port = _free_port()
    command = [arg.replace("0.0.0.0:8050", f"127.0.0.1:{port}") for arg in _cmd()]
    command[0] = str(Path(sys.executable).with_name("gunicorn"))
    env = os.environ | {"SAFEGUARD_HOME": str(home), "SAFEGUARD_SECRET_KEY": TEST_SECRET}
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:  # gunicorn keeps its own copy of the handle
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = json.load(urllib.request.urlopen(url + "/readyz", timeout=2))
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert ready["status"] == "ready" and ready["data_as_at"] == "2026-10-31"
        signed_in = urllib.request.Request(
            url + "/_dash-layout", headers={"Cookie": f"{SESSION_COOKIE}={session_cookie('test-admin')}"}
        )
        for _ in range(6):  # enough to reach both workers
            assert urllib.request.urlopen(signed_in, timeout=10).status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "/_dash-layout", timeout=10)
        assert refused.value.code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    access = [json.loads(line) for line in log.read_text().splitlines() if line.startswith('{"time": "[')]
    assert {entry["status"] for entry in access} >= {200, 401}  # the access log is JSON lines
