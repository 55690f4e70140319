"""Learning summaries: the period's figures and charts, the manager's anonymised vignettes and
recommendations, rendered to PDF and kept with who generated them and when (rule 13)."""

from flask import current_app, render_template
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from moderation.disputes import child_identifiers
from moderation.extensions import db
from moderation.models import (
    Agency,
    AgencyKind,
    Classification,
    ConcernCategory,
    CscOutcome,
    Dispute,
    LearningSummary,
    LearningTheme,
    PanelDecision,
    PanelOutcome,
)
from moderation.models.dispute_terms import LEVELS_OF_NEED
from moderation.outcomes import figures as outcomes
from moderation.outcomes.charts import bar_chart
from moderation.web import audit, pdf
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date, full_stop
from moderation.web.words import in_sentence, sentence_start, with_article

VIGNETTE_LIMIT = 2000
MOST_VIGNETTES = 12

# A suggested vignette says what the panel decided and its learning themes...
DECIDED = (selectinload(PanelDecision.themes),)
# ...about a dispute from which kind of agency, with which concerns.
VIGNETTED = (joinedload(Dispute.referring_agency), selectinload(Dispute.concerns))


def charts(figures):
    return [
        bar_chart("Panel outcomes", list(figures.outcomes.items())),
        bar_chart("Overturn rate by referring agency",
                  [(row[0], row[3]) for row in figures.by_agency], unit="%"),
        bar_chart("Overturn rate by concern category",
                  [(row[0], row[3]) for row in figures.by_category], unit="%"),
        bar_chart("Learning themes", figures.themes, unit="decisions"),
    ]


def candidates(period, filters):
    """Decisions in the period the manager may turn into vignettes, with a suggested,
    anonymised text: agency type, level, categories and outcomes only."""
    decisions = db.session.scalars(filters.apply(
        select(PanelDecision).join(Dispute, PanelDecision.dispute_id == Dispute.id)
        .where(PanelDecision.decided_on.between(period.start, period.end),
               PanelDecision.outcome != PanelOutcome.DEFERRED)
        .options(*DECIDED).order_by(PanelDecision.decided_on, PanelDecision.id))).all()
    disputes = {d.id: d for d in db.session.scalars(
        select(Dispute).where(Dispute.id.in_([d.dispute_id for d in decisions]))
        .options(*VIGNETTED))}
    return [{"decision_id": d.id, "text": _suggested(disputes[d.dispute_id], d)}
            for d in decisions]


def _suggested(dispute, decision):
    kind = in_sentence(AgencyKind(dispute.referring_agency.kind).label)
    concerns = ", ".join(in_sentence(ConcernCategory(c.category).label)
                         for c in dispute.concerns)
    recorded_as = in_sentence(Classification(dispute.effective_recorded_as).label)
    return (f"{sentence_start(with_article(kind + ' professional'))} referred concerns about "
            f"{concerns} at {in_sentence(LEVELS_OF_NEED[dispute.level_of_need])}. CSC recorded "
            f"it as {with_article(recorded_as)} with "
            f"{in_sentence(CscOutcome(dispute.effective_outcome).label)}. The panel decided: "
            f"{in_sentence(decision.outcome_label)} ({decision.method}). Learning: "
            + full_stop(", ".join(in_sentence(t.name) for t in decision.themes)))


def generate(actor, period, filters, vignettes, recommendations):
    """Render and keep a learning summary. Vignettes are the manager's edited texts, numbered
    as the page numbers them: None (or blank) for a vignette not chosen."""
    check_no_child_identified(period, vignettes, recommendations, actor)
    vignettes = [v.strip() for v in vignettes if v and v.strip()]
    if len(vignettes) > MOST_VIGNETTES:
        raise Refusal(f"Choose {MOST_VIGNETTES} vignettes or fewer", "vignettes")
    if any(len(v) > VIGNETTE_LIMIT for v in vignettes):
        raise Refusal(f"Each vignette must be {VIGNETTE_LIMIT} characters or fewer",
                           "vignettes")
    summary = LearningSummary(
        period_start=period.start, period_end=period.end, filters=filters.as_args(),
        vignettes=vignettes, recommendations=(recommendations or "").strip() or None,
        generated_by=actor)
    summary.pdf = pdf.render(summary_html(summary, period, filters))
    db.session.add(summary)
    db.session.flush()
    audit.record("learning_summary_generated", summary, actor=actor,
                 start=str(period.start), end=str(period.end))
    return summary


def check_no_child_identified(period, vignettes, recommendations, writer):
    """Rule 13: refuse a vignette or the recommendations if they name, date or number a child
    of any dispute raised, settled or decided in the period, or name (or number) any child whose
    dispute the writer may read."""
    fields = [(f"Vignette {n}", f"vignette-{n}", text)
              for n, text in enumerate(vignettes, start=1) if text and text.strip()]
    fields.append(("Recommendations", "recommendations", recommendations))
    child_identifiers.refuse(fields, writer, _children_in(period))


def _children_in(period):
    decided = select(PanelDecision.dispute_id).where(
        PanelDecision.decided_on.between(period.start, period.end))
    # Anonymised children have nothing left to refuse (their details are gone).
    rows = db.session.execute(
        select(Dispute.child_name, child_identifiers.child_date(),
               Dispute.child_case_number).where(or_(
            Dispute.raised_on.between(period.start, period.end),
            Dispute.settled_on.between(period.start, period.end),
            Dispute.id.in_(decided)), Dispute.anonymised_on.is_(None)))
    return [child_identifiers.Child(*row) for row in rows]


def summary_html(summary, period, filters):
    figures = outcomes.figures(period, filters)
    return render_template(
        "reports/learning_summary.html", f=figures, charts=charts(figures), summary=summary,
        partnership=current_app.config["PARTNERSHIP_NAME"],
        title=f"Learning summary: {format_date(period.start)} to {format_date(period.end)}",
        filters=describe(filters), format_date=format_date)


def describe(filters):
    parts = []
    if filters.agency_id:
        agency = db.session.get(Agency, filters.agency_id)
        parts.append(f"referred by {agency.name}" if agency else "one agency")
    if filters.category:
        parts.append(in_sentence(ConcernCategory(filters.category).label))
    if filters.level:
        parts.append(in_sentence(LEVELS_OF_NEED[filters.level]))
    return "; ".join(parts)


# The list of summaries says who generated each.
KEPT = (joinedload(LearningSummary.generated_by),)


def kept():
    return db.session.scalars(
        select(LearningSummary).options(*KEPT)
        .order_by(LearningSummary.generated_at.desc(), LearningSummary.id.desc())).all()


def all_themes():
    return db.session.scalars(select(LearningTheme).order_by(LearningTheme.position)).all()


def add_theme(actor, name):
    """Extend the partnership's list of learning themes."""
    name = " ".join((name or "").split())
    if not name:
        raise Refusal("Enter the learning theme", "name")
    if len(name) > 200:
        raise Refusal("The learning theme must be 200 characters or fewer", "name")
    if db.session.scalar(select(LearningTheme.id).where(
            # Both lowercased by the database, which may lowercase fewer letters than Python.
            func.lower(LearningTheme.name) == func.lower(name))):
        raise Refusal(f"\u201c{name}\u201d is already a learning theme", "name")
    position = (db.session.scalar(select(func.max(LearningTheme.position))) or 0) + 1
    theme = LearningTheme(name=name, position=position, active=True)
    db.session.add(theme)
    db.session.flush()
    audit.record("learning_theme_added", theme, actor=actor, name=name)
    return theme


def set_theme_active(actor, theme, active):
    """Retire a theme from new decisions (past decisions keep it), or bring it back."""
    theme.active = active
    audit.record("learning_theme_changed", theme, actor=actor, active=active)
