"""The retention schedule as the partnership manager and the data protection officer read and
set it: each kind's period in words, what happens then and why; bad periods refused with GOV.UK
errors and nothing changed; the retention job's runs reported in words."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from moderation.models import RetentionRun, User
from tests.helpers import banners, counting_queries, error_summary, field_error, heading

DISPUTES_REASON = "Six years after the dispute closed covers a claim under the Limitation Act 1980"


def cards(page):
    """Each kind's card: its title and its rows as {key: value}."""
    found = {}
    for card in page.select(".govuk-summary-card"):
        title = card.select_one(".govuk-summary-card__title").get_text(" ", strip=True)
        rows = {row.select_one(".govuk-summary-list__key").get_text(strip=True):
                re.sub(r"\s+", " ", row.select_one(".govuk-summary-list__value")
                       .get_text(" ", strip=True))
                for row in card.select(".govuk-summary-list__row")}
        found[title] = rows
    return found


def change_links(page):
    return [link.get_text(" ", strip=True)
            for link in page.select(".govuk-summary-card__actions a")]


# Reading the schedule --------------------------------------------------------------------------


def test_the_partnership_manager_reads_each_kind_its_period_what_happens_and_why(pm_request):
    response = pm_request.get("retention.schedule")
    assert heading(response) == "Retention schedule"
    schedule = cards(response)
    assert list(schedule) == ["Disputes and their papers", "Open disputes with no activity",
                              "Documents", "Minutes", "Notifications and the email outbox",
                              "Sign-in sessions", "Audit events"]
    disputes = schedule["Disputes and their papers"]
    assert disputes["Kept for"] == ("6 years after the dispute closed, or until the child is 25 "
                                    "if later")
    assert disputes["Then"].startswith("Anonymised: the child's details and the free text")
    assert disputes["Why"].startswith(DISPUTES_REASON)
    assert disputes["Last changed"] == "Not changed: the service's default"
    inactive = schedule["Open disputes with no activity"]
    assert inactive["Kept for"] == ("Open until the partnership manager withdraws it: listed for "
                                    "them after 12 months with no activity")
    assert inactive["Then"].startswith("Listed for the partnership manager, who withdraws each")
    assert inactive["Why"].startswith("An open dispute nobody has acted on for a year")
    assert schedule["Documents"]["Kept for"] == "Until their dispute is anonymised"
    assert schedule["Documents"]["Then"] == "Deleted when their dispute is anonymised"
    assert schedule["Minutes"]["Kept for"].startswith("Permanently")
    assert schedule["Notifications and the email outbox"]["Kept for"] == "12 months"
    assert schedule["Notifications and the email outbox"]["Then"] == "Deleted"
    assert schedule["Audit events"]["Kept for"] == "7 years"
    assert schedule["Audit events"]["Then"] == "Deleted in whole months"
    assert len(change_links(response)) == 7
    assert change_links(response)[0] == "Change (Disputes and their papers)"


@pytest.mark.parametrize("app_config", [{"PERMANENT_SESSION_LIFETIME": timedelta(hours=8)}])
def test_the_sign_in_sessions_row_reads_the_apps_own_session_lifetime(pm_request):
    response = pm_request.get("retention.schedule")
    assert cards(response)["Sign-in sessions"]["Kept for"] == "8 hours after the last page viewed"


def test_the_data_protection_officer_reads_the_schedule_but_cannot_change_it(as_, make_user):
    dpo = as_(make_user("data_protection_officer"))
    response = dpo.get("retention.schedule")
    assert heading(response) == "Retention schedule"
    assert len(cards(response)) == 7
    assert change_links(response) == []
    refused = dpo.get("retention.edit_rule", _expected_status=403, kind="disputes")
    assert heading(refused) == "You do not have access to this page"
    dpo.post("retention.edit_rule", {"keep_for": "1", "until_age": "18", "reason": "Shorter"},
             _expected_status=403, kind="disputes")


@pytest.mark.parametrize("role", ["referrer", "panel_member", "chair", "csc_manager", "admin"])
def test_people_without_a_data_protection_role_are_refused(as_, make_user, role):
    browser = as_(make_user(role))
    for endpoint, args in (("retention.schedule", {}), ("retention.runs", {}),
                           ("retention.edit_rule", {"kind": "disputes"})):
        response = browser.get(endpoint, _expected_status=403, **args)
        assert heading(response) == "You do not have access to this page", endpoint


def test_the_menu_offers_data_protection_to_the_partnership_manager_and_officer_only(
        as_, make_user):
    def menu(*roles):
        policy = as_(make_user(*roles)).get("disputes.policy")
        return [link.get_text(strip=True)
                for link in policy.select(".govuk-service-navigation__link")]

    for roles in (("partnership_manager",), ("data_protection_officer",)):
        assert {"Retention", "Subject access"} <= set(menu(*roles)), roles
    for roles in (("referrer",), ("chair", "panel_member"), ("csc_manager",), ("admin",)):
        assert {"Retention", "Subject access"}.isdisjoint(menu(*roles)), roles


# Changing a rule -------------------------------------------------------------------------------


def test_the_change_page_offers_the_period_the_age_and_the_reason_as_they_stand(pm_request):
    form = pm_request.get("retention.edit_rule", kind="disputes")
    assert heading(form) == "Disputes and their papers"
    assert form.find(id="keep_for")["value"] == "6"
    assert form.find(id="until_age")["value"] == "25"
    assert form.find(id="reason").get_text().strip().startswith(DISPUTES_REASON)
    assert form.find("label", {"for": "keep_for"}).get_text(strip=True) == \
        "Years to keep a dispute after it closed"


@pytest.mark.parametrize(("kind", "typed", "field", "message"), [
    ("disputes", {"keep_for": "0"}, "keep_for", "The number of years must be 1 or more"),
    ("disputes", {"keep_for": "-2"}, "keep_for", "The number of years must be 1 or more"),
    ("disputes", {"keep_for": "six"}, "keep_for",
     "The number of years must be a whole number, like 6"),
    ("disputes", {"keep_for": "2.5"}, "keep_for",
     "The number of years must be a whole number, like 6"),
    ("disputes", {"keep_for": " "}, "keep_for", "Enter the number of years"),
    ("disputes", {"keep_for": "101"}, "keep_for", "The number of years must be 100 or fewer"),
    ("disputes", {"keep_for": "9" * 30}, "keep_for", "The number of years must be 100 or fewer"),
    ("disputes", {"until_age": "17"}, "until_age", "The child's age must be between 18 and 100"),
    ("disputes", {"until_age": ""}, "until_age", "Enter the child's age, like 25"),
    ("disputes", {"reason": "  "}, "reason", "Enter why the partnership keeps disputes this long"),
    ("disputes", {"reason": "x" * 2001}, "reason",
     "The reason must be 2,000 characters or fewer"),
    ("notifications", {"keep_for": "1201"}, "keep_for",
     "The number of months must be 1,200 or fewer"),
    ("notifications", {"keep_for": "0"}, "keep_for", "The number of months must be 1 or more"),
    ("audit_events", {"keep_for": "-7"}, "keep_for", "The number of years must be 1 or more"),
    ("minutes", {"reason": ""}, "reason", "Enter why the partnership keeps minutes this long"),
    ("disputes", {"reason": "Six years\x00"}, "reason",
     "Your answer must not contain hidden control characters (such as NUL): type it again "
     "instead of pasting it"),
    ("inactive_disputes", {"keep_for": "0"}, "keep_for", "The number of months must be 1 or more"),
    ("inactive_disputes", {"keep_for": "a year"}, "keep_for",
     "The number of months must be a whole number, like 12"),
    ("inactive_disputes", {"keep_for": ""}, "keep_for", "Enter the number of months"),
    ("inactive_disputes", {"reason": " "}, "reason",
     "Enter why an open dispute is listed after this long with no activity"),
])
def test_bad_input_is_explained_and_changes_nothing(pm_request, stored_rule, audited, kind,
                                                    typed, field, message):
    before = stored_rule(kind)
    good = {"keep_for": str(before[0] or ""), "until_age": str(before[1] or ""),
            "reason": before[2]}
    response = pm_request.post("retention.edit_rule", {**good, **typed}, _expected_status=200,
                               kind=kind)
    assert error_summary(response) == [message]
    assert response.select_one(".govuk-error-summary__list a")["href"] == f"#{field}"
    assert field_error(response, field) == message
    assert response.title.get_text().startswith("Error: ")
    assert stored_rule(kind) == before
    assert audited("retention_rule_changed") == []


def test_a_shorter_period_is_saved_audited_and_warns_of_the_next_nightly_run(
        on_a_monday, pm_request, stored_rule, audited):
    response = pm_request.post("retention.edit_rule", {"keep_for": " 5 ", "until_age": "21",
                                                       "reason": "Our legal advice, 2026."},
                               _follow_redirects=True, kind="disputes")
    assert heading(response) == "Retention schedule"
    assert banners(response) == [
        "The rule for disputes has been changed. The period is now shorter: the next nightly "
        "retention run applies it to records already past it."]
    disputes = cards(response)["Disputes and their papers"]
    assert disputes["Kept for"] == ("5 years after the dispute closed, or until the child is 21 "
                                    "if later")
    assert disputes["Why"] == "Our legal advice, 2026."
    assert disputes["Last changed"] == "Pat Manager, 23 November 2026, 9:00am"
    assert stored_rule("disputes") == (5, 21, "Our legal advice, 2026.")
    [(kind, detail)] = audited("retention_rule_changed")
    assert kind == "disputes"
    assert detail["before"]["keep_for"] == 6 and detail["before"]["until_age"] == 25
    assert detail["before"]["reason"].startswith(DISPUTES_REASON)
    assert detail["after"] == {"keep_for": 5, "until_age": 21,
                               "reason": "Our legal advice, 2026."}


def test_a_longer_period_is_saved_without_the_warning(pm_request, stored_rule):
    response = pm_request.post("retention.edit_rule",
                               {"keep_for": "24", "reason": "Two years, for complaints."},
                               _follow_redirects=True, kind="notifications")
    assert banners(response) == ["The rule for notifications has been changed."]
    assert cards(response)["Notifications and the email outbox"]["Kept for"] == "24 months"
    assert stored_rule("notifications") == (24, None, "Two years, for complaints.")


def test_a_kind_without_a_period_changes_its_reason_only(pm_request, stored_rule):
    form = pm_request.get("retention.edit_rule", kind="minutes")
    assert form.find(id="keep_for") is None and form.find(id="until_age") is None
    response = pm_request.post("retention.edit_rule",
                               {"keep_for": "1", "reason": "The panel's record."},
                               _follow_redirects=True, kind="minutes")
    assert banners(response) == ["The rule for minutes has been changed."]
    assert stored_rule("minutes") == (None, None, "The panel's record.")


def test_an_unknown_kind_is_page_not_found(pm_request):
    response = pm_request.get("retention.edit_rule", _expected_status=404, kind="children")
    assert heading(response) == "Page not found"


def test_the_service_refuses_bad_periods_given_as_numbers_too(app, db, pm):
    from moderation.retention import schedule
    from moderation.web.boundary import Refusal

    with app.app_context():
        rule = schedule.rule("audit_events")
        actor = db.session.get(User, pm.id)
        with pytest.raises(Refusal, match="1 or more") as refused:
            schedule.change(rule, actor, keep_for=0, reason="Seven years")
        assert refused.value.field == "keep_for"
        assert rule.keep_for == 7
        assert schedule.change(rule, actor, keep_for=6, reason="Six years") is True
        assert schedule.change(rule, actor, keep_for=8, reason="Eight years") is False


# The runs report -------------------------------------------------------------------------------


def _run(app, db, as_of, counts, run_by=None, finished=True):
    with app.app_context():
        started = datetime(as_of.year, as_of.month, as_of.day, 2, 0, tzinfo=UTC)
        db.session.add(RetentionRun(as_of=as_of, started_at=started, counts=counts,
                                    finished_at=started + timedelta(minutes=3) if finished
                                    else None, run_by_id=run_by))
        db.session.commit()


def runs_table(page):
    return [[re.sub(r"\s+", " ", cell.get_text(" ", strip=True)) for cell in row.select("td")]
            for row in page.select("main tbody tr")]


def test_before_the_first_run_the_report_says_so(pm_request):
    response = pm_request.get("retention.runs")
    assert heading(response) == "What the retention job has done"
    assert "The retention job has not run yet." in response.select_one("main").get_text()
    assert runs_table(response) == []


def test_the_runs_report_says_what_each_run_did_newest_first(app, db, pm, make_user, as_):
    _run(app, db, date(2026, 11, 21), {"disputes_anonymised": 3, "documents_deleted": 1,
                                       "held_skipped": 1, "notifications_deleted": 40,
                                       "emails_deleted": 38, "audit_events_deleted": 1250,
                                       "audit_deleted_before": "2019-11-01"})
    _run(app, db, date(2026, 11, 22), {"disputes_anonymised": 1}, run_by=pm.id, finished=False)
    rows = runs_table(as_(make_user("data_protection_officer")).get("retention.runs"))
    assert rows == [
        ["22 November 2026 Not finished", "Pat Manager",
         "1 dispute anonymised 0 disputes due but on legal hold, so kept 0 documents deleted "
         "0 notifications deleted 0 emails deleted from the outbox 0 audit events deleted"],
        ["21 November 2026", "The nightly job",
         "3 disputes anonymised 1 dispute due but on legal hold, so kept 1 document deleted "
         "40 notifications deleted 38 emails deleted from the outbox 1,250 audit events "
         "deleted, all from before 1 November 2019"],
    ]


def test_the_runs_report_runs_the_same_queries_for_few_or_many_runs(app, db, pm, pm_request,
                                                                    make_user):
    _run(app, db, date(2026, 1, 1), {}, run_by=pm.id)
    pm_request.get("retention.runs")
    with counting_queries(app) as few:
        pm_request.get("retention.runs")
    for day in range(2, 10):
        _run(app, db, date(2026, 1, day), {}, run_by=make_user("partnership_manager").id)
    with counting_queries(app) as many:
        response = pm_request.get("retention.runs")
    assert len(runs_table(response)) == 9
    assert many["n"] == few["n"]


def test_the_schedule_reads_who_changed_each_rule_in_the_same_query(app, pm_request, as_,
                                                                    make_user):
    pm_request.get("retention.schedule")
    with counting_queries(app) as unchanged:
        pm_request.get("retention.schedule")
    for kind in ("disputes", "minutes", "audit_events"):
        other = as_(make_user("partnership_manager", name=f"Changed {kind}"))
        form = other.get("retention.edit_rule", kind=kind)
        typed = {name: form.find(id=name)["value"] for name in ("keep_for", "until_age")
                 if form.find(id=name)}
        other.post("retention.edit_rule", {**typed, "reason": "New."}, kind=kind)
    with counting_queries(app) as changed:
        response = pm_request.get("retention.schedule")
    assert cards(response)["Minutes"]["Last changed"].startswith("Changed minutes, ")
    assert changed["n"] == unchanged["n"]
