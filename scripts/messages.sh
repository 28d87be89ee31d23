#!/usr/bin/env bash
# Refreshes every app's Simplified Chinese catalog (oms/<app>/locale/zh_Hans/LC_MESSAGES/django.po) from the strings
# marked for translation in its Python code and templates, then compiles them. Needs GNU gettext (xgettext), which
# scripts/install.sh --dev installs. Usage: scripts/messages.sh [app ...]   (default: every app)
# After running it, fill in each new empty msgstr (and check and unflag any "#, fuzzy" entry):
# oms/common/tests/test_translations.py fails while any is left.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${OMS_PYTHON:-$PWD/.venv/bin/python}
apps=("$@")
if [ "${#apps[@]}" = 0 ]; then
    for dir in oms/*/; do
        app=$(basename "$dir")
        [ -f "$dir/apps.py" ] && apps+=("$app")
    done
fi
for app in "${apps[@]}"; do
    mkdir -p "oms/$app/locale"
    (cd "oms/$app" && "$python" ../../manage.py makemessages -l zh_Hans --no-location --no-obsolete \
        --ignore 'tests/*' --ignore 'migrations/*' --ignore 'static/*' -v 0)
    po="oms/$app/locale/zh_Hans/LC_MESSAGES/django.po"
    # An app with nothing to translate gets no catalog.
    if [ -f "$po" ] && ! grep -q '^msgid "[^"]' "$po"; then rm -rf "oms/$app/locale"; fi
done
"$python" - <<'PY'
from oms.common.catalogs import catalog_files, untranslated

for po in catalog_files():
    missing = untranslated(po)
    print(f"    {po.parts[-5]}: {len(missing)} to translate" + (f" (first: {missing[0]!r})" if missing else ""))
PY
"$python" -m oms.common.catalogs
