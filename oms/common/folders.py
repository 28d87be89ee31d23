"""The folders under var/ that the settings name: made where they are needed, never when settings are imported.

``ensure_var_dirs()`` is called by the ``oms`` command (before any management command, so ``oms migrate`` finds the
SQLite file's folder), by the WSGI application, by the Celery app when it is configured (the embedded broker's
folders, in workers, the scheduler and any process that queues a task) and by the test suite.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def var_dirs() -> list[Path]:
    """var/ itself, the folder of each SQLite database, and the embedded broker's folders."""
    folders = [Path(settings.VAR_DIR)]
    for database in settings.DATABASES.values():
        if database["ENGINE"] == "django.db.backends.sqlite3" and str(database["NAME"]) != ":memory:":
            folders.append(Path(database["NAME"]).parent)
            test_name = database.get("TEST", {}).get("NAME")
            if test_name:
                folders.append(Path(test_name).parent)
    if settings.CELERY_EMBEDDED_BROKER:
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        folders += [
            Path(str(options[key])) for key in ("data_folder_in", "data_folder_out", "control_folder") if key in options
        ]
    return list(dict.fromkeys(folders))


def ensure_var_dirs() -> None:
    for folder in var_dirs():
        folder.mkdir(parents=True, exist_ok=True)
