"""Urgent stages due at the end of the office day

Revision ID: b1945d6074d4
Revises: 3b770c8c6cc9
Create Date: 2026-12-07 06:17:48.162703

An urgent stage is due at a moment, the policy's end of the office day (17:00 by default), so
that one nobody answered moves on within minutes (rule 17). Urgent stages already open are given
the end of their due day.
"""
from datetime import datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b1945d6074d4'
down_revision = '3b770c8c6cc9'
branch_labels = None
depends_on = None

OPEN_URGENT = "closed_on IS NULL AND due_at IS NOT NULL"


def upgrade():
    with op.batch_alter_table('dispute_stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_dispute_stage_urgent_open_due_at', ['due_at'], unique=False,
                              sqlite_where=sa.text(OPEN_URGENT),
                              postgresql_where=sa.text(OPEN_URGENT))

    with op.batch_alter_table('escalation_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent_due_time', sa.Time(), server_default='17:00:00',
                                      nullable=False))
    _due_at_for_open_urgent_stages()


def _due_at_for_open_urgent_stages():
    bind = op.get_bind()
    stages = bind.execute(sa.text(
        "SELECT dispute_stage.id, dispute_stage.due_on FROM dispute_stage "
        "JOIN dispute ON dispute.id = dispute_stage.dispute_id "
        "WHERE dispute.immediate_risk AND dispute_stage.closed_on IS NULL")).all()
    for stage_id, due_on in stages:
        if isinstance(due_on, str):  # SQLite hands dates back as text here
            due_on = datetime.strptime(due_on, "%Y-%m-%d").date()
        due_at = datetime.combine(due_on, time(17, 0), tzinfo=ZoneInfo("Europe/London"))
        due_at = due_at.astimezone(ZoneInfo("UTC"))
        if bind.dialect.name == "sqlite":  # as SQLAlchemy's DateTime writes it there
            due_at = due_at.strftime("%Y-%m-%d %H:%M:%S.%f")
        bind.execute(sa.text("UPDATE dispute_stage SET due_at = :due_at WHERE id = :id"),
                     {"due_at": due_at, "id": stage_id})


def downgrade():
    with op.batch_alter_table('escalation_policy', schema=None) as batch_op:
        batch_op.drop_column('urgent_due_time')

    with op.batch_alter_table('dispute_stage', schema=None) as batch_op:
        batch_op.drop_index('ix_dispute_stage_urgent_open_due_at')
        batch_op.drop_column('due_at')
