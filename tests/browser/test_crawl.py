"""Each demo role, signed in, follows every link it is shown from its home page (breadth-first,
bounded) and each page is checked as a person would meet it: no server error or dead link, no
markup shown as text, nothing axe-core objects to, every group of options asking its question,
and nothing the browser reports (console errors, CSP violations, script errors)."""

import re
from collections import Counter, deque
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from moderation import demo
from moderation.extensions import db
from moderation.models import Role
from tests.browser.conftest import (
    address,
    fail_on,
    watch,
)
from tests.browser.steps import check, sign_in

pytestmark = pytest.mark.browser

ROLES = [Role.REFERRER, Role.CSC_MANAGER, Role.PANEL_MEMBER, Role.CHAIR,
         Role.PARTNERSHIP_MANAGER, Role.ADMIN, Role.DATA_PROTECTION_OFFICER]
MAX_PAGES = 60  # per role: enough to reach every kind of page the demo data has
PER_PATTERN = 3  # pages whose addresses differ only by ids look alike after the first few
# Downloads are checked by their own tests, known by their addresses' endings: not pages.
DOWNLOADS = re.compile(r"\.(pdf|csv|ics)$")


@pytest.fixture
def demo_app(app):
    with app.app_context():
        demo.load()
        db.session.commit()
    return app


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value)
def test_every_page_a_role_is_shown_is_sound(demo_app, browser, live_server, role):
    user = next(u for u in demo.DEMO_USERS if u.role == role)
    context = browser.new_context(base_url=live_server)
    problems = watch(context)
    tab = context.new_page()
    sign_in(tab, SimpleNamespace(email=user.email, password=demo.DEMO_PASSWORD))
    faults = crawl(tab, live_server)
    context.close()
    fail_on([f"as {role.value}: {fault}" for fault in faults + problems])


def crawl(tab, origin):
    """Visit the pages reachable from the current one; return a line for each fault."""
    queue = deque([(tab.url, "sign-in")])
    seen, patterns, faults = {tab.url}, Counter(), []
    for _ in range(MAX_PAGES):
        if not queue:
            break
        url, came_from = queue.popleft()
        faults += check(tab, url, came_from)
        for link in links(tab, origin):
            if link not in seen and _new_enough(link, patterns):
                seen.add(link)
                queue.append((link, url))
    return faults


def links(tab, origin):
    """Same-origin pages linked from this one, without fragments; not downloads (by their
    suffix, or marked `download` like a dispute's documents), and not sign-out, which would end
    the crawl."""
    hrefs = tab.eval_on_selector_all("a[href]:not([download])",
                                     "links => links.map(a => a.href)")
    pages = {href.split("#")[0] for href in hrefs}
    sign_out = address("auth.sign_out")
    return sorted(href for href in pages
                  if href.startswith(origin + "/") and not DOWNLOADS.search(urlsplit(href).path)
                  and not href.startswith(sign_out))


def _new_enough(url, patterns):
    # /disputes/12 and /disputes/13 are the same page with other data: a few of each is enough.
    parts = urlsplit(url)
    pattern = re.sub(r"\d+", "N", f"{parts.path}?{parts.query}")
    patterns[pattern] += 1
    return patterns[pattern] <= PER_PATTERN
