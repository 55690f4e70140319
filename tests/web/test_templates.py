"""Templates ask the permission vocabulary (`can`) what a person may do: none tests a role."""

import pathlib
import re

TEMPLATES = pathlib.Path(__file__).resolve().parents[2] / "templates"


def test_no_template_tests_a_role_itself():
    role_test = re.compile(r"has_role|\bRole\.")
    found = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
             if role_test.search(path.read_text())]
    assert found == []
