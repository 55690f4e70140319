"""docs/architecture.md names only things that exist, so it cannot drift from the code unseen.

Every `code span` in it that is a project path (moderation/..., templates/..., tests/...,
reports/..., bench/..., static/..., docs/..., .ci/...) must exist; a path followed by `::name` or
`:name` must define that name (a test, a function, a class or a constant). Every span that is a
Python name (`moderation.web.boundary:commit_job`, `moderation.models.Dispute`,
`tests.helpers:counting_queries`) must import and resolve. Fenced blocks are
pictures of the layout, not references, and a span holding a placeholder (`tests/<package>/`) is
a pattern. No app and no database: the modules are imported, nothing is run.
"""

import ast
import importlib
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
PATH_ROOTS = ("moderation", "templates", "tests", "reports", "bench", "static", "docs", ".ci")

FENCED_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
STARTS_AS_PATH = re.compile("^(?:" + "|".join(re.escape(root) for root in PATH_ROOTS) + ")/")
PATH = re.compile(r"^(?P<path>[\w.-]+(?:/[\w.-]+)*/?)(?:::?(?P<name>\w+(?:\.\w+)*))?$")
# A Python name, perhaps written as a call: `moderation.web.boundary.Refusal(message, field)`.
PYTHON_NAME = re.compile(
    r"^(?P<name>(?:moderation|bench|tests)(?:\.\w+)*(?::\w+(?:\.\w+)*)?)(?:\(.*\))?$")
RULE_ROW = re.compile(r"^\| (\d+) \|", re.MULTILINE)
RULES = range(1, 20)  # the design's business rules 1 to 19


@cache
def spans():
    text = FENCED_BLOCK.sub("", DOC.read_text(encoding="utf-8"))
    return [span.strip() for span in CODE_SPAN.findall(text)]


def paths():
    return [span for span in spans() if STARTS_AS_PATH.match(span) and "<" not in span]


def python_names():
    return [found["name"] for span in spans() if (found := PYTHON_NAME.match(span))]


def defined_in(path):
    """Every name a Python file defines, at any depth: functions, classes, assigned names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def path_problem(span):
    found = PATH.match(span)
    if found is None:
        return "is not a path this test can read"
    target = ROOT / found["path"]
    if not target.exists():
        return "does not exist"
    if found["path"].endswith("/") and not target.is_dir():
        return "is not a folder"
    name = found["name"]
    if name is None:
        return None
    if target.suffix != ".py":
        return "names something inside a file that is not Python"
    if name.split(".")[-1] not in defined_in(target):
        return f"does not define {name}"
    return None


def resolve(name):
    """The object `name` names: `module:attribute.attribute`, or dotted all the way (the
    longest prefix that is a module, then attributes)."""
    module_name, colon, attributes = name.partition(":")
    if colon:
        obj = importlib.import_module(module_name)
        parts = attributes.split(".")
    else:
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError as error:
                if error.name is None or not ".".join(parts[:cut]).startswith(error.name):
                    raise  # a module that exists failed to import: say so
                continue
            parts = parts[cut:]
            break
        else:
            raise ModuleNotFoundError(name)
    for part in parts:
        obj = getattr(obj, part)
    return obj


def name_problem(name):
    try:
        resolve(name)
    except (ImportError, AttributeError) as error:
        return f"does not resolve ({type(error).__name__}: {error})"
    return None


def test_the_page_names_enough_to_be_worth_checking():
    # If the reading of code spans broke, every other test here would pass on nothing.
    assert len(paths()) > 100
    assert len(python_names()) > 100


def test_every_path_the_page_names_exists():
    problems = {span: problem for span in paths() if (problem := path_problem(span))}
    assert problems == {}


def test_every_python_name_the_page_names_resolves():
    problems = {name: problem for name in python_names() if (problem := name_problem(name))}
    assert problems == {}


def test_the_rules_table_has_a_row_for_each_business_rule():
    rows = [int(number) for number in RULE_ROW.findall(DOC.read_text(encoding="utf-8"))]
    assert rows == list(RULES)


def test_every_package_of_the_application_is_described():
    named = set(spans())
    packages = sorted(f"moderation/{folder.name}/" for folder in (ROOT / "moderation").iterdir()
                      if folder.is_dir() and any(folder.glob("*.py")))
    assert [package for package in packages if package not in named] == []


def test_the_readme_points_to_the_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme
    assert "../shared/DESIGN.md" not in readme


@pytest.mark.parametrize(("span", "problem"), [
    ("moderation/web/boundary.py", None),
    ("moderation/web/", None),
    ("tests/web/test_boundary.py::test_a_job_is_one_transaction", None),
    ("moderation/web/nowhere.py", "does not exist"),
    ("moderation/web/boundary.py/", "is not a folder"),
    ("tests/web/test_boundary.py::test_nobody_wrote", "does not define test_nobody_wrote"),
    ("templates/base.html:content", "names something inside a file that is not Python"),
])
def test_a_path_that_has_drifted_is_caught(span, problem):
    assert path_problem(span) == problem


@pytest.mark.parametrize(("name", "resolves"), [
    ("moderation.web.boundary:commit_job", True),
    ("moderation.models.Dispute", True),
    ("moderation.web.permissions:Rule.allows", True),
    ("moderation.web.boundary:commit_jobs", False),
    ("moderation.models.Disputes", False),
    ("moderation.nowhere:anything", False),
])
def test_a_name_that_has_drifted_is_caught(name, resolves):
    assert (name_problem(name) is None) == resolves
