"""Small process helpers for the long-running commands: children that die with their parent, exit statuses as a
shell reports them, and a port checked before a server starts on it.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import socket
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _libc() -> ctypes.CDLL | None:
    return ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(*, parent: int | None = None, sig: int = signal.SIGTERM) -> None:
    """Have the kernel send ``sig`` to this process when its parent ends, however it ends (kill -9 included).

    Linux only (prctl PR_SET_PDEATHSIG); elsewhere nothing. ``parent``: the pid the parent had, to catch a parent
    that ended before the request was in place.
    """
    libc = _libc()
    if libc is None:
        return
    libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), sig)


def dying_with_this_process(sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A ``preexec_fn`` for subprocess: the child gets ``sig`` when the process starting it ends."""
    parent, libc = os.getpid(), _libc()

    def preexec() -> None:
        if libc is not None:
            libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
            if os.getppid() != parent:
                os.kill(os.getpid(), sig)

    return preexec


def exit_status(returncode: int) -> int:
    """A process's end as a shell reports it: its exit code, or 128 + N for death by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def port_in_use(host: str, port: int) -> bool:
    """Whether another process listens on host:port (tried as a server would bind: with SO_REUSEADDR)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def next_free_port(host: str, port: int, *, tries: int = 20) -> int | None:
    return next((p for p in range(port + 1, min(port + 1 + tries, 65536)) if not port_in_use(host, p)), None)
