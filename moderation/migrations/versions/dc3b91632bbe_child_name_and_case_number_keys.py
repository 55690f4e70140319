"""Keys that find a child by name or case number, however typed

Revision ID: dc3b91632bbe
Revises: b1945d6074d4
Create Date: 2026-12-08 09:00:00.000000

Rule 13 refuses typed text that holds the full name or case number of any child whose dispute
the writer may read, and a subject access search compares case numbers without case, spaces or
punctuation (#24). Both look a dispute up by two new indexed keys: the child's first and last
name words, folded and sorted ("carter leo"), and the case number's letters and digits in lower
case ("ns40211"). repeat_of_id is indexed too: the search offers disputes linked as repeats.

Existing disputes get their keys here, in batches, in Python (accent folding is not portable
SQL). The normalising is a copy of disputes/child_identifiers.py's as it was when this was
written, so that this migration does the same thing whatever that module becomes;
tests/disputes/test_child_keys_migration.py checks the two agree.
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'dc3b91632bbe'
down_revision = 'b1945d6074d4'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_name_pair', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('child_case_key', sa.String(length=50), nullable=True))
        batch_op.create_index(batch_op.f('ix_dispute_child_name_pair'), ['child_name_pair'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_child_case_key'), ['child_case_key'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_repeat_of_id'), ['repeat_of_id'],
                              unique=False)
    _backfill(op.get_bind())


def downgrade():
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_repeat_of_id'))
        batch_op.drop_index(batch_op.f('ix_dispute_child_case_key'))
        batch_op.drop_index(batch_op.f('ix_dispute_child_name_pair'))
        batch_op.drop_column('child_case_key')
        batch_op.drop_column('child_name_pair')


def _backfill(bind):
    """Every dispute that still holds a child's details, a batch at a time in id order."""
    after = 0
    while True:
        rows = bind.execute(sa.text(
            "SELECT id, child_name, child_case_number FROM dispute WHERE id > :after "
            "AND (child_name IS NOT NULL OR child_case_number IS NOT NULL) "
            "ORDER BY id LIMIT :size"), {"after": after, "size": BATCH}).all()
        if not rows:
            return
        bind.execute(sa.text("UPDATE dispute SET child_name_pair = :pair, child_case_key = :case "
                             "WHERE id = :id"),
                     [{"id": ident, "pair": name_pair(name), "case": case_key(number)}
                      for ident, name, number in rows])
        after = rows[-1][0]


# A copy of disputes/child_identifiers.py's keys (see the docstring) --------------------------


def fold(text):
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_pair(name):
    words = [word for word in _name_words(name) if word]
    return " ".join(sorted((words[0], words[-1])))[:200] if len(words) >= 2 else None


def case_key(number):
    return re.sub(r"[\W_]+", "", fold(number))[:50] or None


def _name_words(text):
    return ["".join(c for c in re.sub(r"['’]s$", "", word) if c.isalpha())
            for word in re.findall(r"[\w'’-]+", fold(text))]
