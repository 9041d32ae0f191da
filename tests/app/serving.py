"""Serving the app from a SAFEGUARD_HOME in a subprocess on a free 127.0.0.1 port, as `make run` does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(home: Path, log_dir: Path):
    port = _free_port()
    env = os.environ | {"SAFEGUARD_HOME": str(home), "HOST": "127.0.0.1", "PORT": str(port)}
    # The server's log goes to a file: a pipe nobody reads fills up and stalls the server.
    log = open(log_dir / "server.log", "w+")
    process = subprocess.Popen([sys.executable, "-m", "app"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            assert process.poll() is None, open(log.name).read()
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()
