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


def test_the_papers_pack_bench_reads_a_frozen_twelve_item_agenda_for_a_member(app):
    from bench import papers_pack, reports
    from moderation.papers import pack

    with app.app_context():
        chair, reps, referrers, _ = reports.people()
        session = papers_pack.frozen_session(chair, referrers, referrers[-1])
        _db.session.flush()
        assert len(session.agenda) == 12 and session.opened
        with app.test_request_context():
            data = pack.pack_data(pack.load(session.id), reps[0])
        assert len(data["items"]) == 12
        assert all(len(item["documents"]) == 3 and len(item["additions"]) == 2
                   for item in data["items"])
        _db.session.rollback()
