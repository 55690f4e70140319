"""The benchmark's PDF fixtures still go through the meeting as the product runs it: its panel
sits on the session it measures, and the twelve items are decided and minuted."""

from moderation.extensions import db as _db
from moderation.meeting import minutes
from moderation.models import MinutesStatus


def test_the_twelve_item_session_is_decided_and_minuted(app):
    from bench import reports

    with app.app_context():
        chair, reps, referrers, members = reports.people()
        session = reports.twelve_item_session(chair, reps, referrers, members)
        _db.session.flush()
        assert len(session.agenda) == 12
        assert all(item.decision is not None for item in session.agenda)
        assert minutes.latest(session).status == MinutesStatus.DRAFT
        _db.session.rollback()
