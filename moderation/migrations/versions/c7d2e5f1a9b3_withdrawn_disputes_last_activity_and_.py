"""Withdrawn disputes, each dispute's last activity, and retention runs that stop

Revision ID: c7d2e5f1a9b3
Revises: dc3b91632bbe
Create Date: 2026-12-14 09:00:00.000000

Issue #24: open disputes were kept for ever. A dispute may now be withdrawn (a new status,
"withdrawn": the status column is a plain VARCHAR(20) with no check constraint, so the new
value needs no change to it), with the day, the reason and who withdrew it (nobody: the
retention schedule). Each dispute keeps the moment of its last activity, indexed with its
status, so that the open disputes nobody has touched for the schedule's period are found
without reading every stage, note and document; existing disputes start from the latest
moment their rows record. The schedule gains that period (12 months by default). A retention
run records when it was found to have stopped before finishing.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7d2e5f1a9b3'
down_revision = "dc3b91632bbe"
branch_labels = None
depends_on = None

# Where a dispute's activity is recorded: (table, column, the column naming its dispute).
ACTIVITY = [
    ("dispute", "csc_confirmed_at", "id"),
    ("dispute", "referrer_told_at", "id"),
    ("dispute", "settlement_replied_at", "id"),
    ("dispute_stage", "opened_at", "dispute_id"),
    ("dispute_stage", "responded_at", "dispute_id"),
    ("dispute_stage", "closed_at", "dispute_id"),
    ("dispute_addition", "added_at", "dispute_id"),
    ("dispute_document", "added_at", "dispute_id"),
    ("dispute_document", "withdrawn_at", "dispute_id"),
]

INACTIVE_RULE = {
    "kind": "inactive_disputes", "position": 2, "keep_for": 12, "unit": "months",
    "until_age": None,
    "reason": "An open dispute nobody has acted on for a year is unlikely to go further. The "
              "partnership manager reviews each one and withdraws it (it is then kept as a "
              "closed dispute is) or holds it, so that no open dispute is kept for ever.",
}


def upgrade():
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_activity_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('withdrawn_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_dispute_withdrawn_by_id_user'), 'user',
                                    ['withdrawn_by_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_dispute_withdrawn_on'), ['withdrawn_on'],
                              unique=False)
    _last_activity_from_the_records()
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.alter_column('last_activity_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.create_index('ix_dispute_status_last_activity',
                              ['status', 'last_activity_at'], unique=False)

    with op.batch_alter_table('retention_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True))

    op.execute("UPDATE retention_rule SET position = position + 1 WHERE position >= 2")
    op.bulk_insert(sa.table(
        'retention_rule', sa.column('kind', sa.String), sa.column('position', sa.Integer),
        sa.column('keep_for', sa.Integer), sa.column('unit', sa.String),
        sa.column('until_age', sa.Integer), sa.column('reason', sa.Text)), [INACTIVE_RULE])


def _last_activity_from_the_records():
    """The dispute was raised, then each later moment any of its rows records moves it on."""
    op.execute("UPDATE dispute SET last_activity_at = raised_at")
    for table, column, key in ACTIVITY:
        latest = (f"(SELECT MAX(t.{column}) FROM {table} t WHERE t.{key} = dispute.id)")
        op.execute(f"UPDATE dispute SET last_activity_at = {latest} "
                   f"WHERE {latest} > last_activity_at")


def downgrade():
    # A withdrawn dispute has no status to go back to: the downgrade refuses rather than guess.
    withdrawn = op.get_bind().scalar(sa.text(
        "SELECT COUNT(*) FROM dispute WHERE status = 'withdrawn'"))
    if withdrawn:
        raise RuntimeError(f"{withdrawn} disputes are withdrawn: this revision cannot be undone")
    op.execute("DELETE FROM retention_rule WHERE kind = 'inactive_disputes'")
    op.execute("UPDATE retention_rule SET position = position - 1 WHERE position > 2")
    with op.batch_alter_table('retention_run', schema=None) as batch_op:
        batch_op.drop_column('stopped_at')
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.drop_index('ix_dispute_status_last_activity')
        batch_op.drop_index(batch_op.f('ix_dispute_withdrawn_on'))
        batch_op.drop_constraint(batch_op.f('fk_dispute_withdrawn_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_on')
        batch_op.drop_column('last_activity_at')
