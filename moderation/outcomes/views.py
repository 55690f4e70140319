"""The partnership manager's outcomes: dashboard figures, the lists behind them, the
pseudonymised CSV export, and learning summaries."""

import hashlib
import hmac

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

from moderation.admin.services import agency_options
from moderation.extensions import db
from moderation.meeting.register import MeetingError
from moderation.models import LearningSummary, LearningTheme, PanelOutcome, Role
from moderation.models.disputes import LEVELS_OF_NEED
from moderation.outcomes import figures as outcomes
from moderation.outcomes import learning
from moderation.outcomes.forms import OutcomeFilterForm, SummaryForm
from moderation.web import audit, csv_safe
from moderation.web.access import roles_required
from moderation.web.forms import add_error, coerce_id, id_from

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


def filter_form():
    form = OutcomeFilterForm(request.args)
    if not request.args:
        form.period.data = "year"
    return form


def dashboard_context():
    """What the dashboard shows for the filters in the address (the manager's home page)."""
    form = filter_form()
    if request.args and not form.validate():
        return {"form": form, "f": None, "agency_options": agency_options(form.agency.data)}
    period, filters = form.chosen()
    worked_out_at, f = outcomes.recent_figures(period, filters)
    args = _period_args(period, filters)

    def link(event, outcome=None):
        return url_for("outcomes.disputes", event=event, outcome=outcome, **args)

    return {"form": form, "f": f, "agency_options": agency_options(filters.agency_id),
            "period": period, "charts": learning.charts(f), "link": link,
            "worked_out_at": worked_out_at,
            "max_age_minutes": current_app.config["FIGURES_MAX_AGE"] // 60,
            "outcome_values": {o.label: o.value for o in PanelOutcome}, "query": args}


def _period_args(period, filters):
    """The address of a period and its filters, for the lists, export and summaries: only these
    keys, so that nothing else in the address (?event=, ?endpoint=) reaches url_for()."""
    return {"start": period.start.isoformat(), "end": period.end.isoformat(),
            **filters.as_args()}


def _period_from_args():
    """The period and filters the lists, export and summaries are given in the address."""
    from datetime import date

    try:
        start, end = date.fromisoformat(request.args["start"]), date.fromisoformat(
            request.args["end"])
    except (KeyError, ValueError):
        abort(400)
    if end < start:
        abort(400)
    level = coerce_id(request.args.get("level"))
    category = request.args.get("category") or None
    if category and not outcomes.ConcernCategory.has(category):
        abort(400)
    return outcomes.Period(start, end), outcomes.Filters(
        id_from(request.args, "agency"), category, level if level in LEVELS_OF_NEED else None)


@bp.route("/disputes")
@roles_required(Role.PARTNERSHIP_MANAGER)
def disputes():
    period, filters = _period_from_args()
    event = request.args.get("event", "raised")
    if event not in outcomes.EVENTS:
        abort(400)
    outcome = request.args.get("outcome") or None
    if outcome and not PanelOutcome.has(outcome):
        abort(400)
    listed = outcomes.listing(period, filters, event, outcome)
    audit.record("outcome_list_viewed", None, object_type="dispute", event=event,
                 start=str(period.start), end=str(period.end), count=len(listed))
    db.session.commit()
    return render_template("outcomes/disputes.html", listed=listed, period=period,
                           event=outcomes.EVENTS[event],
                           outcome=PanelOutcome(outcome).label if outcome else None)


def _pseudonym(dispute_id):
    # Stable within this installation, meaningless outside it: an HMAC of the id.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"dispute-{dispute_id}".encode(), hashlib.sha256).hexdigest()[:12]


@bp.route("/export.csv")
@roles_required(Role.PARTNERSHIP_MANAGER)
def export():
    period, filters = _period_from_args()
    body = csv_safe.csv_text(outcomes.CSV_COLUMNS,
                             outcomes.export_rows(period, filters, _pseudonym))
    audit.record("outcomes_exported", None, object_type="dispute", start=str(period.start),
                 end=str(period.end))
    db.session.commit()
    name = f"dispute-outcomes-{period.start}-to-{period.end}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/summaries")
@roles_required(Role.PARTNERSHIP_MANAGER)
def summaries():
    return render_template("outcomes/summaries.html", kept=learning.kept())


@bp.route("/summaries/new", methods=["GET", "POST"])
@roles_required(Role.PARTNERSHIP_MANAGER)
def new_summary():
    period, filters = _period_from_args()
    found = learning.candidates(period, filters)
    form = SummaryForm()
    problems = []
    if form.validate_on_submit():
        # Numbered as the page numbers them: None for a vignette not chosen.
        texts = [request.form.get(f"text-{c['decision_id']}", "")
                 if request.form.get(f"use-{c['decision_id']}") == "yes" else None
                 for c in found]
        try:
            summary = learning.generate(current_user, period, filters, texts,
                                        form.recommendations.data)
        except MeetingError as error:
            db.session.rollback()
            if error.field == "recommendations":
                add_error(form.recommendations, str(error))
            else:  # a vignette: the page's own textareas, not the form's fields
                problems.append({"text": str(error), "href": f"#{error.field}"})
        else:
            db.session.commit()
            flash("The learning summary has been generated and kept.", "success")
            return redirect(url_for("outcomes.summaries", _anchor=f"summary-{summary.id}"))
    return render_template("outcomes/new_summary.html", form=form, candidates=found,
                           period=period, query=_period_args(period, filters),
                           texts=dict(request.form.items()), problems=problems)


@bp.route("/summaries/<int:summary_id>.pdf")
@roles_required(Role.PARTNERSHIP_MANAGER)
def summary_pdf(summary_id):
    summary = db.session.get(LearningSummary, summary_id)
    if summary is None:
        abort(404)
    audit.record("learning_summary_downloaded", summary)
    db.session.commit()
    name = f"learning-summary-{summary.period_start}-to-{summary.period_end}.pdf"
    return Response(summary.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/themes", methods=["GET", "POST"])
@roles_required(Role.PARTNERSHIP_MANAGER)
def themes():
    problems = []
    if request.method == "POST":
        try:
            if request.form.get("retire") or request.form.get("restore"):
                theme = _chosen_theme()
                learning.set_theme_active(current_user, theme, bool(request.form.get("restore")))
                message = f"\u201c{theme.name}\u201d has been updated."
            else:
                theme = learning.add_theme(current_user, request.form.get("name"))
                message = f"\u201c{theme.name}\u201d has been added."
        except MeetingError as error:
            db.session.rollback()
            problems.append({"text": str(error), "href": "#name"})
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("outcomes.themes"))
    return render_template("outcomes/themes.html", themes=learning.all_themes(),
                           problems=problems, name=request.form.get("name", ""))


def _chosen_theme():
    """The theme whose Retire or Restore button was pressed: 404 for any other value."""
    theme_id = id_from(request.form, "retire") or id_from(request.form, "restore")
    theme = db.session.get(LearningTheme, theme_id) if theme_id else None
    if theme is None:
        abort(404)
    return theme
