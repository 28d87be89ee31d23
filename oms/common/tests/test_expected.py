"""A test whose requirement is missing is skipped, but fails when the run expects everything (OMS_TEST_EXPECT_ALL=1,
as scripts/test.sh sets): a missing install step is a red test, not a quiet skip. Each case is a pytest run of
its own, so that the sandbox can be switched off and the broker left out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_TEST = "oms/payments/tests/test_payment_api.py::test_asking_twice_reuses_the_one_alipay_payment"
WORKER_TEST = "oms/payments/tests/test_celery_worker.py"


def _pytest(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("OMS_", "ALIPAY_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", *args],
        cwd=ROOT,
        env={**clean, "OMS_VAR_DIR": str(tmp_path), "SECRET_KEY": "t", "DEBUG": "false", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_the_sandbox_a_sandbox_test_is_skipped_or_fails_when_expected(tmp_path):
    skipped = _pytest(tmp_path, SANDBOX_TEST, ALIPAY_SANDBOX="false")
    assert skipped.returncode == 0, skipped.stdout
    assert "1 skipped" in skipped.stdout and "the Alipay sandbox is off" in skipped.stdout

    failed = _pytest(tmp_path, SANDBOX_TEST, ALIPAY_SANDBOX="false", OMS_TEST_EXPECT_ALL="1")
    assert failed.returncode == 1, failed.stdout
    assert "1 error" in failed.stdout
    assert "the Alipay sandbox is off" in failed.stdout and "this run expects it" in failed.stdout


def test_the_sandbox_own_tests_are_an_error_when_expected_and_off(tmp_path):
    failed = _pytest(tmp_path, "oms/sandbox/tests", ALIPAY_SANDBOX="false", OMS_TEST_EXPECT_ALL="1")
    assert failed.returncode != 0
    assert "the Alipay sandbox is off" in failed.stdout + failed.stderr


def test_the_worker_test_without_a_broker_fails_when_expected_and_is_left_out_on_purpose(tmp_path):
    failed = _pytest(tmp_path, WORKER_TEST, OMS_TEST_EXPECT_ALL="1", OMS_TEST_BROKER_URL="")
    assert failed.returncode == 1, failed.stdout
    assert "OMS_TEST_BROKER_URL is not set" in failed.stdout and "1 error" in failed.stdout

    # scripts/test.sh's SQLite pass, which has no broker: deselected by its marker, not skipped.
    left_out = _pytest(tmp_path, WORKER_TEST, "-m", "not worker", OMS_TEST_EXPECT_ALL="1", OMS_TEST_BROKER_URL="")
    assert "1 deselected" in left_out.stdout and "skipped" not in left_out.stdout
