"""A stage is named by what it is on its dispute's route, in one way everywhere, keeping the
acronyms of its name (issue #25, point 7): "Urgent stage 1 (CSC team manager)", never
"csc team manager", and never "the independent second screening" on the urgent route."""

from moderation.web.words import stage_called
from tests.conftest import page, url
from tests.disputes.test_urgent_route import (  # noqa: F401 (fixtures)
    a_monday_morning,
    as_,
    people,
    urgent,
)


def _text(response):
    return " ".join(page(response).select_one("main").get_text(" ", strip=True).split())


def test_the_referrer_reads_the_urgent_stage_by_its_name(app, make_dispute, people):  # noqa: F811
    dispute = urgent(app, make_dispute, people)
    referrer = as_(app, people["referrer"])
    raised = _text(referrer.get(url(app, "disputes.raised", dispute_id=dispute)))
    assert "starting with urgent stage 1 (CSC team manager), due" in raised
    escalate = _text(referrer.get(url(app, "disputes.escalate", dispute_id=dispute)))
    assert "Urgent stage 1 (CSC team manager) will close as not resolved." in escalate
    assert "csc team manager" not in (raised + escalate)


def test_a_standard_stage_is_named_by_its_number_and_name(app, make_dispute, people):  # noqa: F811
    dispute = make_dispute(referrer=people["referrer"])
    referrer = as_(app, people["referrer"])
    raised = _text(referrer.get(url(app, "disputes.raised", dispute_id=dispute)))
    assert "Stage 1 (practitioner to practitioner) has started." in raised
    with app.app_context():
        from moderation.extensions import db
        from moderation.models import Dispute

        assert stage_called(db.session.get(Dispute, dispute).current_stage) == (
            "stage 1 (practitioner to practitioner)")
