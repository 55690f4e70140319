"""Administration: agencies, user accounts and the audit log."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from moderation.admin import permissions, services  # noqa: F401 (its rules)
from moderation.admin.forms import AgencyForm, AuditFilterForm, ResetPasswordForm, UserForm
from moderation.models import Agency, EmailMessage, EmailStatus, Role, User
from moderation.notifications import delivery
from moderation.web.access import permits
from moderation.web.boundary import on_refusal
from moderation.web.forms import choices, id_from
from moderation.web.permissions import record_or_404

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@permits("admin.overview")
def home():
    return render_template("admin/home.html", overview=services.overview())


@bp.route("/agencies")
@permits("agencies.manage")
def agencies():
    return render_template("admin/agencies.html", rows=services.agencies_with_user_counts())


@bp.route("/agencies/new", methods=["GET", "POST"])
@permits("agencies.manage")
def agency_new():
    form = AgencyForm()
    on_refusal(lambda problems: _agency_page(form), form)
    if not form.validate_on_submit():
        return _agency_page(form)
    agency = services.create_agency(form.name.data, form.kind.data, form.is_core.data)
    flash(f"{agency.name} has been added.", "success")
    return redirect(url_for("admin.agencies"))


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@permits("agencies.manage")
def agency_edit(agency_id):
    agency = record_or_404(Agency, agency_id, "agencies.manage")
    form = AgencyForm(obj=agency)
    on_refusal(lambda problems: _agency_page(form, agency), form)
    if not form.validate_on_submit():
        return _agency_page(form, agency)
    services.update_agency(agency, form.name.data, form.kind.data, form.is_core.data)
    flash(f"{agency.name} has been updated.", "success")
    return redirect(url_for("admin.agencies"))


def _agency_page(form, agency=None):
    return render_template("admin/agency_form.html", form=form, agency=agency)


@bp.route("/users")
@permits("accounts.manage")
def users():
    filters = {
        "search": request.args.get("search", "").strip(),
        "role": request.args.get("role") if request.args.get("role") in set(Role) else "",
        "agency_id": id_from(request.args, "agency"),
        "status": request.args.get("status", ""),
    }
    page = services.users_page(
        id_from(request.args, "page") or 1, current_app.config["LIST_PAGE_SIZE"], **filters
    )
    return render_template(
        "admin/users.html", page=page, filters=filters, agencies=services.agencies(), roles=Role
    )


def _user_form(user=None):
    form = UserForm(obj=user)
    agencies = services.agencies()
    form.set_agency_choices(agencies)
    if request.method == "GET":
        if user is None:
            form.active.data = True
        else:
            form.roles.data = [role.value for role in user.roles]
    return form


@bp.route("/users/new", methods=["GET", "POST"])
@permits("accounts.manage")
def user_new():
    form = _user_form()
    on_refusal(lambda problems: _user_page(form), form)
    if not form.validate_on_submit():
        return _user_page(form)
    user, password = services.create_user(
        form.name.data, form.email.data, form.agency_id.data, form.roles.data, form.active.data,
    )
    # Shown once, on this page only: never stored in the session or a flash message.
    return render_template("admin/temporary_password.html", user=user, password=password,
                           created=True)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@permits("accounts.manage")
def user_edit(user_id):
    user = record_or_404(User, user_id, "accounts.manage")
    form = _user_form(user)
    on_refusal(lambda problems: _user_page(form, user), form)
    if not form.validate_on_submit():
        return _user_page(form, user)
    services.update_user(
        user, current_user, form.name.data, form.email.data, form.agency_id.data,
        form.roles.data, form.active.data,
    )
    flash(f"{user.name}'s account has been updated.", "success")
    return redirect(url_for("admin.users"))


def _user_page(form, user=None):
    if user is None:
        return render_template("admin/user_form.html", form=form, user=None)
    return render_template("admin/user_form.html", form=form, user=user,
                           reset_form=ResetPasswordForm())


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@permits("accounts.manage")
def user_reset_password(user_id):
    user = record_or_404(User, user_id, "accounts.manage")
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.user_edit", user_id=user.id))
    password = services.reset_password(user)
    return render_template("admin/temporary_password.html", user=user, password=password,
                           created=False)


@bp.route("/audit")
@permits("audit.read")
def audit_log():
    form = AuditFilterForm(request.args)
    actions, object_types = services.audit_choices()
    action_names = [(action, action.replace("_", " ")) for action in actions]
    form.action.choices = choices([("", "Any action")] + action_names)
    form.object_type.choices = choices([("", "Any record")] + [(t, t) for t in object_types])
    filters = {}
    if form.validate():
        filters = {
            "action": form.action.data or None,
            "actor": form.actor.data or None,
            "object_type": form.object_type.data or None,
            "start": form.date_from.data,
            "end": form.date_to.data,
        }
    page = services.audit_page(
        id_from(request.args, "page") or 1, current_app.config["AUDIT_PAGE_SIZE"], **filters
    )
    return render_template("admin/audit.html", form=form, page=page)


@bp.route("/outbox")
@permits("outbox.manage")
def outbox():
    status = request.args.get("status") or None
    if status and not EmailStatus.has(status):
        status = None
    return render_template("admin/outbox.html", messages=delivery.outbox(status),
                           status=status, statuses=EmailStatus.choices(),
                           delivery_mode=current_app.config["MAIL_DELIVERY"])


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@permits("outbox.manage")
def outbox_retry(message_id):
    message = record_or_404(EmailMessage, message_id, "outbox.manage")
    delivery.retry(message, current_user)
    flash("The email will be sent again within a minute.", "success")
    return redirect(url_for("admin.outbox"))
