"""Legal holds as the partnership manager places and releases them: with a reason, audited,
shown on the dispute page and in the list of holds; refused without a reason, twice over, or to
anyone else."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from moderation.models import Dispute, LegalHold, User
from tests.helpers import counting_queries, error_summary, field_error, heading

REASON = "Needed by the child safeguarding practice review opened in November 2026."


@pytest.fixture
def dispute(make_dispute):
    return make_dispute()


def hold_banner(page):
    banner = page.find(id="legal-hold")
    return re.sub(r"\s+", " ", banner.get_text(" ", strip=True)) if banner else None


def success_banners(page):
    return [re.sub(r"\s+", " ", banner.get_text(" ", strip=True)) for banner in
            page.select(".govuk-notification-banner--success "
                                  ".govuk-notification-banner__content")]


def links(page):
    return [link.get_text(" ", strip=True) for link in page.select("main a")]


def hold_it(browser, dispute_id, reason=REASON):
    """The hold form posted with `reason`, followed to the page it leads to."""
    return browser.post("retention.hold", {"reason": reason}, _follow_redirects=True,
                        dispute_id=dispute_id)


def hold_id(app, db, dispute_id):
    with app.app_context():
        return db.session.scalar(sa.select(LegalHold.id).where(LegalHold.dispute_id == dispute_id))


def test_the_partnership_manager_holds_a_dispute_with_a_reason(on_a_monday, pm_request, dispute,
                                                               stored_holds, audited):
    before = pm_request.get("disputes.show", dispute_id=dispute)
    assert hold_banner(before) is None
    assert "Hold this dispute" in links(before)
    form = pm_request.get("retention.hold", dispute_id=dispute)
    assert heading(form) == "Hold this dispute"

    response = hold_it(pm_request, dispute, f"  {REASON}  ")
    assert heading(response) == f"Dispute D-2026-{dispute:04d}"
    assert success_banners(response) == [
        "The dispute is on legal hold: the retention schedule will not anonymise it until the "
        "hold is released."]
    assert hold_banner(response) == (
        f"Legal hold On legal hold since 23 November 2026 {REASON} "
        "The retention job will not anonymise this dispute until the hold is released. "
        "Release the hold")
    assert "Hold this dispute" not in links(response)
    assert stored_holds(dispute) == [(REASON, True, None)]
    [(object_id, detail)] = audited("legal_hold_placed")
    assert object_id == str(dispute)
    assert set(detail) == {"hold_id"}


@pytest.mark.parametrize(("reason", "message"), [
    ("", "Enter why the dispute is held"),
    ("   ", "Enter why the dispute is held"),
    ("x" * 2001, "The reason must be 2,000 characters or fewer"),
    ("Amelia Jones is part of a review",
     "The reason must not contain a child's name, date of birth or case number"),
    ("Born 14/03/2021", "The reason must not contain a child's name, date of birth or case number"),
])
def test_a_hold_without_a_proper_reason_is_refused_and_nothing_stored(on_a_monday, pm_request,
                                                                      dispute, stored_holds,
                                                                      audited, reason, message):
    response = hold_it(pm_request, dispute, reason)
    assert heading(response) == "Hold this dispute"
    assert error_summary(response) == [message]
    assert field_error(response, "reason") == message
    assert stored_holds(dispute) == []
    assert audited("legal_hold_placed") == []


def test_a_second_hold_is_not_offered_while_one_is_in_force(on_a_monday, app, db, pm_request,
                                                           dispute, stored_holds):
    hold_it(pm_request, dispute)
    response = pm_request.get("retention.hold", _expected_status=404, dispute_id=dispute)
    assert heading(response) == "Page not found"
    pm_request.post("retention.hold", {"reason": "Again"}, _expected_status=404,
                    dispute_id=dispute)
    assert len(stored_holds(dispute)) == 1


def test_the_service_refuses_a_second_hold_and_an_anonymised_dispute(app, db, pm, dispute):
    from moderation.retention import holds
    from moderation.web.boundary import Refusal

    with app.app_context():
        record, actor = db.session.get(Dispute, dispute), db.session.get(User, pm.id)
        holds.place(record, actor, REASON)
        with pytest.raises(Refusal, match="already on legal hold"):
            holds.place(record, actor, "A second review")
        db.session.rollback()
        record = db.session.get(Dispute, dispute)
        record.anonymised_on = date(2026, 11, 1)
        with pytest.raises(Refusal, match="anonymised"):
            holds.place(record, db.session.get(User, pm.id), REASON)


def test_an_anonymised_dispute_cannot_be_held(on_a_monday, app, db, pm_request, dispute):
    with app.app_context():
        db.session.get(Dispute, dispute).anonymised_on = date(2026, 11, 1)
        db.session.commit()
    response = pm_request.get("retention.hold", _expected_status=404, dispute_id=dispute)
    assert heading(response) == "Page not found"


def test_the_partnership_manager_releases_a_hold_with_a_reason(on_a_monday, app, db, pm_request,
                                                               dispute, stored_holds, audited):
    hold_it(pm_request, dispute)
    ident = hold_id(app, db, dispute)
    assert heading(pm_request.get("retention.release", hold_id=ident)) == "Release the hold"

    refused = pm_request.post("retention.release", {"reason": " "}, _expected_status=200,
                              hold_id=ident)
    assert error_summary(refused) == ["Enter why the hold is released"]
    assert field_error(refused, "reason") == "Enter why the hold is released"
    assert stored_holds(dispute) == [(REASON, True, None)]

    response = pm_request.post("retention.release", {"reason": "The review has reported."},
                               _follow_redirects=True, hold_id=ident)
    assert success_banners(response) == [
        "The legal hold has been released: the retention schedule applies to the dispute again."]
    assert hold_banner(response) is None
    assert "Hold this dispute" in links(response)
    assert stored_holds(dispute) == [(REASON, False, "The review has reported.")]
    assert audited("legal_hold_released") == [(str(dispute), {"hold_id": ident})]
    gone = pm_request.get("retention.release", _expected_status=404, hold_id=ident)
    assert heading(gone) == "Page not found"


def test_the_referrer_reads_the_hold_on_their_dispute_but_cannot_release_it(
        on_a_monday, app, db, pm_request, as_, make_user, make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    hold_it(pm_request, dispute)
    browser = as_(referrer)
    response = browser.get("disputes.show", dispute_id=dispute)
    assert hold_banner(response).startswith("Legal hold On legal hold since")
    assert "Release the hold" not in links(response)
    assert "Hold this dispute" not in links(response)
    refused = browser.get("retention.release", _expected_status=403,
                          hold_id=hold_id(app, db, dispute))
    assert heading(refused) == "You do not have access to this page"


@pytest.mark.parametrize("role", ["csc_manager", "referrer", "chair", "data_protection_officer"])
def test_nobody_but_the_partnership_manager_may_hold(as_, make_user, dispute, stored_holds,
                                                     role):
    response = as_(make_user(role)).post("retention.hold", {"reason": REASON},
                                         _expected_status=403, dispute_id=dispute)
    assert heading(response) == "You do not have access to this page"
    assert stored_holds(dispute) == []


def test_a_csc_manager_reads_the_dispute_but_is_offered_no_hold(as_, make_user, dispute):
    response = as_(make_user("csc_manager")).get("disputes.show", dispute_id=dispute)
    assert heading(response) == f"Dispute D-2026-{dispute:04d}"
    assert "Hold this dispute" not in links(response)


def holds_tables(page):
    return {table["id"]: [[re.sub(r"\s+", " ", cell.get_text(" ", strip=True))
                           for cell in row.select("td")] for row in table.select("tbody tr")]
            for table in page.select("table")}


def test_the_holds_list_shows_holds_in_force_and_released(on_a_monday, app, db, pm_request, as_,
                                                          make_dispute, make_user, audited):
    held, released = make_dispute(), make_dispute()
    hold_it(pm_request, held)
    hold_it(pm_request, released, "A review that has now reported.")
    pm_request.post("retention.release", {"reason": "Reported."},
                    hold_id=hold_id(app, db, released))

    response = pm_request.get("retention.holds")
    assert heading(response) == "Legal holds"
    tables = holds_tables(response)
    assert tables["active-holds"] == [[f"D-2026-{held:04d}", REASON, "Pat Manager",
                                       "23 November 2026, 9:00am",
                                       f"Release the hold on D-2026-{held:04d}"]]
    assert tables["released-holds"] == [[
        f"D-2026-{released:04d}",
        "23 November 2026, 9:00am by Pat Manager: A review that has now reported.",
        "23 November 2026, 9:00am by Pat Manager: Reported."]]
    assert f"D-2026-{held:04d}" in links(response)  # to the dispute page
    assert audited("legal_holds_viewed")

    dpo = as_(make_user("data_protection_officer"))
    tables = holds_tables(dpo.get("retention.holds"))
    assert tables["active-holds"] == [[f"D-2026-{held:04d}", REASON, "Pat Manager",
                                       "23 November 2026, 9:00am", ""]]
    assert f"D-2026-{held:04d}" not in links(dpo.get("retention.holds"))


def test_with_no_holds_the_list_says_so(on_a_monday, pm_request):
    text = pm_request.get("retention.holds").select_one("main").get_text()
    assert "No dispute is on legal hold." in text
    assert "No hold has been released." in text


def test_the_holds_list_runs_the_same_queries_for_few_or_many_holds(on_a_monday, app, db,
                                                                    pm_request, as_,
                                                                    make_dispute, make_user):
    hold_it(pm_request, make_dispute())
    pm_request.get("retention.holds")
    with counting_queries(app) as few:
        pm_request.get("retention.holds")
    for _ in range(5):
        other = as_(make_user("partnership_manager"))
        dispute = make_dispute()
        hold_it(other, dispute)
        other.post("retention.release", {"reason": "Done."}, hold_id=hold_id(app, db, dispute))
        hold_it(other, make_dispute())
    with counting_queries(app) as many:
        response = pm_request.get("retention.holds")
    tables = holds_tables(response)
    assert (len(tables["active-holds"]), len(tables["released-holds"])) == (6, 5)
    assert many["n"] == few["n"]


def test_the_dispute_page_reads_its_holds_in_one_query(on_a_monday, app, db, pm_request,
                                                        dispute):
    pm_request.get("disputes.show", dispute_id=dispute)
    with counting_queries(app) as none_held:
        pm_request.get("disputes.show", dispute_id=dispute)
    for _ in range(3):
        hold_it(pm_request, dispute)
        pm_request.post("retention.release", {"reason": "Done."},
                        hold_id=max_hold(app, db, dispute))
    hold_it(pm_request, dispute)
    with counting_queries(app) as held:
        response = pm_request.get("disputes.show", dispute_id=dispute)
    assert hold_banner(response) is not None
    assert held["n"] == none_held["n"]


def max_hold(app, db, dispute_id):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(LegalHold.id))
                                 .where(LegalHold.dispute_id == dispute_id))
