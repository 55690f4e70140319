"""GOV.UK Frontend's stylesheet as the app serves it: compiled at set-up time (`make assets`) from
its Sass with a system font stack, because GDS Transport is licensed for GOV.UK services only."""

import re

import pytest

from moderation import create_app
from moderation.config import TestConfig

SYSTEM_STACK = 'system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif'


@pytest.fixture(scope="module")
def css():
    # Static files need no database: one app on an in-memory SQLite serves them.
    client = create_app(TestConfig).test_client()
    response = client.get("/static/govuk/govuk-frontend.min.css")
    assert response.status_code == 200, "run `make assets` to build GOV.UK Frontend's CSS"
    return client, response.get_data(as_text=True)


def test_the_stylesheet_never_mentions_gds_transport(css):
    _, text = css
    assert "GDS Transport" not in text
    assert "@font-face" not in text


def test_the_stylesheet_sets_the_system_font_stack(css):
    _, text = css
    families = set(re.findall(r"font-family:([^;}]+)", text))
    # Screen text in the system stack; GOV.UK Frontend's print styles use plain sans-serif.
    assert families == {SYSTEM_STACK, "sans-serif"}
    assert re.search(r"\.govuk-body(-m)?[,{][^}]*font-family:" + re.escape(SYSTEM_STACK), text)


def test_the_images_the_stylesheet_uses_are_served(css):
    client, text = css
    urls = set(re.findall(r'url\("?([^")]+)"?\)', text))
    assert urls, "GOV.UK Frontend's CSS refers to its images"
    for url in urls:
        assert url.startswith("/assets/images/"), url
        assert client.get(url).status_code == 200, url


def test_the_gds_transport_font_files_are_not_served(css):
    client, _ = css
    assert client.get("/assets/fonts/bold-b542beb274-v2.woff2").status_code == 404
    assert client.get("/assets/images/favicon.svg").status_code == 200
