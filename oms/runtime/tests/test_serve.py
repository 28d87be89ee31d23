"""``oms migrate``, ``oms serve``, ``oms up`` and ``oms beat`` as a user runs them: real processes (gunicorn and,
with the embedded broker, a Celery worker and the scheduler), a real port, static files, a clean stop on SIGTERM;
a crashed worker restarted, a dead server reported as a failure, no child outliving ``oms serve``, one scheduler
per var/ folder, and a busy port refused before anything else is done.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from oms.runtime.tests.serving import (
    OMS,
    alive,
    child_running,
    descendants,
    free_port,
    get,
    own_env,
    wait_for,
    wait_gone,
)

pytestmark = pytest.mark.skipif(
    os.environ.get("OMS_EXPECT_DB_VENDOR", "sqlite") != "sqlite",
    reason="starts its own server on a SQLite file of its own: once, in the SQLite pass, is enough",
)


def _migrated_env(tmp_path: Path) -> dict[str, str]:
    assert connection.vendor == "sqlite"
    env = own_env(tmp_path)
    subprocess.run([OMS, "migrate"], env=env, check=True, capture_output=True, timeout=180)
    return env


def _serve(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = tmp_path / "serve.log"
    cwd = tmp_path / "cwd"  # a folder of its own: nothing may be written to where oms is started from
    cwd.mkdir(exist_ok=True)
    with log.open("w") as out:
        process = subprocess.Popen(
            [OMS, "serve", "--port", str(port), "--workers", "2", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
        )
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/login/", process, log)
    return process, base, log


def _stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


def test_serve_answers_on_its_port_with_static_files_and_jobs_and_stops_on_sigterm(tmp_path):
    env = _migrated_env(tmp_path)
    process, base, log = _serve(tmp_path, env)
    try:
        status, page = get(f"{base}/login/")
        assert status == 200 and b'name="username"' in page and b'name="password"' in page
        assert get(f"{base}/static/web/oms.css")[0] == 200  # collected and served by WhiteNoise
        status, body = get(f"{base}/api/v1/orders/")
        assert status in (401, 403) and b'"code"' in body
        printed = log.read_text()
        assert f"oms listening on {base}/ (2 web workers, sqlite3; requests logged to" in printed
        assert "background jobs: one Celery worker" in printed
        assert "GET /login/" in (tmp_path / "access.log").read_text()
        # The address is recorded for the commands that call the server (oms carrier_sim), from any shell.
        recorded = json.loads((tmp_path / "server.json").read_text())
        assert recorded == {"base_url": base, "pid": process.pid}
        sim = subprocess.run(
            [OMS, "carrier_sim", "--once"], env=env, capture_output=True, text=True, timeout=120, check=True
        )
        assert f"posting to {base}/api/v1/carriers/sim/webhook/" in sim.stdout
        # The embedded broker's worker keeps its exchange tables under var/, not in a control/ folder in the cwd.
        pidbox = tmp_path / "celery-control" / "celery.pidbox.exchange"
        deadline = time.monotonic() + 60
        while not pidbox.exists() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert pidbox.exists(), log.read_text()
        children = descendants(process.pid)
    finally:
        code = _stop(process)
    assert code == 0, log.read_text()
    assert not wait_gone(children, seconds=10)
    assert not (tmp_path / "server.json").exists()
    assert list((tmp_path / "cwd").iterdir()) == []


def test_a_killed_worker_is_restarted_until_the_limit_then_serve_fails(tmp_path):
    env = _migrated_env(tmp_path)
    process, base, log = _serve(tmp_path, env, "--max-restarts", "1")
    try:
        worker = child_running(process.pid, "celery", "worker")
        scheduler = child_running(process.pid, "celery", "beat")
        os.kill(worker, signal.SIGKILL)

        restarted = child_running(process.pid, "celery", "worker", not_pid=worker)
        assert process.poll() is None, log.read_text()
        assert get(f"{base}/login/")[0] == 200  # the web server never noticed
        assert alive(scheduler)  # the scheduler is a process of its own: untouched
        assert "worker was killed by signal 9 (exit status 137); restarting it in" in log.read_text()

        # A second crash inside the window is one more than --max-restarts 1 allows: serve gives up, and fails.
        children = descendants(process.pid)
        os.kill(restarted, signal.SIGKILL)
        code = process.wait(timeout=60)
    finally:
        _stop(process)
    assert code == 137, log.read_text()  # the worker's own death, as a shell would report it
    assert "giving up" in log.read_text()
    assert not wait_gone(children)


def test_serve_fails_when_its_web_server_dies(tmp_path):
    env = _migrated_env(tmp_path)
    process, _, log = _serve(tmp_path, env)
    try:
        web = child_running(process.pid, "gunicorn")
        os.kill(web, signal.SIGKILL)
        code = process.wait(timeout=60)
    finally:
        _stop(process)
    assert code == 137, log.read_text()


def test_no_child_outlives_a_killed_serve_and_a_second_scheduler_refuses_to_start(tmp_path):
    env = _migrated_env(tmp_path)
    process, _, log = _serve(tmp_path, env)
    try:
        child_running(process.pid, "celery", "beat")
        child_running(process.pid, "celery", "worker")
        children = descendants(process.pid)
        assert len(children) >= 4, children  # gunicorn and its workers, the Celery worker, the scheduler

        # While it runs, a second scheduler on the same var/ folder refuses to start.
        second = subprocess.run([OMS, "beat"], env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode != 0
        assert "Another scheduler is already running" in second.stderr, second.stderr

        process.kill()
        process.wait(timeout=10)
    finally:
        _stop(process)
    assert not wait_gone(children), log.read_text()

    # Nothing left behind holds the lock: a scheduler starts again in the same folder.
    with (tmp_path / "beat.log").open("w") as out:
        beat = subprocess.Popen([OMS, "beat", "--loglevel", "info"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "beat: Starting" not in (tmp_path / "beat.log").read_text() and time.monotonic() < deadline:
            assert beat.poll() is None, (tmp_path / "beat.log").read_text()
            time.sleep(0.3)
        assert "beat: Starting" in (tmp_path / "beat.log").read_text()
    finally:
        beat.terminate()
        beat.wait(timeout=30)


def test_the_scheduler_and_pool_of_a_killed_worker_end_with_it(tmp_path):
    """``oms worker --beat`` forks its pool and the scheduler: a kill -9 of the worker leaves neither behind."""
    env = own_env(tmp_path)
    worker = subprocess.Popen(
        [OMS, "worker", "--beat", "--concurrency", "1", "--loglevel", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(descendants(worker.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        forked = descendants(worker.pid)
        assert len(forked) >= 2, forked  # the pool process and the scheduler
        worker.kill()
        worker.wait(timeout=10)
    finally:
        _stop(worker)
    assert not wait_gone(forked, seconds=20)


@pytest.mark.parametrize("command", ["up", "serve"])
def test_a_busy_port_is_refused_before_anything_else(tmp_path, command):
    env = own_env(tmp_path)
    with socket.socket() as other_server:
        other_server.bind(("127.0.0.1", 0))
        other_server.listen()
        port = other_server.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run(
            [OMS, command, "--port", str(port)], env=env, capture_output=True, text=True, timeout=60
        )
    assert result.returncode != 0
    assert f"Port {port} is in use: stop the other server or run PORT=" in result.stderr, result.stderr
    assert "listening" not in result.stdout
    assert not (tmp_path / "serve.sqlite3").exists()  # nothing migrated, nothing seeded
    assert time.monotonic() - started < 30
