"""Run a few processes as one service, as ``oms serve`` does with gunicorn, a Celery worker and the scheduler.

A program marked ``essential`` (the web server) is the service: when it ends, everything stops and the service
fails. The others are restarted after a crash, after a pause that doubles each time (1 s, 2 s, 4 s … up to 30 s),
at most ``max_restarts`` times within ``window`` seconds; one crash more and the service gives up and fails. A
failure is a non-zero exit status, the one of the process that caused it (128 + N for death by signal N), so a
process manager set to restart on failure (systemd ``Restart=on-failure``) brings the whole service back.
SIGTERM or SIGINT stop every program and end the service with status 0.

Children start in this process's process group, so a signal to the group (Ctrl-C in a terminal, systemd's stop)
reaches all of them, and each is told by the kernel to stop when this process ends, even by ``kill -9``.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from oms.runtime.processes import dying_with_this_process, exit_status

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass
class Program:
    name: str
    argv: list[str]
    essential: bool = False
    process: subprocess.Popen | None = None
    restart_at: float | None = None
    crashes: deque[float] = field(default_factory=deque)


def describe_end(returncode: int) -> str:
    status = exit_status(returncode)
    if returncode < 0:
        return f"was killed by signal {-returncode} (exit status {status})"
    return f"exited with status {status}"


class Supervisor:
    def __init__(
        self,
        programs: list[Program],
        *,
        say: Callable[[str], None],
        max_restarts: int = 5,
        window: float = 60.0,
        first_pause: float = 1.0,
        longest_pause: float = 30.0,
        stop_timeout: float = 25.0,
    ) -> None:
        self.programs, self.say = programs, say
        self.max_restarts, self.window = max_restarts, window
        self.first_pause, self.longest_pause, self.stop_timeout = first_pause, longest_pause, stop_timeout
        self.stop_requested = False

    def run(self) -> int:
        """Start every program and watch them; the service's exit status (0 after SIGTERM or SIGINT)."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._request_stop)
        try:
            for program in self.programs:
                self._start(program)
            status = None
            while status is None and not self.stop_requested:
                time.sleep(0.2)
                status = self._check()
        finally:
            self._stop_all()
        return status or 0

    def _request_stop(self, signum, frame) -> None:  # noqa: ARG002
        self.stop_requested = True

    def _start(self, program: Program) -> None:
        program.process = subprocess.Popen(program.argv, preexec_fn=dying_with_this_process())  # noqa: PLW1509
        program.restart_at = None

    def _check(self) -> int | None:
        """One look at every program: restart what is due; the service's exit status if it must end."""
        now = time.monotonic()
        for program in self.programs:
            if program.process is None:
                if program.restart_at is not None and now >= program.restart_at:
                    self._start(program)
                continue
            returncode = program.process.poll()
            if returncode is None or self.stop_requested:
                continue
            program.process = None
            status = exit_status(returncode) or 1  # a server that stops by itself has failed, even "cleanly"
            ended = describe_end(returncode)
            if program.essential:
                self.say(f"{program.name} {ended}: stopping everything.")
                return status
            while program.crashes and now - program.crashes[0] > self.window:
                program.crashes.popleft()
            if len(program.crashes) >= self.max_restarts:
                self.say(
                    f"{program.name} {ended}: {len(program.crashes) + 1} crashes within {self.window:g} s "
                    f"(restarts allowed: {self.max_restarts}); giving up."
                )
                return status
            program.crashes.append(now)
            pause = min(self.first_pause * 2 ** (len(program.crashes) - 1), self.longest_pause)
            program.restart_at = now + pause
            self.say(f"{program.name} {ended}; restarting it in {pause:g} s.")
        return None

    def _stop_all(self) -> None:
        running = [p.process for p in self.programs if p.process is not None and p.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
