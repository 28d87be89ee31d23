"""The daily reconciliation runs at a fixed shop time (OMS_DAILY_RECONCILIATION_AT, default 03:30), not every
24 hours from whenever the scheduler started."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from celery.schedules import crontab

ROOT = Path(__file__).resolve().parents[3]


def _entry():
    from oms.celery import app

    return app.conf.beat_schedule["daily-reconciliation"]


def test_the_daily_reconciliation_is_a_crontab_at_half_past_three_shop_time():
    from oms.celery import app
    from oms.payments import tasks

    entry = _entry()
    assert entry["task"] == tasks.daily_reconciliation.name
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert (schedule.hour, schedule.minute) == ({3}, {30})
    assert schedule.day_of_week == set(range(7)) and schedule.day_of_month == set(range(1, 32))
    assert str(app.timezone) == "Asia/Shanghai"
    # Beat started in the afternoon: the next run is at 03:30 the next morning, not 24 hours later.
    started = datetime(2025, 3, 10, 15, 7, tzinfo=ZoneInfo("Asia/Shanghai"))
    at_start = crontab(hour=schedule.hour, minute=schedule.minute, nowfun=lambda: started, app=app)
    next_run = started + at_start.remaining_estimate(started)
    assert next_run == datetime(2025, 3, 11, 3, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_time_is_configurable(tmp_path):
    code = (
        "import django; django.setup(); from oms.celery import app; "
        "s = app.conf.beat_schedule['daily-reconciliation']['schedule']; print(type(s).__name__, s.hour, s.minute)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("OMS_")}
    env.update({"OMS_VAR_DIR": str(tmp_path), "OMS_DAILY_RECONCILIATION_AT": "22:05", "PYTHONPATH": str(ROOT)})
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["crontab", "{22}", "{5}"]
