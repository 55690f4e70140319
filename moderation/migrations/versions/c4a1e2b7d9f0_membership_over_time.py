"""Membership over time, calendar sequences, early starts, and no TRUNCATE of the audit log

Revision ID: c4a1e2b7d9f0
Revises: 1d9e7ecef350
Create Date: 2026-11-23 20:30:00

A panel member now has the dates their membership began and ended, so that removing someone who
attended keeps the history, and a member sees case detail only for sessions held while they sat
on the panel (DESIGN.md rule 12). A session's calendar sequence counts its changes (RFC 5545
SEQUENCE), and a meeting started before its date records why.
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4a1e2b7d9f0'
down_revision = '1d9e7ecef350'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('left_on', sa.Date(), nullable=True))
        batch_op.drop_constraint('uq_panel_member_user_id', type_='unique')
        batch_op.create_index('ix_panel_member_user_id', ['user_id'], unique=False)
    # Members before this change sat on every session: their membership starts with the
    # earliest session (or when they were added, if that is earlier).
    op.execute(
        "UPDATE panel_member SET joined_on = COALESCE("
        "(SELECT MIN(held_on) FROM panel_session), CURRENT_DATE)"
    )
    op.execute(
        "UPDATE panel_member SET joined_on = CAST(created_at AS DATE) "
        "WHERE CAST(created_at AS DATE) < joined_on"
    )
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.alter_column('joined_on', existing_type=sa.Date(), nullable=False)
    # One current membership per person; ended ones are kept as history.
    op.create_index('uq_panel_member_current_user', 'panel_member', ['user_id'], unique=True,
                    sqlite_where=sa.text('left_on IS NULL'),
                    postgresql_where=sa.text('left_on IS NULL'))

    with op.batch_alter_table('panel_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('early_start_reason', sa.Text(), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        # Row triggers do not fire on TRUNCATE: block it with a statement trigger.
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
    with op.batch_alter_table('panel_session', schema=None) as batch_op:
        batch_op.drop_column('early_start_reason')
        batch_op.drop_column('calendar_sequence')
    op.drop_index('uq_panel_member_current_user', table_name='panel_member')
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.drop_index('ix_panel_member_user_id')
        batch_op.create_unique_constraint('uq_panel_member_user_id', ['user_id'])
        batch_op.drop_column('left_on')
        batch_op.drop_column('joined_on')
