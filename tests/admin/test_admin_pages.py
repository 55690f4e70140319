"""Administrators manage agencies and users; every change is audited; the log is append-only."""

import pytest
import sqlalchemy as sa

from moderation.models import Agency, AuditEvent, User
from moderation.models.audit import AppendOnlyError
from tests.helpers import ClientRequest, banners, error_summary, heading


def rows(page):
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in page.select("tbody tr")
    ]


def signing_in(app, email, password, _expected_status=302):
    """A new browser posting the sign-in form: where it leads, or the form refused."""
    return ClientRequest(app.test_client()).post(
        "auth.sign_in", {"email": email, "password": password}, _expected_status=_expected_status)


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
    """The administrator, signed in on the test's client (the one `client_request` asks with)."""
    return signed_in("admin", name="Alex Admin", email="alex.admin@example.org")


# Agencies --------------------------------------------------------------------------------------


def test_agencies_list_shows_kind_core_flag_and_active_users(
        client_request, admin, make_agency, make_user):
    police = make_agency("Northshire Police", kind="police", is_core=True)
    make_user("panel_member", agency_id=police)
    make_user("panel_member", agency_id=police, active=False)
    table = rows(client_request.get("admin.agencies"))
    assert ["Northshire Police", "Police", "Core", "1", "Change Northshire Police"] in table


def test_adding_an_agency(app, client_request, admin):
    response = client_request.post(
        "admin.agency_new", {"name": "Northshire Police", "kind": "police", "is_core": "y"},
        _follow_redirects=True)
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
def test_agency_form_mistakes_are_explained_and_change_nothing(
        app, client_request, admin, make_agency, form, message):
    make_agency("Northshire Police", kind="police")
    before = count(app, Agency)
    response = client_request.post("admin.agency_new", form, _expected_status=200)
    assert error_summary(response) == [message]
    assert count(app, Agency) == before
    assert events(app, "agency_created") == []


def test_editing_an_agency_records_what_changed(app, client_request, admin, make_agency):
    agency = make_agency("Northshire Polise", kind="police")
    client_request.post("admin.agency_edit",
                        {"name": "Northshire Police", "kind": "police", "is_core": "y"},
                        agency_id=agency)
    (event,) = events(app, "agency_updated")
    assert event.detail["changes"] == {
        "name": ["Northshire Polise", "Northshire Police"], "is_core": [False, True],
    }


def test_a_partnership_manager_can_manage_agencies(client_request, signed_in):
    signed_in("partnership_manager")
    response = client_request.post("admin.agency_new",
                                   {"name": "Northshire Schools", "kind": "education"},
                                   _follow_redirects=True)
    assert "Northshire Schools has been added." in banners(response)


# Users -----------------------------------------------------------------------------------------


def new_user_form(agency, **changes):
    form = {"name": "Sam Carter", "email": "Sam.Carter@Example.org", "agency_id": str(agency),
            "roles": ["panel_member"], "active": "y"}
    form.update(changes)
    return form


def test_creating_a_user_shows_a_temporary_password_once(app, client_request, admin, make_agency):
    agency = make_agency("Northshire Police", kind="police")
    response = client_request.post("admin.user_new", new_user_form(agency), _expected_status=200)
    assert response.select_one(".govuk-panel__title").get_text(strip=True) == (
        "Account created")
    password = response.select_one("#temporary-password").get_text(strip=True)
    (event,) = events(app, "user_created")
    assert event.detail["email"] == "sam.carter@example.org"
    assert password not in str(event.detail)
    new_user = ClientRequest(app.test_client())
    signed_in = new_user.post("auth.sign_in",
                              {"email": "sam.carter@example.org", "password": password})
    assert signed_in.response.location == new_user.url("home.index")
    home = new_user.get("home.index", _expected_status=302)
    assert home.response.location == new_user.url("auth.change_password")


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
def test_user_form_mistakes_are_explained_and_create_nothing(
        app, client_request, admin, make_agency, changes, message):
    agency = make_agency()
    before = count(app, User)
    response = client_request.post("admin.user_new", new_user_form(agency, **changes),
                                   _expected_status=200)
    assert message in error_summary(response)
    assert heading(response) == "Add a user"
    assert count(app, User) == before


def test_users_can_be_found_by_name_role_agency_and_status(
        client_request, admin, make_agency, make_user):
    police = make_agency("Northshire Police", kind="police")
    make_user("chair", name="Ruth Lawson", agency_id=police)
    make_user("referrer", name="Hannah Okafor")
    make_user("referrer", name="Gone Away", active=False)
    names = lambda **query: [  # noqa: E731
        row[0] for row in rows(client_request.get("admin.users", **query))]
    assert names(search="okafor") == ["Hannah Okafor"]
    assert names(role="chair") == ["Ruth Lawson"]
    assert names(agency=police) == ["Ruth Lawson"]
    assert names(status="inactive") == ["Gone Away"]


def test_the_user_list_is_paginated(client_request, admin, make_agency, make_user):
    agency = make_agency()
    for number in range(30):
        make_user("referrer", name=f"Person {number:02d}", agency_id=agency)
    first = client_request.get("admin.users")
    assert len(rows(first)) == 25
    second = client_request.url("admin.users", page=2)
    assert first.select_one(".govuk-pagination__next a")["href"].startswith(second)
    assert len(rows(client_request.get("admin.users", page=2))) == 6  # 30 people and the admin


def test_editing_roles_is_audited(app, client_request, admin, make_user):
    user = make_user("referrer")
    client_request.post("admin.user_edit", {
        "name": user.name, "email": user.email, "agency_id": str(user.agency_id),
        "roles": ["referrer", "panel_member"], "active": "y",
    }, user_id=user.id)
    (event,) = events(app, "user_updated")
    assert event.detail["changes"] == {"roles": [["referrer"], ["panel_member", "referrer"]]}


def test_deactivating_a_user_signs_them_out_and_keeps_them_out(
        app, client_request, as_, admin, make_user):
    user = make_user("referrer")
    their_browser = as_(user)
    client_request.post("admin.user_edit", {
        "name": user.name, "email": user.email, "agency_id": str(user.agency_id),
        "roles": ["referrer"],
    }, user_id=user.id)
    turned_away = their_browser.get("home.referrer", _expected_status=302)
    assert turned_away.response.location.startswith(their_browser.url("auth.sign_in"))
    assert error_summary(signing_in(app, user.email, user.password, _expected_status=200)) == [
        "Enter a correct email address and password"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"roles": ["chair"]}, "You cannot remove your own administrator role"),
        ({"active": None}, "You cannot deactivate your own account"),
    ],
)
def test_an_administrator_cannot_lock_themselves_out(app, client_request, admin, changes, message):
    form = {"name": admin.name, "email": admin.email, "agency_id": str(admin.agency_id),
            "roles": ["admin"], "active": "y", **changes}
    response = client_request.post("admin.user_edit",
                                   {k: v for k, v in form.items() if v is not None},
                                   _expected_status=200, user_id=admin.id)
    assert error_summary(response) == [message]
    assert events(app, "user_updated") == []


def test_resetting_a_password_replaces_the_old_one(app, client_request, admin, make_user):
    user = make_user("referrer")
    response = client_request.post("admin.user_reset_password", _expected_status=200,
                                   user_id=user.id)
    assert response.select_one(".govuk-panel__title").get_text(strip=True) == (
        "Password reset")
    assert events(app, "password_reset")
    assert error_summary(signing_in(app, user.email, user.password, _expected_status=200)) == [
        "Enter a correct email address and password"]


def test_an_unknown_user_is_page_not_found(client_request, admin):
    missing = client_request.get("admin.user_edit", _expected_status=404, user_id=9999)
    assert heading(missing) == "Page not found"


# The audit log ---------------------------------------------------------------------------------


def test_the_audit_log_lists_events_newest_first_and_filters_them(client_request, admin, make_user):
    make_user("referrer", name="Hannah Okafor", email="hannah@example.org")
    signing_in(client_request.client.application, "hannah@example.org", "wrong-password",
               _expected_status=200)
    log = lambda **query: rows(client_request.get("admin.audit_log", **query))  # noqa: E731
    assert [row[2] for row in log()] == ["sign in failed", "signed in"]
    assert [row[2] for row in log(action="signed_in")] == ["signed in"]
    assert [row[1] for row in log(actor="hannah")] == ["Hannah Okafor"]
    assert log(object_type="agency") == []


def test_the_audit_log_filters_by_date(client_request, admin):
    in_range = client_request.get("admin.audit_log", date_from=["1", "1", "2020"])
    assert len(rows(in_range)) == 1
    before = client_request.get("admin.audit_log", date_to=["1", "1", "2020"])
    assert rows(before) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": ["31", "2", "2026"]}, "'From' must be a real date"),
        ({"date_from": ["2", "1", "2026"], "date_to": ["1", "1", "2026"]},
         "'To' must be the same as or after 'From'"),
    ],
)
def test_the_audit_log_explains_bad_dates(client_request, admin, query, message):
    assert error_summary(client_request.get("admin.audit_log", **query)) == [message]


def test_audit_events_cannot_be_changed_or_deleted(app, db, client_request, admin):
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
