#!/usr/bin/env bash
# Installs what oms needs into ./.venv. Usage: scripts/install.sh [--dev]
#   (no flag)  the app itself: Python packages only, no system packages (SQLite needs none)
#   --dev      also the test tools, the MySQL/MariaDB driver, Playwright and the Debian packages they need
#              (GNU gettext to refresh translations with scripts/messages.sh, Chinese fonts for screenshots)
#              (Debian's chromium for the browser tests: never "playwright install", it downloads a browser)
# Both: htmx and Chart.js from the npm registry (package.json, package-lock.json), copied into
# oms/web_vendor/static/vendor/ for the console and storefront pages, when npm is there.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

need_debs=()
if [ "$dev" = 1 ]; then
    for pkg in libmariadb-dev pkg-config gcc wrk postgresql-client chromium gettext fonts-wqy-microhei; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need_debs+=("$pkg")
    done
    command -v npm >/dev/null 2>&1 || need_debs+=(npm)
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
# Simplified Chinese: the catalogs in the repository, compiled (polib; no system gettext needed).
.venv/bin/python -m oms.common.catalogs

# Browser libraries: npm ci when node_modules is missing or older than the lock file, then copy the two files
# the pages load (served as static files; the pages never use a CDN).
vendor_dir=oms/web_vendor/static/vendor
install_web_vendor() {
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        echo "==> installing htmx and Chart.js (npm ci)"
        npm ci --no-audit --no-fund --loglevel=error >/dev/null || return 1
    fi
    mkdir -p "$vendor_dir"
    cp node_modules/htmx.org/dist/htmx.min.js node_modules/chart.js/dist/chart.umd.js "$vendor_dir/" || return 1
    echo "    htmx and Chart.js ready in $vendor_dir"
}
if ! command -v npm >/dev/null 2>&1; then
    [ -f "$vendor_dir/htmx.min.js" ] && [ -f "$vendor_dir/chart.umd.js" ] ||
        echo "npm not found: the web pages work, but without htmx and charts until npm is installed and this is rerun." >&2
elif ! install_web_vendor; then
    echo "Could not install htmx and Chart.js with npm: the web pages work, but without them." >&2
    [ "$dev" = 0 ] || exit 1
fi
