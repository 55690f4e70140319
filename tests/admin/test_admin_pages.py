"""Administrators manage agencies and users; every change is audited; the log is append-only."""

import pytest
import sqlalchemy as sa

from moderation.models import Agency, AuditEvent, User
from moderation.models.audit import AppendOnlyError
from tests.conftest import banners, error_summary, heading, page, post, sign_in, url


def rows(response):
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in page(response).select("tbody tr")
    ]


def events(app, action):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action)
        ).all()


def count(app, model):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalar(sa.select(sa.func.count(model.id)))


@pytest.fixture
def admin(client, signed_in):
    return signed_in("admin", name="Alex Admin", email="alex.admin@example.org")


# Agencies --------------------------------------------------------------------------------------


def test_agencies_list_shows_kind_core_flag_and_active_users(client, admin, make_agency,
                                                              make_user):
    police = make_agency("Northshire Police", kind="police", is_core=True)
    make_user("panel_member", agency_id=police)
    make_user("panel_member", agency_id=police, active=False)
    table = rows(client.get(url(client, "admin.agencies")))
    assert ["Northshire Police", "Police", "Core", "1", "Change Northshire Police"] in table


def test_adding_an_agency(app, client, admin):
    response = post(client, url(client, "admin.agency_new"),
                    {"name": "Northshire Police", "kind": "police", "is_core": "y"},
                    follow_redirects=True)
    assert "Northshire Police has been added." in banners(response)
    assert ["Northshire Police", "Police", "Core", "0", "Change Northshire Police"] in rows(
        response)
    (event,) = events(app, "agency_created")
    assert event.actor_id == admin.id and event.detail["name"] == "Northshire Police"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "kind": "police"}, "Enter the agency's name"),
        ({"name": "Northshire Police"}, "Select what kind of agency it is"),
        ({"name": "NORTHSHIRE police ", "kind": "police"},
         "An agency with this name already exists"),
    ],
)
def test_agency_form_mistakes_are_explained_and_change_nothing(app, client, admin, make_agency,
                                                                form, message):
    make_agency("Northshire Police", kind="police")
    before = count(app, Agency)
    response = post(client, url(client, "admin.agency_new"), form)
    assert error_summary(response) == [message]
    assert count(app, Agency) == before
    assert events(app, "agency_created") == []


def test_editing_an_agency_records_what_changed(app, client, admin, make_agency):
    agency = make_agency("Northshire Polise", kind="police")
    post(client, url(client, "admin.agency_edit", agency_id=agency),
         {"name": "Northshire Police", "kind": "police", "is_core": "y"})
    (event,) = events(app, "agency_updated")
    assert event.detail["changes"] == {
        "name": ["Northshire Polise", "Northshire Police"], "is_core": [False, True],
    }


def test_a_partnership_manager_can_manage_agencies(client, signed_in):
    signed_in("partnership_manager")
    response = post(client, url(client, "admin.agency_new"),
                    {"name": "Northshire Schools", "kind": "education"}, follow_redirects=True)
    assert "Northshire Schools has been added." in banners(response)


# Users -----------------------------------------------------------------------------------------


def new_user_form(agency, **changes):
    form = {"name": "Sam Carter", "email": "Sam.Carter@Example.org", "agency_id": str(agency),
            "roles": ["panel_member"], "active": "y"}
    form.update(changes)
    return form


def test_creating_a_user_shows_a_temporary_password_once(app, client, admin, make_agency):
    agency = make_agency("Northshire Police", kind="police")
    response = post(client, url(client, "admin.user_new"), new_user_form(agency))
    assert page(response).select_one(".govuk-panel__title").get_text(strip=True) == (
        "Account created")
    password = page(response).select_one("#temporary-password").get_text(strip=True)
    (event,) = events(app, "user_created")
    assert event.detail["email"] == "sam.carter@example.org"
    assert password not in str(event.detail)
    new_user = app.test_client()
    record = type("U", (), {"email": "sam.carter@example.org", "password": password})
    assert sign_in(new_user, record).headers["Location"] == url(app, "home.index")
    assert new_user.get(url(app, "home.index")).headers["Location"] == url(
        app, "auth.change_password")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter the user's full name"),
        ({"email": "not-an-email"},
         "Enter an email address in the correct format, like name@example.org"),
        ({"email": ""}, "Enter the user's email address"),
        ({"agency_id": ""}, "Select the user's agency"),
        ({"agency_id": "9999"}, "Select the user's agency"),
        ({"roles": []}, "Select at least one role"),
        ({"email": "ALEX.ADMIN@example.org"}, "A user with this email address already exists"),
    ],
)
def test_user_form_mistakes_are_explained_and_create_nothing(app, client, admin, make_agency,
                                                              changes, message):
    agency = make_agency()
    before = count(app, User)
    response = post(client, url(client, "admin.user_new"), new_user_form(agency, **changes))
    assert message in error_summary(response)
    assert heading(response) == "Add a user"
    assert count(app, User) == before


def test_users_can_be_found_by_name_role_agency_and_status(client, admin, make_agency, make_user):
    police = make_agency("Northshire Police", kind="police")
    make_user("chair", name="Ruth Lawson", agency_id=police)
    make_user("referrer", name="Hannah Okafor")
    make_user("referrer", name="Gone Away", active=False)
    names = lambda **query: [  # noqa: E731
        row[0] for row in rows(client.get(url(client, "admin.users", **query)))]
    assert names(search="okafor") == ["Hannah Okafor"]
    assert names(role="chair") == ["Ruth Lawson"]
    assert names(agency=police) == ["Ruth Lawson"]
    assert names(status="inactive") == ["Gone Away"]


def test_the_user_list_is_paginated(client, admin, make_agency, make_user):
    agency = make_agency()
    for number in range(30):
        make_user("referrer", name=f"Person {number:02d}", agency_id=agency)
    first = client.get(url(client, "admin.users"))
    assert len(rows(first)) == 25
    second = url(client, "admin.users", page=2)
    assert page(first).select_one(".govuk-pagination__next a")["href"].startswith(second)
    assert len(rows(client.get(second))) == 6  # 30 people and the admin


def test_editing_roles_is_audited(app, client, admin, make_user):
    user = make_user("referrer")
    post(client, url(client, "admin.user_edit", user_id=user.id), {
        "name": user.name, "email": user.email, "agency_id": str(user.agency_id),
        "roles": ["referrer", "panel_member"], "active": "y",
    })
    (event,) = events(app, "user_updated")
    assert event.detail["changes"] == {"roles": [["referrer"], ["panel_member", "referrer"]]}


def test_deactivating_a_user_signs_them_out_and_keeps_them_out(app, client, admin, make_user):
    user = make_user("referrer")
    their_browser = app.test_client()
    sign_in(their_browser, user)
    post(client, url(client, "admin.user_edit", user_id=user.id), {
        "name": user.name, "email": user.email, "agency_id": str(user.agency_id),
        "roles": ["referrer"],
    })
    assert their_browser.get(url(app, "home.referrer")).headers["Location"].startswith(
        url(app, "auth.sign_in"))
    assert error_summary(sign_in(app.test_client(), user)) == [
        "Enter a correct email address and password"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"roles": ["chair"]}, "You cannot remove your own administrator role"),
        ({"active": None}, "You cannot deactivate your own account"),
    ],
)
def test_an_administrator_cannot_lock_themselves_out(app, client, admin, changes, message):
    form = {"name": admin.name, "email": admin.email, "agency_id": str(admin.agency_id),
            "roles": ["admin"], "active": "y", **changes}
    response = post(client, url(client, "admin.user_edit", user_id=admin.id),
                    {k: v for k, v in form.items() if v is not None})
    assert error_summary(response) == [message]
    assert events(app, "user_updated") == []


def test_resetting_a_password_replaces_the_old_one(app, client, admin, make_user):
    user = make_user("referrer")
    response = post(client, url(client, "admin.user_reset_password", user_id=user.id))
    assert page(response).select_one(".govuk-panel__title").get_text(strip=True) == (
        "Password reset")
    assert events(app, "password_reset")
    assert error_summary(sign_in(app.test_client(), user)) == [
        "Enter a correct email address and password"]


def test_an_unknown_user_is_page_not_found(client, admin):
    assert heading(client.get(url(client, "admin.user_edit", user_id=9999))) == "Page not found"


# The audit log ---------------------------------------------------------------------------------


def test_the_audit_log_lists_events_newest_first_and_filters_them(client, admin, make_user):
    make_user("referrer", name="Hannah Okafor", email="hannah@example.org")
    sign_in(client.application.test_client(), type("U", (), {
        "email": "hannah@example.org", "password": "wrong-password"}))
    log = lambda **query: rows(client.get(url(client, "admin.audit_log", **query)))  # noqa: E731
    assert [row[2] for row in log()] == ["sign in failed", "signed in"]
    assert [row[2] for row in log(action="signed_in")] == ["signed in"]
    assert [row[1] for row in log(actor="hannah")] == ["Hannah Okafor"]
    assert log(object_type="agency") == []


def test_the_audit_log_filters_by_date(client, admin):
    in_range = url(client, "admin.audit_log", date_from=["1", "1", "2020"])
    assert len(rows(client.get(in_range))) == 1
    before = url(client, "admin.audit_log", date_to=["1", "1", "2020"])
    assert rows(client.get(before)) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": ["31", "2", "2026"]}, "'From' must be a real date"),
        ({"date_from": ["2", "1", "2026"], "date_to": ["1", "1", "2026"]},
         "'To' must be the same as or after 'From'"),
    ],
)
def test_the_audit_log_explains_bad_dates(client, admin, query, message):
    assert error_summary(client.get(url(client, "admin.audit_log", **query))) == [message]


def test_audit_events_cannot_be_changed_or_deleted(app, db, client, admin):
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent)).first()
        event.action = "tampered"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("DELETE FROM audit_event"))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) >= 1
