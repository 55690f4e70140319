"""Raising, viewing, answering and escalating disputes; the escalation policy; the panel queue."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from moderation.disputes import queue, services
from moderation.disputes.forms import (
    SETTLE,
    ConfirmDecisionForm,
    EscalateForm,
    PolicyStageForm,
    RaiseDisputeForm,
    RespondForm,
    UrgentContactForm,
)
from moderation.extensions import db
from moderation.models import Dispute, Role
from moderation.voting.services import decisions_on
from moderation.web import audit
from moderation.web.access import roles_required, signed_in
from moderation.web.forms import add_error, choices, id_from

bp = Blueprint("disputes", __name__)

VIEWERS = (Role.REFERRER, Role.CSC_MANAGER, Role.CHAIR, Role.PARTNERSHIP_MANAGER)


def _viewable_dispute(dispute_id, page):
    """The dispute, if this user may see it (rule 12); the view is audited."""
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None or not services.can_view(current_user, dispute):
        abort(404)  # never confirm that someone else's dispute exists
    audit.record("dispute_viewed", dispute, page=page)
    return dispute


# Raising a dispute -----------------------------------------------------------------------------


@bp.route("/disputes/new", methods=["GET", "POST"])
@roles_required(Role.REFERRER)
def raise_dispute():
    policy = services.current_policy()
    form = RaiseDisputeForm()
    if request.method == "GET" or request.form.get("action") == "change":
        # Back from the check-answers page: the answers refill the form, unvalidated.
        return render_template("disputes/raise.html", form=form, policy=policy)
    if not form.validate_on_submit() or not _dates_hold(form):
        return render_template("disputes/raise.html", form=form, policy=policy)
    if request.form.get("action") != "submit":
        return render_template("disputes/check.html", form=form, policy=policy)
    dispute = services.raise_dispute(current_user, _answers(form))
    db.session.commit()
    return redirect(url_for("disputes.raised", dispute_id=dispute.id))


def _answers(form):
    data = {name: field.data for name, field in form._fields.items()
            if name not in ("submit", "csrf_token")}
    data["immediate_risk"] = data["immediate_risk"] == "yes"
    return services.DisputeAnswers(**data)


def _dates_hold(form):
    problems = services.check_dates(_answers(form), services.today())
    for name, message in problems.items():
        add_error(getattr(form, name), message)
    return not problems


@bp.route("/disputes/<int:dispute_id>/raised")
@roles_required(Role.REFERRER)
def raised(dispute_id):
    dispute = _viewable_dispute(dispute_id, "raised")
    db.session.commit()
    if dispute.current_stage is None or dispute.current_stage is not dispute.stages[0]:
        # The confirmation tells what happens at stage 1; once the dispute has moved on (a
        # bookmark, the back button), the dispute page is what still makes sense.
        return redirect(url_for("disputes.show", dispute_id=dispute.id))
    return render_template("disputes/raised.html", dispute=dispute,
                           policy=services.current_policy(), clock=services.clock)


# The dispute page ------------------------------------------------------------------------------


@bp.route("/disputes/<int:dispute_id>")
@roles_required(*VIEWERS)
def show(dispute_id):
    dispute = _viewable_dispute(dispute_id, "dispute")
    db.session.commit()
    mismatch = services.mismatch(dispute)
    return render_template(
        "disputes/show.html", dispute=dispute, clock=services.clock, mismatch=mismatch,
        mismatch_meaning=services.MISMATCH_MEANING.get(mismatch),
        can_escalate=_may_escalate(dispute), can_answer=_may_answer(dispute),
        repeat_visible=dispute.repeat_of and services.can_view(current_user, dispute.repeat_of),
        policy=services.current_policy(), decisions=decisions_on(dispute),
    )


def _may_escalate(dispute):
    owner = dispute.referrer_id == current_user.id
    return (owner or current_user.has_role(Role.CSC_MANAGER)) and services.can_escalate(dispute)


def _may_answer(dispute):
    try:
        services.check_can_answer(dispute, current_user)
    except services.DisputeError:
        return False
    return True


@bp.route("/disputes/<int:dispute_id>/confirm", methods=["GET", "POST"])
@roles_required(Role.CSC_MANAGER)
def confirm(dispute_id):
    dispute = _viewable_dispute(dispute_id, "confirm")
    form = ConfirmDecisionForm(obj=dispute if request.method == "GET" else None)
    if request.method == "GET":
        form.csc_recorded_as.data = dispute.effective_recorded_as
        form.csc_outcome.data = dispute.effective_outcome
    form.set_decision_makers(queue.csc_managers())
    if form.validate_on_submit():
        return _act(dispute, lambda: services.confirm_decision(
            dispute, current_user, form.csc_recorded_as.data, form.csc_outcome.data,
            form.decision_maker_id.data), "CSC's decision has been recorded.", form)
    db.session.commit()
    return render_template("disputes/confirm.html", dispute=dispute, form=form)


@bp.route("/disputes/<int:dispute_id>/respond", methods=["GET", "POST"])
@roles_required(Role.CSC_MANAGER)
def respond(dispute_id):
    dispute = _viewable_dispute(dispute_id, "respond")
    form = RespondForm()
    if form.validate_on_submit():
        def answer():
            services.respond(dispute, current_user, form.response.data)
            if form.next_step.data == SETTLE:
                services.settle(dispute, current_user, form.settlement_outcome.data,
                                form.settlement_note.data)
        message = ("The dispute is settled and the referrer has been told."
                   if form.next_step.data == SETTLE else "Your response has been sent.")
        return _act(dispute, answer, message, form, field="response")
    db.session.commit()
    return render_template("disputes/respond.html", dispute=dispute, form=form,
                           stage=dispute.current_stage)


@bp.route("/disputes/<int:dispute_id>/escalate", methods=["GET", "POST"])
@roles_required(Role.REFERRER, Role.CSC_MANAGER)
def escalate(dispute_id):
    dispute = _viewable_dispute(dispute_id, "escalate")
    if not _may_escalate(dispute):
        db.session.commit()
        flash("This dispute cannot be escalated now.", "info")
        return redirect(url_for("disputes.show", dispute_id=dispute.id))
    form = EscalateForm()
    form.to_position.choices = _escalation_choices(dispute)
    if request.method == "GET":
        form.to_position.data = dispute.current_stage.position + 1
    if form.validate_on_submit():
        return _act(dispute, lambda: services.escalate(
            dispute, current_user, form.to_position.data, form.skip_reason.data),
            "The dispute has been escalated.", form, field="to_position")
    db.session.commit()
    return render_template("disputes/escalate.html", dispute=dispute, form=form)


def _escalation_choices(dispute):
    stages = services.current_policy().stages
    later = [(s.position, f"Stage {s.position}: {s.name}") for s in stages
             if s.position > dispute.current_stage.position]
    return choices(later + [(len(stages) + 1, "The threshold moderation panel")])


def _act(dispute, action, message, form, field=None):
    """Run a service action; commit and go back to the dispute, or show the refusal."""
    try:
        action()
    except services.DisputeError as error:
        db.session.rollback()
        target = getattr(form, error.field or field or "submit")
        add_error(target, str(error))
        dispute = db.session.get(Dispute, dispute.id)
        page = request.endpoint.split(".")[1]
        return render_template(f"disputes/{page}.html", dispute=dispute, form=form,
                               stage=dispute.current_stage)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("disputes.show", dispute_id=dispute.id))


# The escalation policy -------------------------------------------------------------------------


@bp.route("/policy")
@signed_in
def policy():
    return render_template("disputes/policy.html", policy=services.current_policy())


@bp.route("/policy/stages/<int:position>/edit", methods=["GET", "POST"])
@bp.route("/policy/stages/new", methods=["GET", "POST"], defaults={"position": None})
@roles_required(Role.PARTNERSHIP_MANAGER)
def policy_stage(position):
    stages = services.policy_terms()
    if position is not None and not 1 <= position <= len(stages):
        abort(404)
    current = stages[position - 1] if position else None
    form = PolicyStageForm(data=_stage_form_data(current) if current else None)
    if form.validate_on_submit():
        terms = {
            "name": form.name.data.strip(), "who_acts": form.who_acts.data.strip(),
            "answering_role": form.answering_role.data, "working_days": form.working_days.data,
            "independent": form.independent.data == "yes",
        }
        if position:
            stages[position - 1] = terms
        else:
            stages.append(terms)
        services.update_policy(current_user, services.current_policy().urgent_contact, stages)
        db.session.commit()
        flash("The escalation policy has been updated. Stages already running keep their "
              "time limits.", "success")
        return redirect(url_for("disputes.policy"))
    return render_template("disputes/policy_stage.html", form=form, position=position)


def _stage_form_data(terms):
    return {**terms, "independent": "yes" if terms["independent"] else "no"}


@bp.route("/policy/stages/<int:position>/remove", methods=["POST"])
@roles_required(Role.PARTNERSHIP_MANAGER)
def policy_stage_remove(position):
    policy = services.current_policy()
    stages = services.policy_terms()
    if not 1 <= position <= len(stages):
        abort(404)
    if len(stages) == 1:
        flash("The policy needs at least one stage before the panel.", "info")
        return redirect(url_for("disputes.policy"))
    del stages[position - 1]
    services.update_policy(current_user, policy.urgent_contact, stages)
    db.session.commit()
    flash("The stage has been removed. Disputes already at it keep their clocks.", "success")
    return redirect(url_for("disputes.policy"))


@bp.route("/policy/urgent-contact", methods=["GET", "POST"])
@roles_required(Role.PARTNERSHIP_MANAGER)
def urgent_contact():
    policy = services.current_policy()
    form = UrgentContactForm(obj=policy)
    if form.validate_on_submit():
        stages = services.policy_terms()
        services.update_policy(current_user, form.urgent_contact.data, stages)
        db.session.commit()
        flash("The urgent contact has been updated.", "success")
        return redirect(url_for("disputes.policy"))
    return render_template("disputes/urgent_contact.html", form=form)


# The panel queue -------------------------------------------------------------------------------


@bp.route("/queue")
@roles_required(Role.CHAIR, Role.PARTNERSHIP_MANAGER)
def panel_queue():
    filters = queue.QueueFilters.from_args(request.args)
    # A page number is bounded like an id: a huge one would overflow the database's OFFSET.
    page = queue.page(filters, id_from(request.args, "page") or 1,
                      current_app.config["LIST_PAGE_SIZE"])
    audit.record("queue_viewed", object_type="queue", page=page.page)
    db.session.commit()
    return render_template("disputes/queue.html", page=page, filters=filters,
                           options=queue.filter_options(filters.agency), today=services.today(),
                           clock=services.clock)


@bp.route("/queue.csv")
@roles_required(Role.CHAIR, Role.PARTNERSHIP_MANAGER)
def panel_queue_csv():
    filters = queue.QueueFilters.from_args(request.args)
    audit.record("queue_exported", object_type="queue", filters=filters.as_args())
    db.session.commit()
    return Response(
        queue.csv_text(filters), mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=panel-queue.csv"},
    )
