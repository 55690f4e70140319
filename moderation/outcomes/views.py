"""The partnership manager's outcomes: the lists behind the dashboard's figures, the
pseudonymised CSV export, learning summaries and learning themes. (The dashboard itself is the
manager's home page: outcomes/dashboard.py.)"""

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

from moderation.models import LearningSummary, LearningTheme, PanelOutcome
from moderation.outcomes import learning, lists, permissions  # noqa: F401 (its rules)
from moderation.outcomes.dashboard import period_args, period_from_args
from moderation.outcomes.forms import SummaryForm, ThemesForm
from moderation.web import audit, csv_safe
from moderation.web.access import permits
from moderation.web.boundary import on_refusal
from moderation.web.permissions import record_or_404

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


@bp.route("/disputes")
@permits("outcomes.read")
def disputes():
    period, filters = period_from_args()
    event = request.args.get("event", "raised")
    if event not in lists.EVENTS:
        abort(400)
    outcome = request.args.get("outcome") or None
    if outcome and not PanelOutcome.has(outcome):
        abort(400)
    listed = lists.listing(period, filters, event, outcome)
    audit.record("outcome_list_viewed", None, object_type="dispute", event=event,
                 start=str(period.start), end=str(period.end), count=len(listed))
    return render_template("outcomes/disputes.html", listed=listed, period=period,
                           event=lists.EVENTS[event],
                           outcome=PanelOutcome(outcome).label if outcome else None)


def _pseudonym(dispute_id):
    # Stable within this installation, meaningless outside it: an HMAC of the id.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"dispute-{dispute_id}".encode(), hashlib.sha256).hexdigest()[:12]


@bp.route("/export.csv")
@permits("outcomes.export")
def export():
    period, filters = period_from_args()
    body = csv_safe.csv_text(lists.CSV_COLUMNS,
                             lists.export_rows(period, filters, _pseudonym))
    audit.record("outcomes_exported", None, object_type="dispute", start=str(period.start),
                 end=str(period.end))
    name = f"dispute-outcomes-{period.start}-to-{period.end}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/summaries")
@permits("summaries.read")
def summaries():
    return render_template("outcomes/summaries.html", kept=learning.kept())


@bp.route("/summaries/new", methods=["GET", "POST"])
@permits("summaries.write")
def new_summary():
    period, filters = period_from_args()
    found = learning.candidates(period, filters)
    form = SummaryForm.offering(found)

    def page(problems=()):
        # A refusal about the recommendations is on the form's field; one about the vignettes
        # is about the page's own textareas. The layout's one summary shows either.
        return render_template("outcomes/new_summary.html", form=form, candidates=found,
                               period=period, query=period_args(period, filters),
                               problems=list(problems))

    on_refusal(page, form)
    if not form.validate_on_submit():
        return page()
    summary = learning.generate(current_user, period, filters, form.chosen_texts(),
                                form.recommendations.data)
    flash("The learning summary has been generated and kept.", "success")
    return redirect(url_for("outcomes.summaries", _anchor=f"summary-{summary.id}"))


@bp.route("/summaries/<int:summary_id>.pdf")
@permits("summaries.read")
def summary_pdf(summary_id):
    summary = record_or_404(LearningSummary, summary_id, "summaries.read")
    audit.record("learning_summary_downloaded", summary)
    name = f"learning-summary-{summary.period_start}-to-{summary.period_end}.pdf"
    return Response(summary.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/themes", methods=["GET", "POST"])
@permits("themes.manage")
def themes():
    form = ThemesForm()

    def page(problems=()):
        return render_template("outcomes/themes.html", themes=learning.all_themes(), form=form)

    on_refusal(page, form, field="name")
    if not form.validate_on_submit():
        if form.pressed():  # a Retire or Bring back button that sent no theme's id
            abort(404)
        return page()
    if form.pressed():
        theme = record_or_404(LearningTheme, form.chosen_theme_id(), "themes.manage")
        learning.set_theme_active(current_user, theme, form.restore.data is not None)
        message = f"\u201c{theme.name}\u201d has been updated."
    else:
        theme = learning.add_theme(current_user, form.name.data)
        message = f"\u201c{theme.name}\u201d has been added."
    flash(message, "success")
    return redirect(url_for("outcomes.themes"))
