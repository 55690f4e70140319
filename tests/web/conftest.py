"""Fixtures for the web tests: `world`, the people of a crawl and the forms they are shown
(tests/web/form_crawl.py). tests/web/test_record_matrix.py has a world of its own."""

from tests.web.form_crawl import world  # noqa: F401 (registers the fixture here)
