#!/usr/bin/env bash
# One command to a running system: install, migrate, load demo data, serve on http://127.0.0.1:${PORT:-8000}/.
# Uses the embedded SQLite database under var/ unless DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/oms up --port "${PORT:-8000}" "$@"
