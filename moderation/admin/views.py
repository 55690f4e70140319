"""Administration: agencies, user accounts and the audit log."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from moderation.admin import services
from moderation.admin.forms import AgencyForm, AuditFilterForm, ResetPasswordForm, UserForm
from moderation.extensions import db
from moderation.models import Agency, Role, User
from moderation.web.access import roles_required
from moderation.web.forms import add_error, choices, id_from

bp = Blueprint("admin", __name__, url_prefix="/admin")

AGENCY_MANAGERS = (Role.ADMIN, Role.PARTNERSHIP_MANAGER)


@bp.route("/")
@roles_required(Role.ADMIN)
def home():
    return render_template("admin/home.html", overview=services.overview())


@bp.route("/agencies")
@roles_required(*AGENCY_MANAGERS)
def agencies():
    return render_template("admin/agencies.html", rows=services.agencies_with_user_counts())


@bp.route("/agencies/new", methods=["GET", "POST"])
@roles_required(*AGENCY_MANAGERS)
def agency_new():
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency = services.create_agency(form.name.data, form.kind.data, form.is_core.data)
        except services.AdminError as error:
            add_error(getattr(form, error.field), str(error))
        else:
            db.session.commit()
            flash(f"{agency.name} has been added.", "success")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=None)


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@roles_required(*AGENCY_MANAGERS)
def agency_edit(agency_id):
    agency = db.get_or_404(Agency, agency_id)
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        try:
            services.update_agency(agency, form.name.data, form.kind.data, form.is_core.data)
        except services.AdminError as error:
            add_error(getattr(form, error.field), str(error))
        else:
            db.session.commit()
            flash(f"{agency.name} has been updated.", "success")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=agency)


@bp.route("/users")
@roles_required(Role.ADMIN)
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
        "admin/users.html", page=page, filters=filters, agencies=services.agencies()
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
@roles_required(Role.ADMIN)
def user_new():
    form = _user_form()
    if form.validate_on_submit():
        try:
            user, password = services.create_user(
                form.name.data, form.email.data, form.agency_id.data, form.roles.data,
                form.active.data,
            )
        except services.AdminError as error:
            add_error(getattr(form, error.field), str(error))
        else:
            db.session.commit()
            # Shown once, on this page only: never stored in the session or a flash message.
            return render_template("admin/temporary_password.html", user=user, password=password,
                                   created=True)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id):
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            services.update_user(
                user, current_user, form.name.data, form.email.data, form.agency_id.data,
                form.roles.data, form.active.data,
            )
        except services.AdminError as error:
            db.session.rollback()
            add_error(getattr(form, error.field), str(error))
        else:
            db.session.commit()
            flash(f"{user.name}'s account has been updated.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user,
                           reset_form=ResetPasswordForm())


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@roles_required(Role.ADMIN)
def user_reset_password(user_id):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.user_edit", user_id=user.id))
    password = services.reset_password(user)
    db.session.commit()
    return render_template("admin/temporary_password.html", user=user, password=password,
                           created=False)


@bp.route("/audit")
@roles_required(Role.ADMIN)
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
@roles_required(Role.ADMIN)
def outbox():
    from moderation.models import EmailStatus
    from moderation.notifications import delivery

    status = request.args.get("status") or None
    if status and not EmailStatus.has(status):
        status = None
    return render_template("admin/outbox.html", messages=delivery.outbox(status),
                           status=status, statuses=EmailStatus.choices(),
                           delivery_mode=current_app.config["MAIL_DELIVERY"])


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@roles_required(Role.ADMIN)
def outbox_retry(message_id):
    from moderation.models import EmailMessage
    from moderation.notifications import delivery

    message = db.session.get(EmailMessage, message_id)
    if message is None:
        abort(404)
    delivery.retry(message, current_user)
    db.session.commit()
    flash("The email will be sent again within a minute.", "success")
    return redirect(url_for("admin.outbox"))
