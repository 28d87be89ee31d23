"""Settings come from the environment through environs: a bad value stops ``oms`` with one line naming the variable
and the value (no traceback), and importing the settings creates no folder; the commands that need var/ make it.

Each case runs in a fresh process, as settings are read once at start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
OWN = ("OMS_", "ALIPAY_", "SECURE_", "CELERY_", "DATABASE_URL", "DEBUG", "PORT", "TIME_ZONE", "LOG_LEVEL")


def _run(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(OWN)}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**clean, "DJANGO_SETTINGS_MODULE": "oms.settings", "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG: not true or false: 'maybe'"),
        ("OMS_CARRIER_SIM", "sometimes", "OMS_CARRIER_SIM: not true or false: 'sometimes'"),
        ("OMS_RETURN_WINDOW_DAYS", "seven", "OMS_RETURN_WINDOW_DAYS: not an integer: 'seven'"),
        ("PORT", "80.5", "PORT: not an integer: '80.5'"),
        ("OMS_SHIPPING_FEE", "abc", "OMS_SHIPPING_FEE: not a decimal: 'abc'"),
        ("OMS_FREE_SHIPPING_THRESHOLD", "NaN", "OMS_FREE_SHIPPING_THRESHOLD: not a decimal: 'NaN'"),
        ("OMS_REPLENISH_SERVICE_LEVEL", "high", "OMS_REPLENISH_SERVICE_LEVEL: not a number: 'high'"),
        ("OMS_DB_PREPARE_THRESHOLD", "never", "OMS_DB_PREPARE_THRESHOLD: not an integer: 'never'"),  # PostgreSQL's
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE: not a time zone: 'Mars/Olympus'"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: not a log level: 'LOUD'"),
        ("OMS_DAILY_RECONCILIATION_AT", "3h30", "OMS_DAILY_RECONCILIATION_AT: not a time of day HH:MM: '3h30'"),
        ("OMS_DAILY_RECONCILIATION_AT", "03:30:15", "OMS_DAILY_RECONCILIATION_AT: not a time of day HH:MM: '03:30:15'"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(tmp_path, name, value, message):
    env = {"OMS_VAR_DIR": str(tmp_path / "var"), name: value}
    if name == "OMS_DB_PREPARE_THRESHOLD":
        env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:9/unused"  # read on PostgreSQL only; never connected to
    result = _run(["-m", "oms.cli", "check"], env)
    assert result.returncode != 0
    assert result.stderr.strip() == f"oms: {message}"  # one line: no traceback
    assert not (tmp_path / "var").exists()


def test_empty_and_unset_keep_their_meaning(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.OMS_SHIPPING_FEE, s.OMS_FREE_SHIPPING_THRESHOLD, s.OMS_PORT, s.DEBUG, s.SECURE_HSTS_SECONDS)"
    )
    var = {"OMS_VAR_DIR": str(tmp_path)}
    assert _run(["-c", code], var).stdout.split() == ["10.00", "99.00", "8000", "False", "0"]
    # An empty fee threshold means "never waived"; an empty PORT or DEBUG means the default, as before.
    empty = {**var, "OMS_FREE_SHIPPING_THRESHOLD": "", "PORT": "", "DEBUG": ""}
    assert _run(["-c", code], empty).stdout.split() == ["10.00", "None", "8000", "False", "0"]
    given = {**var, "OMS_SHIPPING_FEE": "12.5", "PORT": "8100", "DEBUG": "yes", "SECURE_HSTS_SECONDS": "60"}
    assert _run(["-c", code], given).stdout.split() == ["12.5", "99.00", "8100", "True", "60"]


def test_importing_the_settings_creates_no_folder(tmp_path):
    """Neither var/ (the SQLite file's folder) nor the embedded broker's queue folder, nor anything in the cwd."""
    var = tmp_path / "var"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    code = "import django; django.setup(); from django.conf import settings; print(settings.CELERY_EMBEDDED_BROKER)"
    result = _run(["-c", code], {"OMS_VAR_DIR": str(var)}, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert not var.exists()
    assert list(cwd.iterdir()) == []


def test_a_command_makes_the_folders_it_needs(tmp_path):
    """``oms`` makes var/ before running a command, so the SQLite file can be opened in a fresh checkout."""
    var = tmp_path / "fresh" / "var"
    result = _run(["-m", "oms.cli", "showmigrations", "payments"], {"OMS_VAR_DIR": str(var)})
    assert result.returncode == 0, result.stderr
    assert (var / "oms.sqlite3").exists()
    assert (var / "celery-queue").is_dir()


def test_the_embedded_broker_keeps_its_tables_under_var(tmp_path):
    """Queuing a task writes kombu's exchange table into var/celery-control, not into a control/ folder in the
    directory the process runs in (a worker's own tables: oms.common.tests.test_serve)."""
    var = tmp_path / "var"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    code = (
        "import django; django.setup(); from oms.celery import app; from oms.payments.tasks import expire_unpaid_orders; "
        "print(app.conf.broker_transport_options['control_folder']); "
        "expire_unpaid_orders.delay()"
    )
    result = _run(["-c", code], {"OMS_VAR_DIR": str(var)}, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(var / "celery-control")
    assert [path.name for path in (var / "celery-control").iterdir()] == ["celery.exchange"]
    assert len(list((var / "celery-queue").iterdir())) == 1  # the queued task
    assert list(cwd.iterdir()) == []
