"""The browser checks themselves can fail: a page the CSP refuses a style on, a script error and a
console error are each reported with the page they happened on."""

import pytest

from tests.browser.conftest import watch
from tests.browser.steps import check

pytestmark = pytest.mark.browser

# The addresses here are not the app's: /probe, /broken and /failing are answered by the browser
# itself (tab.route), and /no-such-page is an address no route has.

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


BROKEN = """<!doctype html><html lang="en"><head><title>Broken</title></head><body><main>
<h1>A page with faults</h1><p>&lt;strong&gt;Bold&lt;/strong&gt;</p><img src="/x.png">
<div class="govuk-radios"><input type="radio" name="period" aria-label="Year">
<input type="radio" name="period" aria-label="Quarter"></div></main></body></html>"""


def test_the_crawl_sees_escaped_markup_axe_violations_and_questions_without_legends(
        browser, live_server):
    context = browser.new_context(base_url=live_server)
    tab = context.new_page()
    tab.route("**/broken", lambda route: route.fulfill(
        body=BROKEN, content_type="text/html", headers={"Content-Security-Policy": CSP}))
    tab.route("**/failing", lambda route: route.fulfill(status=500, body="Internal error"))
    url = f"{live_server}/broken"
    faults = check(tab, url, "the test")
    faults += check(tab, f"{live_server}/failing", "the test")
    context.close()
    assert any(f.startswith(f"{url}: markup shown as text: ") and "<strong>" in f
               for f in faults), faults
    assert any(f.startswith(f"{url}: image-alt (critical)") for f in faults), faults
    assert f"{url}: the options 'period' have no question (fieldset legend)" in faults
    assert f"{live_server}/failing: status 500 (linked from the test)" in faults
