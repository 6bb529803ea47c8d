"""The pure core must never depend on Django: scan every module under maturity/core."""

import ast
import subprocess
import sys
from pathlib import Path

import maturity.core

CORE = Path(maturity.core.__file__).parent


def _django_imports(path: Path, root: Path = CORE) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [
            f"{path.relative_to(root)}:{node.lineno}" for n in names if n.split(".")[0] == "django"
        ]
    return found


def test_core_has_python_files_to_scan():
    assert (CORE / "scoring" / "wgll.py").exists()


def test_no_module_in_core_imports_django():
    offenders = [hit for path in sorted(CORE.rglob("*.py")) for hit in _django_imports(path)]
    assert offenders == []


def test_no_django_import_text_in_core():
    # Catches imports the AST scan cannot see, such as importlib.import_module("django").
    offenders = [
        f"{path.relative_to(CORE)}:{number}"
        for path in sorted(CORE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.strip().startswith(("import django", "from django"))
        or 'import_module("django' in line
        or "import_module('django" in line
    ]
    assert offenders == []


def test_the_scanner_finds_nested_and_aliased_django_imports(tmp_path):
    fake = tmp_path / "fake.py"
    fake.write_text(
        "import os, django as dj\nif True:\n    from django.db import models\n"
        "from .django import x\nimport djangoish\n",
        encoding="utf-8",
    )
    assert _django_imports(fake, root=tmp_path) == ["fake.py:1", "fake.py:3"]


def test_importing_scoring_does_not_load_django():
    code = "import sys, maturity.core.scoring; print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == "False"
