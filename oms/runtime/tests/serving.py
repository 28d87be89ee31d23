"""Helpers for the tests that run ``oms`` commands as real processes: free ports, an environment of their own
(SQLite file and var/ folder under the test's tmp_path, the embedded broker), and the process tree under a pid.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

OMS = str(Path(sys.executable).parent / "oms")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def own_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "OMS_VAR_DIR": str(tmp_path),
        "OMS_ACCESS_LOG": str(tmp_path / "access.log"),
        "SECRET_KEY": "serve-test-secret",
        "DEBUG": "false",
        **extra,
    }
    for name in ("CELERY_BROKER_URL", "OMS_PUBLIC_BASE_URL", "PORT"):  # the embedded broker; our own address
        env.pop(name, None)
    return env


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"oms serve exited early:\n{log.read_text()}"
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"oms serve did not answer within {seconds} s:\n{log.read_text()}")


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to collect it counts as gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return fields[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if parent == pid and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def child_running(parent: int, *words: str, seconds: float = 60, not_pid: int | None = None) -> int:
    """The pid of ``parent``'s child whose command line has all ``words``, waiting until there is one."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for pid in children(parent):
            if pid != not_pid and all(word in command_line(pid) for word in words):
                return pid
        time.sleep(0.2)
    pytest.fail(f"no child {' '.join(words)} of {parent} within {seconds} s")


def wait_gone(pids: list[int], seconds: float = 45) -> list[int]:
    """Wait for every pid to end; the ones still running after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.2)
    return [pid for pid in pids if alive(pid)]
