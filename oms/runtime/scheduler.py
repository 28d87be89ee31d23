"""One periodic scheduler per system: Celery beat's scheduler, holding a lock file for as long as it runs.

Two schedulers would queue every periodic job twice. Whichever way beat is started (``oms serve``, ``oms beat``,
``oms worker --beat``, ``celery beat``), its scheduler (CELERY_BEAT_SCHEDULER) first takes an exclusive lock
(flock) on ``<schedule file>.lock`` under var/, before it opens its schedule file, and keeps it until the process
ends; the kernel releases it however the process ends, so a crashed scheduler never blocks the next one. A
second scheduler on the same var/ folder (the embedded broker's folder) exits with an error naming the first.
With a real broker the lock guards one machine's var/ folder only: run exactly one ``oms beat`` per system.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings
from django.utils.translation import gettext as _

_held: dict[str, int] = {}  # lock path -> descriptor, kept open for the life of the process


class SchedulerRunning(Exception):
    def __init__(self, *, lock: Path, pid: str) -> None:
        self.lock, self.pid = lock, pid
        super().__init__(
            _(
                "Another scheduler is already running on %(folder)s (pid %(pid)s, lock %(lock)s): run exactly one "
                "per system. Stop it first, or leave the periodic jobs to it."
            )
            % {"folder": lock.parent, "pid": pid or "?", "lock": lock}
        )


def lock_path(schedule_filename: str | None = None) -> Path:
    return Path(f"{schedule_filename or settings.CELERY_BEAT_SCHEDULE_FILENAME}.lock")


def _try_lock(path: Path) -> int:
    """An open descriptor holding the exclusive lock on ``path``; SchedulerRunning if another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        raise SchedulerRunning(lock=path, pid=holder) from None
    return fd


def hold_scheduler_lock(path: Path) -> None:
    """Take the lock for the rest of this process's life (its pid written in the file, for the message above)."""
    if str(path) in _held:
        return
    fd = _try_lock(path)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _held[str(path)] = fd


def check_no_scheduler_running(path: Path | None = None) -> None:
    """Raise SchedulerRunning if a scheduler holds the lock now (the lock is not kept)."""
    os.close(_try_lock(path or lock_path()))


class SingleScheduler(PersistentScheduler):
    """Celery's file-backed scheduler that refuses to run beside another one on the same schedule file."""

    def setup_schedule(self) -> None:
        try:
            # schedule_filename is set by PersistentScheduler.__init__ (missing from celery-types)
            hold_scheduler_lock(lock_path(self.schedule_filename))  # type: ignore[attr-defined]
        except SchedulerRunning as exc:
            raise SystemExit(str(exc)) from None  # a clear line and a non-zero status, not a traceback
        super().setup_schedule()
