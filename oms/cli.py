"""The ``oms`` console command: Django's management commands under one name (``oms serve``, ``oms demo`` …)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the environment (oms.settings)
    except ImproperlyConfigured as exc:
        sys.exit(f"oms: {exc}")  # one line naming the variable, not a traceback
    from oms.common.folders import ensure_var_dirs

    ensure_var_dirs()
    execute_from_command_line(["oms", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
