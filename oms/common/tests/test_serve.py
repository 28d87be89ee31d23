"""``oms migrate`` and ``oms serve`` as a user runs them: real processes (gunicorn and, with the embedded broker, a
Celery worker), a real port, static files, and a clean stop on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

OMS = str(Path(sys.executable).parent / "oms")
pytestmark = pytest.mark.skipif(
    os.environ.get("OMS_EXPECT_DB_VENDOR", "sqlite") != "sqlite",
    reason="starts its own server on a SQLite file of its own: once, in the SQLite pass, is enough",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"oms serve exited early:\n{log.read_text()}"
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"oms serve did not answer within {seconds} s:\n{log.read_text()}")


def test_serve_answers_on_its_port_with_static_files_and_jobs_and_stops_on_sigterm(tmp_path):
    assert connection.vendor == "sqlite"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "OMS_VAR_DIR": str(tmp_path),
        "OMS_ACCESS_LOG": str(tmp_path / "access.log"),
        "SECRET_KEY": "serve-test-secret",
        "DEBUG": "false",
    }
    env.pop("CELERY_BROKER_URL", None)  # the embedded broker: serve supervises a worker too
    subprocess.run([OMS, "migrate"], env=env, check=True, capture_output=True, timeout=180)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [OMS, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/login/", process, log)

        status, page = _get(f"{base}/login/")
        assert status == 200 and b'name="username"' in page and b'name="password"' in page
        assert _get(f"{base}/static/web/oms.css")[0] == 200  # collected and served by WhiteNoise
        status, body = _get(f"{base}/api/v1/orders/")
        assert status in (401, 403) and b'"code"' in body
        printed = log.read_text()
        assert f"oms listening on {base}/ (2 web workers, sqlite3; requests logged to" in printed
        assert "background jobs: one Celery worker" in printed
        assert "GET /login/" in (tmp_path / "access.log").read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    assert code == 0, log.read_text()
