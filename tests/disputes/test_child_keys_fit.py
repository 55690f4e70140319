"""A child's name or case number that grows when it is lower-cased or folded ("İ" becomes two
characters, "ß" becomes "ss") is still recorded: its keys are cut to their columns, on both
databases (PostgreSQL refused the longer value with a 500 before)."""

from moderation.disputes import child_identifiers
from moderation.extensions import db
from moderation.models import Dispute

LONG_NAME = "İ" * 100 + " " + "ß" * 99  # 200 characters, the most the form takes
LONG_CASE_NUMBER = "ß" * 50  # 50 characters, the most the form takes


def test_a_name_that_grows_when_folded_is_recorded_with_keys_that_fit(app, make_dispute):
    dispute_id = make_dispute(child_name=LONG_NAME, child_case_number=LONG_CASE_NUMBER)

    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        assert dispute.child_name == LONG_NAME
        assert len(dispute.child_name_key) == 200
        assert len(dispute.child_name_pair) == 200
        assert dispute.child_case_key == "ss" * 25


def test_the_same_long_name_raised_again_is_found_as_a_repeat(app, make_dispute, make_user):
    referrer = make_user("referrer")
    first = make_dispute(referrer, child_name=LONG_NAME, child_case_number=LONG_CASE_NUMBER)
    second = make_dispute(referrer, child_name=LONG_NAME, child_case_number=LONG_CASE_NUMBER)

    with app.app_context():
        assert db.session.get(Dispute, second).repeat_of_id == first


def test_text_naming_the_long_named_child_gives_the_same_cut_key():
    words = LONG_NAME.split()
    assert child_identifiers.name_pair(f"{words[1]} {words[0]}") == \
        child_identifiers.name_pair(LONG_NAME)
