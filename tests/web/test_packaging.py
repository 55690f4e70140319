"""The package installs quietly and whole: every folder of code is declared, migrations included."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A wheel built from a copy of the project (the build leaves folders behind), and pip's
    output while building it."""
    source = tmp_path_factory.mktemp("source")
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    shutil.copytree(ROOT / "moderation", source / "moderation",
                    ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path_factory.mktemp("wheels")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(wheels),
         str(source)], capture_output=True, text=True, env={**os.environ, "PIP_NO_INPUT": "1"})
    if done.returncode and "Could not find a version" in done.stderr:
        pytest.skip("no package index for the build's own setuptools")
    assert done.returncode == 0, done.stderr
    (wheel,) = wheels.glob("*.whl")
    return done.stdout + done.stderr, zipfile.ZipFile(wheel).namelist()


def test_setuptools_has_nothing_to_warn_about(built):
    output, _ = built
    assert "would be ignored" not in output
    assert "is absent from the `packages` configuration" not in output


def test_the_migrations_are_installed_with_the_code(built):
    _, files = built
    assert "moderation/migrations/alembic.ini" in files
    assert "moderation/migrations/script.py.mako" in files
    migrations = [name for name in files if name.startswith("moderation/migrations/versions/")]
    shipped = {path.name for path in (ROOT / "moderation/migrations/versions").glob("*.py")}
    assert {Path(name).name for name in migrations} >= shipped
