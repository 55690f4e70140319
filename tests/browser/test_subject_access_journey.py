"""Subject access in a real browser (#24): the data protection officer is asked for Leo Carter's
records. A search by his case number typed in lower case finds both his disputes; a search by
his name and date of birth finds the first exactly and offers, to review, his second (raised
under a mistyped date of birth, joined to the first as a repeat by the case number) and Lea
Carter's (born the same day, a similar name: another child). Choosing nothing is refused; the
officer ticks Leo's second dispute, leaves Lea's, and the export holds exactly what they chose.
axe runs on every page, error states included, under the app's real CSP."""

import json
import re
import tempfile
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from moderation.extensions import db
from moderation.models import Dispute
from tests.browser.conftest import assert_accessible
from tests.browser.steps import downloaded, shows_error

pytestmark = pytest.mark.browser

LEO = {"child_name": "Leo Carter", "child_dob": date(2019, 2, 2), "child_case_number": "NS-40211"}
# The same boy, his date of birth mistyped, his case number typed another way.
LEO_AGAIN = {"child_name": "Leo Carter", "child_dob": date(2019, 3, 2),
             "child_case_number": "ns 40211",
             "grounds": "The school saw new bruising on his arm after half term."}
LEA = {"child_name": "Lea Carter", "child_dob": date(2019, 2, 2),
       "grounds": "Lea's nursery reported she was collected by an intoxicated adult."}
# Where the results page is photographed, for a person to look at after the run.
SCREENSHOT = Path(tempfile.gettempdir()) / "subject-access-results.png"


def _references(app, ids):
    with app.app_context():
        return [db.session.get(Dispute, ident).reference for ident in ids]


def _rows(tab, kind):
    return tab.locator(f"#{kind}-table tbody tr")


def _box(tab, reference):
    return tab.get_by_role("checkbox", name=f"Export {reference}")


def _search_by_name(tab, name, day, month, year):
    tab.get_by_label("Or a local authority case number").fill("")
    tab.get_by_label("Child's full name").fill(name)
    born = tab.get_by_role("group", name=re.compile("^Child's date of birth"))
    for part, value in (("Day", day), ("Month", month), ("Year", year)):
        born.get_by_label(part).fill(value)
    tab.get_by_role("button", name="Search").click()


def test_the_officer_reviews_possible_matches_and_exports_what_they_chose(
        app, open_as, make_user, make_dispute, meeting_day):
    first = make_dispute(on=date(2026, 11, 23), **LEO)
    second = make_dispute(on=date(2026, 11, 30), **LEO_AGAIN)
    lea = make_dispute(on=date(2026, 11, 25), **LEA)
    make_dispute(on=date(2026, 11, 25), child_name="Mia Roberts", child_dob=date(2019, 2, 2))
    first_ref, second_ref, lea_ref = _references(app, [first, second, lea])
    officer = open_as(make_user("data_protection_officer", name="Dana Officer"))
    officer.get_by_role("link", name="Find the records about a child").first.click()
    expect(officer.locator("h1")).to_have_text("Find the records about a child")

    # 1. His case number, typed in lower case: both his disputes match exactly, both ticked.
    officer.get_by_label("Or a local authority case number").fill("ns-40211")
    officer.get_by_role("button", name="Search").click()
    expect(officer.locator("#results")).to_have_text("Records found")
    expect(_rows(officer, "exact")).to_have_count(2)
    for reference in (first_ref, second_ref):
        expect(_box(officer, reference)).to_be_checked()
    expect(officer.locator("main")).not_to_contain_text(lea_ref)
    assert_accessible(officer)

    # 2. His name and date of birth: the first matches exactly; his second and Lea's are
    # offered with why, neither ticked.
    _search_by_name(officer, "leo carter", "2", "2", "2019")
    expect(_rows(officer, "exact")).to_have_count(1)
    expect(_box(officer, first_ref)).to_be_checked()
    possible = _rows(officer, "possible")
    expect(possible).to_have_count(2)
    leo_again = possible.filter(has_text=second_ref)
    for reason in ("Same name, another date of birth", f"Same case number as {first_ref}",
                   f"Raised as a repeat of {first_ref}"):
        expect(leo_again).to_contain_text(reason)
    expect(possible.filter(has_text=lea_ref)).to_contain_text("Same date of birth, similar name")
    expect(officer.locator("main")).not_to_contain_text("Mia Roberts")
    for reference in (second_ref, lea_ref):
        expect(_box(officer, reference)).not_to_be_checked()
    assert_accessible(officer)
    officer.set_viewport_size({"width": 1280, "height": 1400})
    officer.screenshot(path=SCREENSHOT, full_page=True)

    # 3. Nothing chosen: refused, with the results as the officer left them.
    _box(officer, first_ref).uncheck()
    officer.get_by_role("button", name="Download as JSON").click()
    shows_error(officer, "chosen", "Select the records to export")
    expect(_rows(officer, "possible")).to_have_count(2)
    expect(officer.locator("input[name=chosen]:checked")).to_have_count(0)

    # 4. Both of Leo's disputes chosen, Lea's left out: the export holds exactly those.
    _box(officer, first_ref).check()
    _box(officer, second_ref).check()
    name, body = downloaded(officer, "Download as JSON")
    assert name == "subject-access-2026-12-08.json"
    export = json.loads(body)
    assert [d["reference"] for d in export["disputes"]] == [first_ref, second_ref]
    assert export["disputes"][1]["challenge"]["repeat_of"] == first_ref
    text = body.decode()
    for other in (lea_ref, "Lea Carter", LEA["grounds"], "Mia Roberts"):
        assert other not in text, other
    assert LEO_AGAIN["grounds"] in text
