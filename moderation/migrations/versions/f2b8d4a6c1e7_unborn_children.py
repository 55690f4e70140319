"""Unborn children: an expected date of delivery instead of a date of birth

Revision ID: f2b8d4a6c1e7
Revises: c7d2e5f1a9b3
Create Date: 2026-12-21 09:00:00.000000

Issue #25: a dispute may be about an unborn child, with an expected date of delivery instead of
a date of birth, until the birth is recorded. A CHECK holds exactly one of the two, or neither
once the dispute is anonymised. Every dispute held has a date of birth (raising one always
needed it) or has been anonymised, so the constraint holds for the rows already there. Batch
mode: SQLite adds a CHECK constraint only by copying the table (env.py's batch settings keep
the rows that refer to it).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2b8d4a6c1e7'
down_revision = 'c7d2e5f1a9b3'
branch_labels = None
depends_on = None

BORN_OR_DUE = (
    "(child_dob IS NULL AND child_expected_delivery_date IS NOT NULL)"
    " OR (child_dob IS NOT NULL AND child_expected_delivery_date IS NULL)"
    " OR (anonymised_on IS NOT NULL AND child_dob IS NULL"
    " AND child_expected_delivery_date IS NULL)")


def upgrade():
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_expected_delivery_date', sa.Date(),
                                      nullable=True))
        batch_op.create_index('ix_dispute_child_due_name',
                              ['child_expected_delivery_date', 'child_name_key'], unique=False)
        batch_op.create_check_constraint('ck_dispute_child_born_or_due', BORN_OR_DUE)


def downgrade():
    # An unborn child's dispute keeps no date for the child once the column goes: anonymised
    # ones already have none, and the others would break the date of birth's assumptions, so
    # the downgrade refuses while any is held rather than lose the date silently.
    held = op.get_bind().scalar(sa.text(
        "SELECT count(*) FROM dispute WHERE child_expected_delivery_date IS NOT NULL"))
    if held:
        raise RuntimeError(f"Disputes about unborn children held: {held}. Record the births, "
                           "or anonymise the disputes, before downgrading")
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.drop_constraint('ck_dispute_child_born_or_due', type_='check')
        batch_op.drop_index('ix_dispute_child_due_name')
        batch_op.drop_column('child_expected_delivery_date')
