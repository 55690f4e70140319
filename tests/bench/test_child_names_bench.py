"""The benchmark's measure of rule 13's check (bench/child_names.py) runs over bench data: the
typical minutes pass, the same text naming a child of the data set is refused, and the lookup's
plan is reported."""

from collections import Counter
from datetime import date

from sqlalchemy import select

from bench import child_names
from bench import data as bench_data
from moderation.disputes.child_identifiers import case_key, name_pair
from moderation.models import Dispute

END = date(2026, 10, 30)


def test_bench_children_have_varied_names_case_numbers_and_their_keys(app, db):
    with app.app_context():
        bench_data.generate(600, end=END)
        rows = db.session.execute(select(
            Dispute.child_name, Dispute.child_name_pair, Dispute.child_case_number,
            Dispute.child_case_key, Dispute.repeat_of_id, Dispute.id)).all()
        names = Counter(row.child_name for row in rows)
        assert len(names) > 400 and names.most_common(1)[0][1] < 10
        assert all(row.child_name_pair == name_pair(row.child_name) for row in rows)
        assert all(row.child_case_key == case_key(row.child_case_number) for row in rows)
        assert 0.6 < sum(1 for row in rows if row.child_case_number) / len(rows) < 0.8
        by_id = {row.id: row for row in rows}
        repeats = [row for row in rows if row.repeat_of_id]
        assert repeats and all(row.child_name == by_id[row.repeat_of_id].child_name
                               for row in repeats)


def test_the_check_is_measured_over_bench_data(app, db):
    with app.app_context():
        bench_data.generate(400, end=END)
        result = child_names.measure()
    assert result["disputes"] == 400 and result["characters"] > 3000
    assert result["typical"]["refused"] is False
    assert result["naming"]["refused"] is True and result["naming"]["sharing"] >= 1
    assert result["typical"]["best"] <= result["typical"]["median"]
    # The plan is the database's own (on 400 rows PostgreSQL rightly reads the table whole;
    # that the indexes serve the lookup is tests/disputes/test_naming_readable_children.py's).
    plan = " ".join(result["plan"])
    assert "child_name_pair" in plan and "child_case_key" in plan
