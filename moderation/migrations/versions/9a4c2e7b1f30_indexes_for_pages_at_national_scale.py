"""Indexes for the pages at national scale (issue #27)

Revision ID: 9a4c2e7b1f30
Revises: c3e8a1d5f7b2
Create Date: 2026-12-08 01:15:00.000000

The panel queue's disputes in rule 5's order, over the queued disputes only: a partial index
(PostgreSQL and SQLite both have them), a few thousand entries however many disputes are held.
CSC's work list: the open disputes, urgent first and then newest received, another partial
index read backwards, a page at a time, instead of sorting every open dispute.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9a4c2e7b1f30'
down_revision = 'c3e8a1d5f7b2'
branch_labels = None
depends_on = None

QUEUED = sa.text("status = 'queued'")
OPEN = sa.text("status IN ('escalating', 'awaiting_referrer', 'queued')")


def upgrade():
    # Rule 5's order (disputes/queries.queue_order), so a page of the queue is its first rows.
    op.create_index(
        'ix_dispute_queued_order', 'dispute',
        [sa.text('immediate_risk DESC'), sa.text('level_of_need DESC'), 'csc_decision_date',
         'id'], unique=False, sqlite_where=QUEUED, postgresql_where=QUEUED)
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.create_index(
            'ix_dispute_open_newest', ['immediate_risk', 'raised_on', 'id'], unique=False,
            sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.drop_index('ix_dispute_open_newest')
    op.drop_index('ix_dispute_queued_order', table_name='dispute')
