"""Where this system's server answers, for the commands that call it over HTTP (``oms carrier_sim``).

``oms serve`` records its address in ``var/server.json`` (``{"base_url", "pid"}``) while it runs, so a command
started from any shell in the same folder reaches the server on whatever port it listens. The address used is,
in order: OMS_PUBLIC_BASE_URL when set; the recorded address while that server runs; http://127.0.0.1:PORT
(PORT, default 8000).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings


def server_file() -> Path:
    return settings.VAR_DIR / "server.json"


def record_server(*, base_url: str) -> None:
    """Note that this process serves ``base_url`` (written whole, so a reader never sees half a file)."""
    path = server_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps({"base_url": base_url.rstrip("/"), "pid": os.getpid()}))
    os.replace(partial, path)


def forget_server() -> None:
    """Remove this process's record (a record of another server is left alone)."""
    recorded = _read()
    if recorded is not None and recorded.get("pid") == os.getpid():
        server_file().unlink(missing_ok=True)


def _read() -> dict[str, Any] | None:
    try:
        recorded = json.loads(server_file().read_text())
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) else None


def _running(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


def server_base_url() -> str:
    """The base URL (no trailing slash) at which this system's server answers now."""
    if settings.OMS_PUBLIC_BASE_URL:
        return settings.OMS_PUBLIC_BASE_URL
    recorded = _read()
    base_url = recorded.get("base_url") if recorded else None
    if recorded and isinstance(base_url, str) and _running(recorded.get("pid")):
        return base_url
    return f"http://127.0.0.1:{settings.OMS_PORT}"
