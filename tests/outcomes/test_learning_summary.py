"""Learning summaries and the dashboard: figures on the page and in the PDF, never a child's
name or date of birth (rule 13)."""

import csv
import io
from datetime import date

from pypdf import PdfReader

from moderation.models import LearningSummary, User
from moderation.outcomes import learning
from tests.conftest import pdf_pages
from tests.helpers import NOVEMBER_DECEMBER, NOVEMBER_DECEMBER_FORM, error_summary

PERIOD = {"start": "2026-11-01", "end": "2026-12-31"}


def test_the_summary_pdf_has_the_figures_charts_and_no_names(app, db, history, make_user):
    manager = make_user("partnership_manager")
    with app.app_context(), app.test_request_context():
        found = learning.candidates(NOVEMBER_DECEMBER, learning.outcomes.Filters())
        assert len(found) == 3
        assert "Amelia" not in str(found)
        summary = learning.generate(db.session.get(User, manager.id), NOVEMBER_DECEMBER,
                                    learning.outcomes.Filters(), [found[0]["text"]],
                                    "Remind duty teams of the threshold guidance.")
        db.session.commit()
        text = " ".join(pdf_pages(summary.pdf))
    assert "Learning summary: 1 November 2026 to 31 December 2026" in text
    assert "4 disputes raised" in text and "3 decided by the panel" in text
    assert "Overturn rate: 67%" in text
    assert "Threshold interpretation: 3" in text
    assert "Panel outcomes. Uphold CSC's decision: 1" in text  # a chart's text alternative
    assert "Remind duty teams of the threshold guidance." in text
    assert "A health professional referred concerns about" in text
    for name_or_birth in ("Amelia", "Jones", "Isla", "Brown", "2021", "14 March"):
        assert name_or_birth not in text
    assert "OFFICIAL-SENSITIVE" in text and "Page 1 of" in text
    reader = PdfReader(io.BytesIO(summary.pdf))
    assert b"pdfuaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert reader.metadata.title == "Learning summary: 1 November 2026 to 31 December 2026"


def test_the_dashboard_shows_figures_charts_and_links_down(as_, history, make_user):
    manager = as_(make_user("partnership_manager"))
    html = manager.get("home.partnership", **NOVEMBER_DECEMBER_FORM)
    figures = html.select_one("ul.figures").get_text(" ", strip=True)
    assert "4 disputes raised" in figures and "3 decided by the panel" in figures
    assert len(html.select("figure.chart svg")) >= 3
    assert "Amelia" not in html.response.text
    decided = html.find("a", string="3 decided by the panel")["href"]
    listed = manager.get_url(decided)
    assert len(listed.select("tbody tr")) == 3


def test_the_dashboard_filters_by_level(as_, history, make_user):
    manager = as_(make_user("partnership_manager"))
    response = manager.get("home.partnership", **NOVEMBER_DECEMBER_FORM, level=4)
    figures = response.select_one("ul.figures").get_text(" ", strip=True)
    assert "1 dispute raised" in figures and "1 decided by the panel" in figures


def test_a_custom_period_needs_real_dates_in_order(as_, db, make_user):
    manager = as_(make_user("partnership_manager"))
    response = manager.get("home.partnership", period="custom",
                           start=["31", "2", "2026"], end=["1", "1", "2026"])
    assert error_summary(response) == ["The start date must be a real date"]
    response = manager.get("home.partnership", period="custom",
                           start=["1", "3", "2026"], end=["1", "1", "2026"])
    assert error_summary(response) == [
        "The end date must be the same as or after the start date"]
    manager.get("outcomes.disputes", _expected_status=400, start="x", end="y")


def test_the_export_is_pseudonymised(as_, history, make_user):
    manager = as_(make_user("partnership_manager"))
    response = manager.get("outcomes.export", **PERIOD).response
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][0] == "pseudonym" and len(rows) == 5
    assert "Amelia" not in response.text and "D-2026" not in response.text
    assert {row[rows[0].index("panel_outcome")] for row in rows[1:]} == {
        "overturn_s17", "upheld", "step_down_early_help", ""}


def test_the_manager_writes_a_summary_and_it_is_kept(app, as_, db, history, make_user):
    manager = as_(make_user("partnership_manager"))
    form = manager.get("outcomes.new_summary", **PERIOD)
    first = form.select("textarea[name^=text-]")[0]
    decision_id = first["name"].removeprefix("text-")
    response = manager.post("outcomes.new_summary", {
        f"use-{decision_id}": "yes", f"text-{decision_id}": "An edited vignette.",
        "recommendations": "Share the learning."}, _follow_redirects=True, **PERIOD)
    assert "The learning summary has been generated and kept." in response.response.text
    link = response.select_one("a[href$='.pdf']")["href"]
    text = " ".join(pdf_pages(manager.get_url(link).response.data))
    assert "An edited vignette." in text and "Share the learning." in text
    with app.app_context():
        kept = db.session.query(LearningSummary).one()
        assert kept.generated_by_id is not None and kept.period_end == date(2026, 12, 31)


def test_a_vignette_that_names_or_dates_a_child_is_refused_and_nothing_is_kept(
        app, as_, db, history, make_user, make_dispute, monkeypatch):
    make_dispute(child_name="Yusuf Example", child_dob=date(2015, 6, 5))
    rendered = []
    monkeypatch.setattr(learning.pdf, "render", lambda html: rendered.append(html) or b"%PDF")
    manager = as_(make_user("partnership_manager"))
    ids = [t["name"].removeprefix("text-") for t in
           manager.get("outcomes.new_summary", **PERIOD).select("textarea[name^=text-]")]
    typed = "Yusuf Example, born 5 June 2015, was seen by the school nurse."
    shown = manager.post("outcomes.new_summary", {
        f"use-{ids[0]}": "yes", f"text-{ids[0]}": "A school referred neglect.",
        f"use-{ids[1]}": "yes", f"text-{ids[1]}": typed, "recommendations": "Share it."},
        _expected_status=200, **PERIOD)
    assert error_summary(shown) == [
        "Vignette 2 must not contain a child's name, date of birth or case number"]
    assert shown.select_one(".govuk-error-summary a")["href"] == "#vignette-2"
    assert shown.select_one("#vignette-2").get_text() == typed  # kept to correct, not saved
    assert "must not contain" in shown.select_one("#vignette-2").parent.get_text()
    assert shown.title.get_text().startswith("Error: ")
    for recommendations in ("Remember Isla's case: Brown family.", "Born 14/03/2021."):
        response = manager.post("outcomes.new_summary",
                                {f"use-{ids[0]}": "yes", f"text-{ids[0]}": "A school.",
                                 "recommendations": recommendations},
                                _expected_status=200, **PERIOD)
        assert error_summary(response) == [
            "Recommendations must not contain a child's name, date of birth or case number"]
    assert rendered == []  # the PDF is never drawn
    with app.app_context():
        assert db.session.query(LearningSummary).count() == 0


def test_names_that_end_a_sentence_get_no_second_full_stop(app, db, history, make_user):
    from moderation.models import Agency, LearningTheme

    manager = make_user("partnership_manager")
    with app.app_context(), app.test_request_context():
        agency = db.session.get(Agency, history.referrer.agency_id)
        agency.name = "Northshire Health Ltd."
        for theme in db.session.query(LearningTheme):
            theme.name += "."
        filters = learning.outcomes.Filters(agency_id=agency.id)
        found = learning.candidates(NOVEMBER_DECEMBER, filters)
        summary = learning.generate(db.session.get(User, manager.id), NOVEMBER_DECEMBER,
                                    filters, [found[0]["text"]], None)
        text = " ".join(pdf_pages(summary.pdf))
    assert found[0]["text"].endswith("incomplete or unclear referral., threshold "
                                     "interpretation.")
    assert "Showing: referred by Northshire Health Ltd. Compared" in text
    assert ".." not in text and not any(".." in c["text"] for c in found)


def test_the_manager_extends_and_retires_learning_themes(app, as_, db, make_user):
    from sqlalchemy import select

    from moderation.meeting import decisions
    from moderation.models import LearningTheme

    manager = as_(make_user("partnership_manager"))
    response = manager.post("outcomes.themes", {"name": "  "}, _expected_status=200)
    assert error_summary(response) == ["Enter the learning theme"]
    response = manager.post("outcomes.themes", {"name": "threshold interpretation"},
                            _expected_status=200)
    assert error_summary(response) == ["\u201cthreshold interpretation\u201d is already a "
                                       "learning theme"]
    typed = response.select_one("#name")
    assert typed["value"] == "threshold interpretation"  # kept to correct
    assert "already a learning theme" in typed.parent.get_text()
    manager.post("outcomes.themes", {"name": "Information sharing between agencies"})
    with app.app_context():
        added = db.session.scalar(select(LearningTheme).where(
            LearningTheme.name == "Information sharing between agencies"))
        assert added.position == 9 and added in decisions.themes()
    manager.post("outcomes.themes", {"retire": str(added.id)})
    with app.app_context():
        assert added.id not in [t.id for t in decisions.themes()]
    manager.post("outcomes.themes", {"restore": str(added.id)})
    with app.app_context():
        assert added.id in [t.id for t in decisions.themes()]
    for nonsense in ("nonsense", "0", "999999"):
        manager.post("outcomes.themes", {"retire": nonsense}, _expected_status=404)


def test_the_command_line_generates_and_keeps_a_learning_summary(app, db, history, tmp_path):
    output = tmp_path / "summary.pdf"
    result = app.test_cli_runner().invoke(args=[
        "learning-summary", "--start", "2026-11-01", "--end", "2026-12-31",
        "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "4 disputes raised" in " ".join(pdf_pages(output.read_bytes()))
    with app.app_context():
        assert db.session.query(LearningSummary).one().generated_by_id is None
