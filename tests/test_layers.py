"""Imports point downward only: webui → processes → tasks → engine, lazy imports inside functions
included; and the environment is read in one place."""
import ast

import pytest

from tests.conftest import ROOT

LAYERS = ("engine", "tasks", "processes", "webui")


def imported_packages(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("layer", LAYERS)
def test_no_import_points_upward(layer):
    higher = set(LAYERS[LAYERS.index(layer) + 1:])
    upward = [f"{path.relative_to(ROOT)} importiert {package}" for path in sorted((ROOT / layer).rglob("*.py"))
              for package in imported_packages(path) if package in higher]
    assert upward == []


def test_only_the_settings_read_the_environment():
    readers = sorted(str(path.relative_to(ROOT)) for layer in LAYERS for path in (ROOT / layer).rglob("*.py")
                     if "os.environ" in path.read_text(encoding="utf-8") or "getenv" in path.read_text(encoding="utf-8"))
    assert readers == ["processes/settings.py"]
