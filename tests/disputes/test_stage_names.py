"""A stage is named by what it is on its dispute's route, in one way everywhere, keeping the
acronyms of its name (issue #25, point 7): "Urgent stage 1 (CSC team manager)", never
"csc team manager", and never "the independent second screening" on the urgent route."""

from datetime import date

import pytest
import time_machine

from moderation.web.words import stage_called
from tests.helpers import urgent_route_people


@pytest.fixture(autouse=True)
def half_past_nine_on_a_monday():
    with time_machine.travel("2026-11-23 09:30:00+00:00", tick=False):
        yield


@pytest.fixture
def people(app, make_user):
    return urgent_route_people(app, make_user)


def _text(page):
    return " ".join(page.select_one("main").get_text(" ", strip=True).split())


def test_the_referrer_reads_the_urgent_stage_by_its_name(as_, make_dispute, people):
    dispute = make_dispute(referrer=people["referrer"], on=date(2026, 11, 23),
                           immediate_risk=True)
    referrer = as_(people["referrer"])
    raised = _text(referrer.get("disputes.raised", dispute_id=dispute))
    assert "starting with urgent stage 1 (CSC team manager), due" in raised
    escalate = _text(referrer.get("disputes.escalate", dispute_id=dispute))
    assert "Urgent stage 1 (CSC team manager) will close as not resolved." in escalate
    assert "csc team manager" not in (raised + escalate)


def test_a_standard_stage_is_named_by_its_number_and_name(app, as_, make_dispute, people):
    dispute = make_dispute(referrer=people["referrer"])
    raised = _text(as_(people["referrer"]).get("disputes.raised", dispute_id=dispute))
    assert "Stage 1 (practitioner to practitioner) has started." in raised
    with app.app_context():
        from moderation.extensions import db
        from moderation.models import Dispute

        assert stage_called(db.session.get(Dispute, dispute).current_stage) == (
            "stage 1 (practitioner to practitioner)")
