"""The figures and the suggested learning read as a person would write them: a count agrees with
its noun, a change on the previous period is said in words, an article goes by how the next word
is said, and a label inside a sentence keeps its acronyms (issue #25, point 7)."""

from sqlalchemy import select

from moderation.models import Agency, AgencyKind, Dispute
from moderation.outcomes import learning
from tests.conftest import client_for, page, url
from tests.helpers import NOVEMBER_DECEMBER, NOVEMBER_DECEMBER_FORM


def _figures(client, app, **filters):
    response = client.get(url(app, "home.partnership", **NOVEMBER_DECEMBER_FORM, **filters))
    return " ".join(page(response).select_one("ul.figures").get_text(" ", strip=True).split())


def test_one_of_a_figure_is_one_dispute_and_a_change_is_said_in_words(app, history, make_user):
    manager = client_for(app, make_user("partnership_manager"))
    one = _figures(manager, app, level=4)
    assert "1 dispute raised (previous period: 0; up 1)" in one
    assert "1 contact/referral mismatch ," in one and "0 urgent cases" in one
    assert "0 repeat disputes" in one
    assert "disputes raised" not in one and "+1" not in one
    every = _figures(manager, app)
    assert "4 disputes raised (previous period: 0; up 4)" in every
    assert "4 contact/referral mismatches" in every and "2 repeat disputes" in every


def test_the_suggested_learning_reads_as_written(app, db, history):
    with app.app_context():
        first = db.session.scalars(select(Dispute).order_by(Dispute.id)).first()
        db.session.get(Agency, first.referring_agency_id).kind = AgencyKind.EDUCATION
        db.session.commit()
    with app.app_context(), app.test_request_context():
        texts = [c["text"] for c in learning.candidates(NOVEMBER_DECEMBER,
                                                         learning.outcomes.Filters())]
    assert any(text.startswith("An education professional referred concerns about")
               for text in texts), texts
    assert any("The panel decided: uphold CSC's decision (consensus)." in text
               for text in texts), texts
    assert not any(" csc" in text or "A education" in text for text in texts), texts
