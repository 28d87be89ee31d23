"""Translation catalogs: every app keeps its own ``locale/zh_Hans/LC_MESSAGES/django.po`` in the repository (English is
the source language); the install step compiles them to ``.mo`` with polib, so no system gettext is needed to run.

``python -m oms.common.catalogs`` compiles every catalog whose ``.mo`` is missing or older than its ``.po``.
``scripts/messages.sh`` (needs GNU gettext) refreshes the ``.po`` files from the code and templates.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import polib

OMS_ROOT = Path(__file__).resolve().parent.parent
LANGUAGE_DIR = "zh_Hans"


def catalog_files(root: Path = OMS_ROOT) -> Iterator[Path]:
    yield from sorted(root.glob(f"*/locale/{LANGUAGE_DIR}/LC_MESSAGES/django.po"))


def untranslated(po_path: Path) -> list[str]:
    """The msgids with no usable translation: empty, fuzzy, or (for plurals) any form missing."""
    catalog = polib.pofile(str(po_path))
    missing = []
    for entry in catalog:
        if entry.obsolete or not entry.msgid:
            continue
        if "fuzzy" in entry.flags:
            missing.append(entry.msgid)
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
        elif not entry.msgstr:
            missing.append(entry.msgid)
    return missing


def compile_catalogs(root: Path = OMS_ROOT, *, force: bool = False) -> list[Path]:
    compiled = []
    for po_path in catalog_files(root):
        mo_path = po_path.with_suffix(".mo")
        if force or not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled.append(mo_path)
    return compiled


if __name__ == "__main__":
    done = compile_catalogs(force="--force" in sys.argv)
    total = len(list(catalog_files()))
    print(f"    translations ready: {total} catalogs ({len(done)} compiled now)")
