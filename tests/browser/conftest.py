"""Browser fixtures: the app served on a free local port, driven by Debian's Chromium.

Browser tests are skipped with a clear message when Chromium is missing, unless
MODERATION_REQUIRE_BROWSER=1 (as in CI), when a missing browser is a failure.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from moderation.config import PROJECT_ROOT

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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The test's app served on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab; fails the test on any console error (a CSP violation shows there)."""
    # The app's strict CSP would refuse the injected axe script; the pages' own scripts are
    # still checked against it by the console-error assertion in other tests' server headers.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()


def assert_accessible(page):
    """Run axe-core on the page and fail with a readable list of any violations."""
    # A click that navigates can return before the new document has loaded; axe must not run
    # on the blank document in between.
    page.wait_for_load_state("load")
    page.locator("main").wait_for()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"])
        for v in result["violations"]
    ]
    assert not problems, f"axe found problems on {page.url}:\n" + "\n".join(problems)
