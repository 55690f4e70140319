"""The partnership manager's dashboard (their home page shows it): the figures for the filters
in the address, and the addresses of the lists, export and summaries for the same period."""

from datetime import date

from flask import abort, current_app, request, url_for

from moderation.admin.services import agency_options
from moderation.models import PanelOutcome
from moderation.models.dispute_terms import LEVELS_OF_NEED
from moderation.outcomes import figures as outcomes
from moderation.outcomes import learning
from moderation.outcomes.forms import OutcomeFilterForm
from moderation.web.forms import coerce_id, id_from


def filter_form():
    form = OutcomeFilterForm(request.args)
    if not request.args:
        form.period.data = "year"
    return form


def dashboard_context():
    """What the dashboard shows for the filters in the address."""
    form = filter_form()
    if request.args and not form.validate():
        return {"form": form, "f": None, "agency_options": agency_options(form.agency.data)}
    period, filters = form.chosen()
    worked_out_at, f = outcomes.recent_figures(period, filters)
    args = period_args(period, filters)

    def link(event, outcome=None):
        return url_for("outcomes.disputes", event=event, outcome=outcome, **args)

    return {"form": form, "f": f, "agency_options": agency_options(filters.agency_id),
            "period": period, "charts": learning.charts(f), "link": link,
            "worked_out_at": worked_out_at,
            "max_age_minutes": current_app.config["FIGURES_MAX_AGE"] // 60,
            "outcome_values": {o.label: o.value for o in PanelOutcome}, "query": args}


def period_args(period, filters):
    """The address of a period and its filters, for the lists, export and summaries: only these
    keys, so that nothing else in the address (?event=, ?endpoint=) reaches url_for()."""
    return {"start": period.start.isoformat(), "end": period.end.isoformat(),
            **filters.as_args()}


def period_from_args():
    """The period and filters the lists, export and summaries are given in the address."""
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
