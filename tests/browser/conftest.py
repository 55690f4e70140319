"""Browser fixtures: the app served on a free local port, driven by Debian's Chromium.

Browser tests are skipped with a clear message when Chromium is missing, unless
MODERATION_REQUIRE_BROWSER=1 (as in CI), when a missing browser is a failure.
"""

import functools
import os
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from werkzeug.serving import make_server

from moderation.config import PROJECT_ROOT
from tests.conftest import url

CHROMIUM = Path(os.environ.get("MODERATION_CHROMIUM", "/usr/bin/chromium"))
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
REQUIRED = os.environ.get("MODERATION_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


EXPECT_TIMEOUT_MS = 20_000


def _unavailable(message):
    if REQUIRED:
        pytest.fail(f"{message} (browser tests are required: MODERATION_REQUIRE_BROWSER=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable("Chromium is not installed: apt-get install chromium to run browser tests")
    if not AXE.exists():
        _unavailable("axe-core is not installed: run `make assets` to run browser tests")
    from playwright.sync_api import expect, sync_playwright

    # `make test` runs a worker per CPU, each with its own Chromium and live server beside
    # PostgreSQL: a busy machine can take more than expect()'s default 5 seconds to show a page.
    # Waiting longer changes nothing for a page that is right; a wrong one still fails.
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The app the live server is serving and its base URL, while a test runs (one at a time in
# each worker process).
_SERVED = {}


@pytest.fixture
def live_server(app):
    """The test's app served on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    _SERVED.update(app=app, base=base)
    yield base
    _SERVED.clear()
    server.shutdown()
    thread.join(timeout=5)


def address(endpoint, **values):
    """The full address of `endpoint` on the live server (tests name endpoints, not paths):
    `page.goto(address("disputes.show", dispute_id=3))`. A plain function, so that helpers
    given only a tab (like sign_in) can use it too."""
    assert _SERVED, "address() needs the live_server fixture"
    return _SERVED["base"] + url(_SERVED["app"], endpoint, **values)


# Chromium reports a blocked inline style or script as a `securitypolicyviolation` event; the
# init script passes each to Python at once, so none is lost when the page navigates away.
# Init scripts and DevTools evaluation are not subject to the page's CSP.
WATCH_CSP = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations = window.__cspViolations || [];
  const text = `${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
    + ` (${e.sourceFile || 'the page'}:${e.lineNumber}) ${e.sample || ''}`;
  window.__cspViolations.push(text);
  if (window.__reportCspViolation) window.__reportCspViolation(text);
});
"""


def watch(target):
    """Record on `target` (a page or a browser context) what a person never sees but the browser
    reports: console errors, CSP violations and uncaught script errors, each with its page."""
    problems = []
    refused = set()  # documents the server answered with a 4xx, which tests ask for on purpose

    def response(r):
        if r.request.is_navigation_request() and 400 <= r.status < 500:
            refused.add(r.url)

    def console(message):
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # An error page's own status is reported as a failed load; its test checks the page.
        if message.text.startswith("Failed to load resource") and url in refused:
            return
        problems.append(f"{message.page.url if message.page else url}: console error: "
                        f"{message.text}")

    target.expose_binding("__reportCspViolation", lambda source, text: problems.append(
        f"{source['frame'].url}: CSP violation: {text}"))
    target.add_init_script(WATCH_CSP)
    target.on("response", response)
    target.on("console", console)
    if hasattr(target, "pages"):  # a context: page errors are reported per page
        target.on("page", lambda tab: _page_errors(tab, problems))
    else:
        _page_errors(target, problems)
    return problems


def _page_errors(tab, problems):
    tab.on("pageerror", lambda error: problems.append(f"{tab.url}: uncaught error: {error}"))


def fail_on(problems):
    if problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def window(browser, live_server):
    """Opens more browser windows (one per person, each with its own cookies) under the app's
    real CSP; the test fails at teardown on any console error, CSP violation or uncaught
    script error in any of them."""
    contexts, problems = [], []

    def open_window():
        context = browser.new_context(base_url=live_server)
        problems.append(watch(context))
        contexts.append(context)
        return context.new_page()

    yield open_window
    for context in contexts:
        context.close()
    fail_on([problem for seen in problems for problem in seen])


@pytest.fixture
def open_as(window):
    """A window per person, signed in as them, under the app's real CSP (the `window` fixture
    fails the test on any console error, CSP violation or uncaught script error)."""

    from tests.browser.steps import sign_in

    def open_for(user):
        tab = window()
        sign_in(tab, user)
        return tab

    return open_for


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab under the app's real CSP; the test fails at teardown on any console
    error, CSP violation or uncaught script error seen on any page it visited."""
    context = browser.new_context(base_url=live_server)
    problems = watch(context)
    tab = context.new_page()
    yield tab
    context.close()
    fail_on(problems)


@functools.cache
def _axe_source():
    return AXE.read_text()


def assert_accessible(page):
    """Run axe-core on the page and fail with a readable list of any violations."""
    # A click that navigates can return before the new document has loaded; axe must not run
    # on the blank document in between.
    page.wait_for_load_state("load")
    page.locator("main").wait_for()
    problems = axe_violations(page)
    assert not problems, f"axe found problems on {page.url}:\n" + "\n".join(problems)


def axe_violations(page):
    """axe-core's violations on the loaded page, one readable line each."""
    # Evaluated through DevTools, which the page's CSP does not govern (a <script> tag would be
    # refused, and bypassing the CSP would hide the page's own violations).
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"])
        for v in result["violations"]
    ]


def questions_without_legend(html):
    """The names of radio and checkbox groups (two or more boxes) that are not inside a fieldset
    whose legend asks the question. A single checkbox is its own question, named by its label."""
    missing = []
    for group in BeautifulSoup(html, "html.parser").select(".govuk-radios, .govuk-checkboxes"):
        boxes = group.select("input[type=radio], input[type=checkbox]")
        if len(boxes) < 2:
            continue
        fieldset = group.find_parent("fieldset")
        legend = fieldset.find("legend", recursive=False) if fieldset else None
        if not (legend and legend.get_text(strip=True)):
            missing.append(boxes[0].get("name"))
    return missing


def legends(html):
    """The fieldset legends on the page, as read."""
    soup = BeautifulSoup(html, "html.parser")
    return [" ".join(legend.get_text(" ").split()) for legend in soup.select("fieldset > legend")]
