"""The cache every web worker shares, kept in the database when no Redis is configured

Revision ID: e3f1c2a9b7d4
Revises: c4a1e2b7d9f0
Create Date: 2026-11-30 10:00:00

The dashboard's figures were kept in each worker's memory: every worker counted them again, and
a recorded decision could not make them all forget. They now live in one shared cache: Redis
when REDIS_URL is set, this table otherwise (moderation/web/cache.py).
"""
import sqlalchemy as sa
from alembic import op

revision = 'e3f1c2a9b7d4'
down_revision = 'c4a1e2b7d9f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cache_entry',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_cache_entry')),
    )
    with op.batch_alter_table('cache_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cache_entry_expires_at'), ['expires_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('cache_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cache_entry_expires_at'))
    op.drop_table('cache_entry')
