"""The retention schedule, the retention job's reports, legal holds on disputes, and the open
disputes with no activity, each withdrawn or held."""

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
from sqlalchemy.orm import joinedload

from moderation.calendar import today
from moderation.models import Dispute, LegalHold, RecordKind
from moderation.retention import (  # noqa: F401 (permissions: its rules)
    holds,
    inactivity,
    job,
    permissions,
    schedule,
    withdrawal,
)
from moderation.retention.forms import HoldForm, ReleaseForm, RuleForm, WithdrawForm
from moderation.web import audit
from moderation.web.access import permits
from moderation.web.boundary import on_refusal
from moderation.web.forms import id_from
from moderation.web.permissions import can, record_or_404

bp = Blueprint("retention", __name__)
DUE_LISTED = 50  # the due disputes a page names; `flask retention --dry-run` names every one


# The schedule ----------------------------------------------------------------------------------


@bp.route("/retention", endpoint="schedule")
@permits("retention.schedule")
def show_schedule():
    lifetime = current_app.permanent_session_lifetime
    rules = schedule.rules()
    return render_template(
        "retention/schedule.html",
        rules=[(rule, schedule.kept_for(rule, lifetime), schedule.WHAT_HAPPENS[rule.record_kind])
               for rule in rules])


@bp.route("/retention/<kind>", methods=["GET", "POST"])
@permits("retention.set_schedule")
def edit_rule(kind):
    rule = schedule.rule(kind) if RecordKind.has(kind) else None
    if rule is None:
        abort(404)
    form = RuleForm.for_rule(rule)
    page = lambda problems=(): render_template(  # noqa: E731
        "retention/edit_rule.html", rule=rule, form=form,
        warning=schedule.shorter_warning(rule))
    on_refusal(page, form, field="reason")
    if not form.validate_on_submit():
        return page()
    shorter = schedule.change(rule, current_user, **form.typed())
    flash(_changed(rule, shorter), "success")
    return redirect(url_for("retention.schedule"))


def _changed(rule, shorter):
    said = f"The rule for {schedule.NOUNS[rule.record_kind]} has been changed."
    if shorter:
        said += f" The period is now shorter: {schedule.shorter_means(rule)}."
    return said


# The runs report -------------------------------------------------------------------------------


@bp.route("/retention/runs")
@permits("retention.runs")
def runs():
    page = schedule.runs_page(id_from(request.args, "page") or 1,
                              current_app.config["LIST_PAGE_SIZE"])
    return render_template("retention/runs.html", page=page, in_words=schedule.counts_in_words)


@bp.route("/retention/due")
@permits("retention.runs")
def due():
    """What the retention job would do if it ran now: counted, nothing changed."""
    preview = job.preview(today(), listed=DUE_LISTED)
    audit.record("retention_due_viewed", object_type="dispute",
                 due=preview.counts["disputes_anonymised"], listed=len(preview.references))
    return render_template("retention/due.html", preview=preview, listed=DUE_LISTED,
                           lines=schedule.counts_in_words(preview.counts))


# Legal holds -----------------------------------------------------------------------------------


@bp.route("/retention/holds", endpoint="holds")
@permits("retention.holds")
def holds_page():
    active, released = holds.listed()
    audit.record("legal_holds_viewed", object_type="legal_hold")
    return render_template("retention/holds.html", active=active, released=released,
                           released_listed=holds.RELEASED_LISTED)


@bp.route("/disputes/<int:dispute_id>/hold", methods=["GET", "POST"])
@permits("dispute.hold")
def hold(dispute_id):
    dispute = record_or_404(Dispute, dispute_id, "dispute.hold")
    audit.record("dispute_viewed", dispute, page="hold")
    form = HoldForm()
    page = lambda problems=(): render_template(  # noqa: E731
        "retention/hold.html", dispute=dispute, form=form)
    on_refusal(page, form, field="reason")
    if not form.validate_on_submit():
        return page()
    holds.place(dispute, current_user, form.reason.data)
    return _back_to(dispute, "The dispute is on legal hold: the retention schedule will not "
                             "anonymise it until the hold is released.")


@bp.route("/holds/<int:hold_id>/release", methods=["GET", "POST"])
@permits("hold.release")
def release(hold_id):
    hold = record_or_404(LegalHold, hold_id, "hold.release", joinedload(LegalHold.dispute))
    audit.record("dispute_viewed", hold.dispute, page="release_hold")
    form = ReleaseForm()
    page = lambda problems=(): render_template(  # noqa: E731
        "retention/release.html", hold=hold, dispute=hold.dispute, form=form)
    on_refusal(page, form, field="reason")
    if not form.validate_on_submit():
        return page()
    holds.release(hold, current_user, form.reason.data)
    return _back_to(hold.dispute, "The legal hold has been released: the retention schedule "
                                  "applies to the dispute again.")


# Open disputes with no activity -------------------------------------------------------------


@bp.route("/retention/inactive")
@permits("retention.inactive")
def inactive():
    """The open disputes nobody has acted on for the schedule's period, to withdraw or hold."""
    listed = inactivity.page(today(), id_from(request.args, "page") or 1,
                             current_app.config["LIST_PAGE_SIZE"])
    audit.record("dispute_list_viewed", object_type="dispute", list="inactive",
                 listed=len(listed.items))
    return render_template("retention/inactive.html", page=listed,
                           period=inactivity.period_in_words())


@bp.route("/disputes/<int:dispute_id>/withdraw", methods=["GET", "POST"])
@permits("dispute.withdraw")
def withdraw(dispute_id):
    dispute = record_or_404(Dispute, dispute_id, "dispute.withdraw")
    audit.record("dispute_viewed", dispute, page="withdraw")
    form = WithdrawForm()
    page = lambda problems=(): render_template(  # noqa: E731
        "retention/withdraw.html", dispute=dispute, form=form,
        panel=withdrawal.panel_hearing(dispute, today()))
    on_refusal(page, form, field="reason")
    if not form.validate_on_submit():
        return page()
    withdrawal.withdraw(dispute, current_user, form.reason.data, today())
    flash(f"Dispute {dispute.reference} has been withdrawn: it is closed. The referrer and CSC "
          "have been told.", "success")
    return redirect(url_for("disputes.show", dispute_id=dispute.id))


def _back_to(dispute, message):
    flash(message, "success")
    if can(current_user, "dispute.page", dispute):
        return redirect(url_for("disputes.show", dispute_id=dispute.id))
    return redirect(url_for("retention.holds"))
