"""The browser checks themselves can fail: a page the CSP refuses a style on, a script error and a
console error are each reported with the page they happened on."""

import pytest

from tests.browser.conftest import watch

pytestmark = pytest.mark.browser

CSP = "default-src 'self'; style-src 'self'; script-src 'self' 'nonce-probe'"
PROBE = """<!doctype html><html lang="en"><head><title>Probe</title></head><body><main>
<p style="color: red">An inline style the CSP refuses</p>
<script nonce="probe">console.error("a console error"); setTimeout(() => undefinedName(), 0);
</script></main></body></html>"""


def test_csp_violations_console_and_script_errors_are_reported(browser, live_server):
    context = browser.new_context(base_url=live_server)
    problems = watch(context)
    tab = context.new_page()
    tab.route("**/probe", lambda route: route.fulfill(
        body=PROBE, content_type="text/html", headers={"Content-Security-Policy": CSP}))
    tab.goto("/probe")
    tab.wait_for_timeout(200)  # the script error is thrown after the page has loaded
    context.close()
    url = f"{live_server}/probe"
    assert any(p.startswith(f"{url}: CSP violation: style-src") for p in problems), problems
    assert f"{url}: console error: a console error" in problems
    assert any(p.startswith(f"{url}: uncaught error:") and "undefinedName" in p
               for p in problems), problems


def test_an_error_page_asked_for_is_not_a_console_error(browser, live_server):
    context = browser.new_context(base_url=live_server)
    problems = watch(context)
    tab = context.new_page()
    assert tab.goto("/no-such-page").status == 404
    context.close()
    assert problems == []
