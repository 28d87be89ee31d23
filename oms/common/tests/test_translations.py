"""Every string marked for translation, in Python code and templates, has a Simplified Chinese translation that is
not fuzzy: the catalogs are refreshed from a copy of the code (as scripts/messages.sh does) and read with polib."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from oms.common.catalogs import OMS_ROOT, catalog_files, untranslated
from oms.common.tests.expected import unavailable

REPO_ROOT = OMS_ROOT.parent


@pytest.fixture(scope="module")
def refreshed_copy(tmp_path_factory) -> Path:
    if shutil.which("xgettext") is None:
        unavailable("no xgettext: GNU gettext is installed by scripts/install.sh --dev")
    copy = tmp_path_factory.mktemp("catalogs")
    shutil.copy(REPO_ROOT / "manage.py", copy / "manage.py")
    shutil.copytree(
        OMS_ROOT,
        copy / "oms",
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "node_modules"),
    )
    (copy / "scripts").mkdir()
    shutil.copy(REPO_ROOT / "scripts" / "messages.sh", copy / "scripts" / "messages.sh")
    result = subprocess.run(
        ["bash", "scripts/messages.sh"],
        cwd=copy,
        env={**os.environ, "OMS_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return copy / "oms"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the same on every database: checked in the SQLite pass")
def test_every_marked_string_has_a_chinese_translation(refreshed_copy):
    missing = {po.parts[-5]: untranslated(po) for po in catalog_files(refreshed_copy)}
    missing = {app: msgids for app, msgids in missing.items() if msgids}
    assert not missing, "Untranslated (run scripts/messages.sh, then translate in the app's django.po):\n" + "\n".join(
        f"  {app}: {len(msgids)}: " + "; ".join(repr(m[:50]) for m in msgids[:10]) for app, msgids in missing.items()
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the same on every database: checked in the SQLite pass")
def test_the_repository_catalogs_are_up_to_date(refreshed_copy):
    """A catalog in the repository that lacks strings the code has means scripts/messages.sh was not run."""
    for po in catalog_files(refreshed_copy):
        app = po.parts[-5]
        assert (OMS_ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").exists(), (
            f"{app} has strings to translate but no catalog: run scripts/messages.sh {app}"
        )
