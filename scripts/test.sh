#!/usr/bin/env bash
# The whole test suite, on SQLite, PostgreSQL and MariaDB. Usage: scripts/test.sh [extra pytest args]
# Needs the PostgreSQL and MariaDB servers of the development machine (see README, "Tests").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --dev

PG_URL=${OMS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
MYSQL_URL=${OMS_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}
export SECRET_KEY=test-only-secret DEBUG=false
# Everything a test needs is installed here (the Alipay sandbox, chromium, a broker where one is given): a test
# that would be skipped for lack of it fails instead (oms/common/tests/expected.py).
export OMS_TEST_EXPECT_ALL=1

echo "==> lint and migrations"
.venv/bin/ruff check oms bench
.venv/bin/ruff format --check oms bench
# mypy keeps a stale result for a module whose own options did not change: start afresh when the config does.
mypy_stamp=var/mypy-cache/pyproject.sha1
if [ "$(sha1sum pyproject.toml)" != "$(cat "$mypy_stamp" 2>/dev/null)" ]; then
    rm -rf var/mypy-cache && mkdir -p var/mypy-cache && sha1sum pyproject.toml >"$mypy_stamp"
fi
.venv/bin/mypy
.venv/bin/lint-imports --no-cache  # the layers and import contracts in pyproject.toml
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
    echo "Models changed without a migration: run '.venv/bin/python manage.py makemigrations'." >&2; exit 1; }

wait_for() {  # name, python snippet that connects
    for _ in $(seq 1 30); do
        .venv/bin/python -c "$2" 2>/dev/null && return 0
        sleep 1
    done
    echo "$1 is not reachable; start it (see README, 'Tests') and run again." >&2
    return 1
}
wait_for PostgreSQL "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=postgres').close()"
wait_for MariaDB "import MySQLdb; MySQLdb.connect(host='127.0.0.1', port=3306, user='root', passwd='').close()"

status=0
run_suite() {  # vendor, url, broker for the real-worker test, pytest args...
    local vendor=$1 url=$2 broker=$3; shift 3
    echo "==> tests on $vendor${broker:+ (Celery worker test on $broker)}"
    OMS_EXPECT_DB_VENDOR=$vendor DATABASE_URL=$url OMS_VAR_DIR="$PWD/var/test-$vendor" OMS_TEST_BROKER_URL=$broker \
        .venv/bin/pytest -p no:cacheprovider "$@" || status=1
}
# The browser tests (Playwright + Debian's chromium, -m browser) run once, in the SQLite pass; the Celery job
# test runs a real worker on RabbitMQ with PostgreSQL and on Redis with MariaDB, and is left out of the SQLite
# pass on purpose (no broker given there).
run_suite sqlite "" "" -m "not worker" "$@"
run_suite postgresql "$PG_URL" "${OMS_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672//}" -m "not browser" "$@"
run_suite mysql "$MYSQL_URL" "${OMS_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}" -m "not browser" "$@"
[ "$status" = 0 ] && echo "==> all suites passed on SQLite, PostgreSQL and MariaDB" || echo "==> some suite failed" >&2
exit "$status"
