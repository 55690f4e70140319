"""The tests' own layout (issue #26): what test modules share lives in tests/helpers.py or a
conftest.py, never in another test module; no module defines a root fixture again; and the
client_request seam holds every page to the "Error: " rule."""

import ast
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.helpers import assert_error_prefix

TESTS = Path(__file__).parent
# Root fixtures made to be overridden by a module (tests/conftest.py says so).
OVERRIDABLE = {"app_config"}


def _modules():
    return sorted(TESTS.rglob("*.py"))


def _is_test_module(name):
    return name.rsplit(".", 1)[-1].startswith("test_")


def _imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _fixtures(tree):
    """Names of the module's top-level functions decorated as pytest fixtures."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
                "fixture" in ast.unparse(decorator) for decorator in node.decorator_list):
            yield node.name


def test_no_test_module_imports_from_another_test_module():
    found = [f"{path.relative_to(TESTS)} imports {name}"
             for path in _modules()
             for name in _imported_modules(ast.parse(path.read_text()))
             if name.startswith("tests.") and _is_test_module(name)]
    assert found == []


def test_no_test_module_defines_a_root_fixture_again():
    """A module redefining a root fixture (as six modules each had their own `on_a_monday`)
    hides which one runs: the module asks for the root one (`pytest.mark.usefixtures`)."""
    root = set(_fixtures(ast.parse((TESTS / "conftest.py").read_text()))) - OVERRIDABLE
    assert "on_a_monday" in root
    found = [f"{path.relative_to(TESTS)} defines {name}"
             for path in _modules() if path.name.startswith("test_")
             for name in _fixtures(ast.parse(path.read_text())) if name in root]
    assert found == []


def test_the_seam_holds_every_page_to_the_error_prefix_rule():
    """client_request checks each page it parses: "Error: " starts the title exactly when the
    page shows an error summary (the base template's `page_has_errors`)."""
    summary = '<div class="govuk-error-summary"></div>'
    for title, body in (("Error: Raise", summary), ("Raise", "")):
        assert_error_prefix(BeautifulSoup(f"<title>{title}</title>{body}", "html.parser"))
    for title, body in (("Raise", summary), ("Error: Raise", "")):
        with pytest.raises(AssertionError):
            assert_error_prefix(BeautifulSoup(f"<title>{title}</title>{body}", "html.parser"))
