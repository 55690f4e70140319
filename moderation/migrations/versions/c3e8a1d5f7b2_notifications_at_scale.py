"""Notifications at national scale: a person's newest first, and their unread ones, by index

Revision ID: c3e8a1d5f7b2
Revises: a9d3f6c2e8b1
Create Date: 2026-12-08 03:00:00.000000

Issue #27: a CSC manager is told of every dispute raised, so at national scale they hold a year
of notices (about 70,000). The menu's unread count ran on every page and the notifications page
sorted them all; both now read an index, and the count stops at 100. Who was told of an urgent
dispute (its page and CSC's work list) is read by key prefix, from an index in the bytes' order.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3e8a1d5f7b2'
down_revision = 'a9d3f6c2e8b1'
branch_labels = None
depends_on = None

UNREAD = sa.text("read_at IS NULL")


def upgrade():
    op.create_index('ix_notification_user_newest', 'notification',
                    ['user_id', 'created_at', 'id'])
    op.create_index('ix_notification_user_unread', 'notification', ['user_id', 'created_at'],
                    postgresql_where=UNREAD, sqlite_where=UNREAD)
    op.create_index('ix_notification_key_prefix', 'notification', ['key'],
                    postgresql_ops={'key': 'varchar_pattern_ops'})


def downgrade():
    op.drop_index('ix_notification_key_prefix', table_name='notification')
    op.drop_index('ix_notification_user_unread', table_name='notification')
    op.drop_index('ix_notification_user_newest', table_name='notification')
