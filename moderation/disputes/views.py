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

from moderation.calendar import today
from moderation.disputes import (  # noqa: F401 (permissions: its rules)
    children,
    clock,
    escalating,
    in_words,
    papers,
    permissions,
    queries,
    queue,
    raising,
    responding,
    settling,
    urgent_panel,
)
from moderation.disputes import policy as escalation_policy
from moderation.disputes.documents import services as documents
from moderation.disputes.forms import (
    AddInformationForm,
    ConfirmDecisionForm,
    EscalateForm,
    PolicyStageForm,
    RaiseDisputeForm,
    RecordBirthForm,
    RespondForm,
    SettlementReplyForm,
    TimeLimitsForm,
    UrgentContactForm,
    UrgentStageForm,
)
from moderation.models import Dispute, NextStep, Route
from moderation.web import audit
from moderation.web.access import permits
from moderation.web.boundary import on_refusal
from moderation.web.forms import choices, id_from
from moderation.web.permissions import can, record_or_404

bp = Blueprint("disputes", __name__)
bp.app_template_filter("hours_since_raised")(clock.hours_since_raised)
# "12 March 2019", or "Unborn, due 14 June 2027": wherever the child's date is shown.
bp.app_template_global("born_or_due")(children.born_or_due)
bp.app_template_filter("child_shown")(in_words.child_shown)
# A stage clock's GOV.UK tag colour (disputes/_macros.html).
bp.app_template_filter("clock_tag_class")(clock.tag_class)
# The referrer's additions, wherever a dispute's details are shown (its page, the papers).
bp.app_template_global("dispute_additions")(queries.additions_on)


def _dispute(dispute_id, page, action="dispute.page", *options):
    """The dispute, if this user may take `action` on it (rule 12: else "Page not found", never
    confirming that someone else's dispute exists); the view is audited."""
    dispute = record_or_404(Dispute, dispute_id, action, *options)
    audit.record("dispute_viewed", dispute, page=page)
    return dispute


# Raising a dispute -----------------------------------------------------------------------------


@bp.route("/disputes/new", methods=["GET", "POST"])
@permits("dispute.raise")
def raise_dispute():
    policy = escalation_policy.current_policy()
    form = RaiseDisputeForm()
    if request.method == "GET" or request.form.get("action") == "change":
        # Back from the check-answers page: the answers refill the form, unvalidated.
        return render_template("disputes/raise.html", form=form, policy=policy)
    on_refusal(lambda problems: render_template("disputes/raise.html", form=form, policy=policy),
               form)
    if not form.validate_on_submit():
        return render_template("disputes/raise.html", form=form, policy=policy)
    if request.form.get("action") != "submit":
        raising.check_answers(_answers(form))
        return render_template("disputes/check.html", form=form, policy=policy)
    dispute = raising.raise_dispute(current_user, _answers(form))
    return redirect(url_for("disputes.raised", dispute_id=dispute.id))


def _answers(form):
    data = {name: field.data for name, field in form._fields.items()
            if name not in ("submit", "csrf_token")}
    data["immediate_risk"] = data["immediate_risk"] == "yes"
    return raising.DisputeAnswers(**data)


@bp.route("/disputes/<int:dispute_id>/raised")
@permits("dispute.raise")
def raised(dispute_id):
    dispute = _dispute(dispute_id, "raised")
    if dispute.current_stage is None or dispute.current_stage is not dispute.stages[0]:
        # The confirmation tells what happens at stage 1; once the dispute has moved on (a
        # bookmark, the back button), the dispute page is what still makes sense.
        return redirect(url_for("disputes.show", dispute_id=dispute.id))
    return render_template("disputes/raised.html", dispute=dispute,
                           policy=escalation_policy.current_policy(), clock=clock.clock,
                           told=queries.who_was_told(dispute))


# The dispute page ------------------------------------------------------------------------------


@bp.route("/disputes/<int:dispute_id>")
@permits("dispute.page")
def show(dispute_id):
    dispute = _dispute(dispute_id, "dispute", "dispute.page", *queries.DETAIL)
    return _dispute_page(dispute)


def _dispute_page(dispute, reply_form=None):
    mismatch = in_words.mismatch(dispute)
    return render_template(
        "disputes/show.html", dispute=dispute, clock=clock.clock, mismatch=mismatch,
        mismatch_meaning=in_words.mismatch_meaning(dispute),
        not_independent=responding.independence_conflict(dispute, current_user),
        papers_open=papers.papers_open(dispute),
        policy=escalation_policy.current_policy(), decisions=queries.decisions_on(dispute),
        told=queries.who_was_told(dispute) if dispute.immediate_risk else (),
        hours=clock.hours_since_raised(dispute), csc_actions=queries.actions_on(dispute),
        reply_form=reply_form or SettlementReplyForm(),
        form=reply_form,  # its errors, when answering the settlement was refused
        documents=documents.listed(dispute), urgent=urgent_panel.standing_of(dispute),
    )


@bp.route("/disputes/<int:dispute_id>/settlement", methods=["POST"])
@permits("dispute.reply_to_settlement")
def settlement_reply(dispute_id):
    """The referrer confirms or declines a settlement made on their acceptance."""
    dispute = _dispute(dispute_id, "settlement", "dispute.reply_to_settlement",
                       *queries.DETAIL)
    form = SettlementReplyForm()
    on_refusal(lambda problems: _dispute_page(dispute, form), form, field="reply")
    if not form.validate_on_submit():
        return _dispute_page(dispute, form)
    confirmed = form.reply.data == "confirm"
    settling.reply_to_settlement(dispute, current_user, confirmed)
    return _back_to(dispute, "The dispute is settled." if confirmed else
                    "You declined the settlement: the dispute is back at its stage, and CSC "
                    "has been told. You can escalate it.")


@bp.route("/disputes/<int:dispute_id>/confirm", methods=["GET", "POST"])
@permits("dispute.confirm")
def confirm(dispute_id):
    dispute = _dispute(dispute_id, "confirm", "dispute.confirm")
    form = ConfirmDecisionForm()
    if request.method == "GET":
        form.fill_from(dispute)
    form.set_managers(responding.csc_managers())
    page = lambda problems=(): render_template(  # noqa: E731
        "disputes/confirm.html", dispute=dispute, form=form,
        independent=responding.independent_stages(dispute))
    on_refusal(page, form)
    if not form.validate_on_submit():
        return page()
    responding.confirm_decision(dispute, current_user, form.csc_recorded_as.data,
                                form.csc_outcome.data, record=_csc_record(form))
    return _back_to(dispute, "CSC's decision has been recorded.")


def _csc_record(form):
    return responding.CscRecord(
        rationale=form.csc_rationale.data, decision_maker_id=form.decision_maker_id.data,
        decision_maker_name=form.decision_maker_name.data,
        authorising_manager_id=form.authorising_manager_id.data,
        authorising_manager_name=form.authorising_manager_name.data,
        told_how=form.told_how.data, told_on=form.told_on.data)


@bp.route("/disputes/<int:dispute_id>/respond", methods=["GET", "POST"])
@permits("dispute.answer")
def respond(dispute_id):
    # Who answers this stage, and whether it is still to answer, is the service's rule, said on
    # the page before anyone types a response (not "Page not found"); a response sent anyway is
    # refused again and not kept.
    dispute = _dispute(dispute_id, "respond", "dispute.read", *queries.DETAIL)
    stage = dispute.current_stage
    form = RespondForm()
    if stage is not None:
        form.for_stage(stage, responding.unresolved_means(dispute))
    page = lambda problems=(): render_template(  # noqa: E731
        "disputes/respond.html", dispute=dispute, form=form, stage=stage,
        cannot_answer=responding.why_not_answer(current_user, dispute))
    on_refusal(page, form, field="response")
    if not form.validate_on_submit():
        return page()
    responding.respond(dispute, current_user, form.response.data, form.next_step.data,
                       form.settlement_outcome.data, form.settlement_note.data)
    return _back_to(dispute, _answered_message(dispute, form.next_step.data))


def _answered_message(dispute, next_step):
    """What the person who answered reads next, as the dispute now stands."""
    if next_step == NextStep.SETTLE:
        return "The dispute is settled and the referrer has been told."
    if next_step == NextStep.REFERRER_ACCEPTS:
        return ("The referrer has been asked to confirm the settlement by "
                f"{in_words.settlement_reply_due(dispute)}.")
    if not dispute.immediate_risk:
        return "Your response has been sent. The referrer can escalate the dispute."
    if dispute.queued:
        return ("Your response has been sent. The urgent route has ended unresolved: the panel "
                "chair has been asked to call an extraordinary panel.")
    stage = dispute.current_stage
    return (f"Your response has been sent. The dispute has moved on to stage {stage.position} "
            f"({stage.name}), and whoever answers it has been told.")


@bp.route("/disputes/<int:dispute_id>/escalate", methods=["GET", "POST"])
@permits("dispute.escalate")
def escalate(dispute_id):
    dispute = _dispute(dispute_id, "escalate")
    if not can(current_user, "dispute.escalate", dispute):
        flash("This dispute cannot be escalated now.", "info")
        return redirect(url_for("disputes.show", dispute_id=dispute.id))
    form = EscalateForm()
    form.to_position.choices = _escalation_choices(dispute)
    referrer = dispute.referrer_id == current_user.id
    if referrer:
        form.for_referrer(papers.referrer_manager_candidates(dispute),
                          dispute.referrer_manager_id)
    else:
        form.for_csc()
    if request.method == "GET":
        form.to_position.data = dispute.current_stage.position + 1
    on_refusal(lambda problems: render_template("disputes/escalate.html", dispute=dispute,
                                                form=form), form, field="to_position")
    if form.validate_on_submit():
        escalating.escalate(dispute, current_user, form.to_position.data, form.skip_reason.data,
                            **(_referrer_adds(form) if referrer else {}))
        return _back_to(dispute, "The dispute has been escalated.")
    return render_template("disputes/escalate.html", dispute=dispute, form=form)


def _referrer_adds(form):
    """What the referrer's escalate form adds: their manager named, new information."""
    return {"manager_id": form.referrer_manager_id.data,
            "new_information": form.new_information.data}


@bp.route("/disputes/<int:dispute_id>/information/new", methods=["GET", "POST"])
@permits("dispute.add_information")
def add_information(dispute_id):
    """The referrer (or their named manager) adds information while the papers are open."""
    dispute = _dispute(dispute_id, "add_information", "dispute.add_information")
    form = AddInformationForm()
    page = lambda problems=(): render_template(  # noqa: E731
        "disputes/add_information.html", dispute=dispute, form=form,
        closed=papers.why_not_add_information(current_user, dispute))
    on_refusal(page, form, field="text")
    if not form.validate_on_submit():
        return page()
    papers.add_information(dispute, current_user, form.text.data)
    return _back_to(dispute, "Your new information has been added to the dispute.")


@bp.route("/disputes/<int:dispute_id>/birth", methods=["GET", "POST"])
@permits("dispute.record_birth")
def record_birth(dispute_id):
    """The unborn child has been born: the referrer (or their manager) or CSC records it."""
    dispute = _dispute(dispute_id, "record_birth", "dispute.record_birth")
    form = RecordBirthForm()
    page = lambda problems=(): render_template(  # noqa: E731
        "disputes/record_birth.html", dispute=dispute, form=form)
    on_refusal(page, form, field="child_dob")
    if not form.validate_on_submit():
        return page()
    raising.record_birth(dispute, current_user, form.child_name.data, form.child_dob.data)
    return _back_to(dispute, "The child's birth has been recorded.")


def _escalation_choices(dispute):
    stages = escalation_policy.route_stages(dispute)
    later = [(s.position, f"Stage {s.position}: {s.name}") for s in stages
             if s.position > dispute.current_stage.position]
    return choices(later + [(len(stages) + 1, "The threshold moderation panel")])


def _back_to(dispute, message):
    flash(message, "success")
    return redirect(url_for("disputes.show", dispute_id=dispute.id))


# The escalation policy -------------------------------------------------------------------------


@bp.route("/policy")
@permits("policy.read")
def policy():
    return render_template("disputes/policy.html", policy=escalation_policy.current_policy())


@bp.route("/policy/stages/<int:position>/edit", methods=["GET", "POST"])
@bp.route("/policy/stages/new", methods=["GET", "POST"], defaults={"position": None})
@permits("policy.change")
def policy_stage(position):
    return _edit_stage(position, Route.STANDARD)


@bp.route("/policy/urgent-route/stages/<int:position>/edit", methods=["GET", "POST"])
@bp.route("/policy/urgent-route/stages/new", methods=["GET", "POST"],
          defaults={"position": None})
@permits("policy.change")
def urgent_stage(position):
    return _edit_stage(position, Route.URGENT)


def _edit_stage(position, route):
    stages = escalation_policy.policy_terms(route)
    if position is not None and not 1 <= position <= len(stages):
        abort(404)
    current = stages[position - 1] if position else None
    form_class = UrgentStageForm if route == Route.URGENT else PolicyStageForm
    form = form_class(data=_stage_form_data(current) if current else None)
    if form.validate_on_submit():
        terms = {
            "name": form.name.data.strip(), "who_acts": form.who_acts.data.strip(),
            "answering_role": form.answering_role.data,
            "working_days": form.working_days.data if form.working_days else 0,
            "independent": form.independent.data == "yes",
        }
        if position:
            stages[position - 1] = terms
        else:
            stages.append(terms)
        escalation_policy.update_policy(
            current_user, escalation_policy.current_policy().urgent_contact, stages, route)
        flash("The escalation policy has been updated. Stages already running keep their "
              "time limits.", "success")
        return redirect(url_for("disputes.policy"))
    return render_template("disputes/policy_stage.html", form=form, position=position,
                           route=route)


def _stage_form_data(terms):
    return {**terms, "independent": "yes" if terms["independent"] else "no"}


@bp.route("/policy/stages/<int:position>/remove", methods=["POST"])
@permits("policy.change")
def policy_stage_remove(position):
    return _remove_stage(position, Route.STANDARD)


@bp.route("/policy/urgent-route/stages/<int:position>/remove", methods=["POST"])
@permits("policy.change")
def urgent_stage_remove(position):
    return _remove_stage(position, Route.URGENT)


def _remove_stage(position, route):
    policy = escalation_policy.current_policy()
    stages = escalation_policy.policy_terms(route)
    if not 1 <= position <= len(stages):
        abort(404)
    del stages[position - 1]
    on_refusal(_flashed_to_policy)
    escalation_policy.update_policy(current_user, policy.urgent_contact, stages, route)
    flash("The stage has been removed. Disputes already at it keep their clocks.", "success")
    return redirect(url_for("disputes.policy"))


def _flashed_to_policy(problems):
    """The policy page, told why (the policy's rules: a route keeps at least one stage)."""
    for problem in problems:
        flash(problem["text"], "info")
    return redirect(url_for("disputes.policy"))


@bp.route("/policy/urgent-contact", methods=["GET", "POST"])
@permits("policy.change")
def urgent_contact():
    policy = escalation_policy.current_policy()
    form = UrgentContactForm(obj=policy).offer(escalation_policy.urgent_contact_candidates())
    on_refusal(lambda problems: render_template("disputes/urgent_contact.html", form=form), form,
               field="urgent_contact_user_id")
    if form.validate_on_submit():
        escalation_policy.update_urgent_contact(current_user, form.urgent_contact.data,
                                       form.urgent_contact_user_id.data)
        flash("The urgent contact has been updated.", "success")
        return redirect(url_for("disputes.policy"))
    return render_template("disputes/urgent_contact.html", form=form)


@bp.route("/policy/time-limits", methods=["GET", "POST"])
@permits("policy.change")
def time_limits():
    form = TimeLimitsForm(obj=escalation_policy.current_policy())
    on_refusal(lambda problems: render_template("disputes/time_limits.html", form=form), form)
    if form.validate_on_submit():
        escalation_policy.update_time_limits(current_user, form.settlement_reply_days.data,
                                    form.csc_action_days.data, form.minutes_comment_days.data,
                                    form.urgent_due_time.data)
        flash("The time limits have been updated.", "success")
        return redirect(url_for("disputes.policy"))
    return render_template("disputes/time_limits.html", form=form)


# The panel queue -------------------------------------------------------------------------------


@bp.route("/queue")
@permits("queue.read")
def panel_queue():
    filters = queue.QueueFilters.from_args(request.args)
    # A page number is bounded like an id: a huge one would overflow the database's OFFSET.
    page = queue.page(filters, id_from(request.args, "page") or 1,
                      current_app.config["LIST_PAGE_SIZE"])
    audit.record("queue_viewed", object_type="queue", page=page.page)
    return render_template("disputes/queue.html", page=page, filters=filters,
                           options=queue.filter_options(filters.agency), today=today(),
                           clock=clock.clock, **urgent_panel.box(*queue.QUEUED))



@bp.route("/queue.csv")
@permits("queue.read")
def panel_queue_csv():
    filters = queue.QueueFilters.from_args(request.args)
    audit.record("queue_exported", object_type="queue", filters=filters.as_args())
    return Response(
        queue.csv_text(filters), mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=panel-queue.csv"},
    )
