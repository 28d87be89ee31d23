#!/usr/bin/env bash
# Installs what oms needs into ./.venv. Usage: scripts/install.sh [--dev]
#   (no flag)  the app itself: Python packages only, no system packages (SQLite needs none)
#   --dev      also the test tools, the MySQL/MariaDB driver and the Debian packages they need
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

need_debs=()
if [ "$dev" = 1 ]; then
    for pkg in libmariadb-dev pkg-config gcc wrk postgresql-client; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need_debs+=("$pkg")
    done
fi
if [ "${#need_debs[@]}" -gt 0 ]; then
    echo "==> installing Debian packages: ${need_debs[*]}"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_debs[@]}" >/dev/null
    else
        echo "Missing Debian packages: ${need_debs[*]}. Install them with: sudo apt-get install ${need_debs[*]}" >&2
        exit 1
    fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $($python --version)"
    "$python" -m venv .venv
fi
extras=""
[ "$dev" = 1 ] && extras="[dev,mysql]"
echo "==> installing oms$extras into .venv"
.venv/bin/pip install -q --disable-pip-version-check -e ".$extras" 2>&1 | grep -v -E "^WARNING: Location .* is ignored" || true
.venv/bin/python -c "import oms, django; print('    oms ready, Django', django.get_version())"
