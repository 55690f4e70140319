"""The outcome figures, already counted: summary rows by day, agency, level and category

Revision ID: a9d3f6c2e8b1
Revises: f2b8d4a6c1e7
Create Date: 2026-12-08 02:00:00.000000

Issue #27: the dashboard and the learning summary counted their figures from the disputes on
every view (1.9 s for a year at 720,000 disputes). They now sum `figure_count` rows, kept in the
transaction of every change that moves them (moderation/outcomes/tallies.py). The table starts
empty: `flask init-db` fills it from the disputes when it is empty and disputes exist, and
`flask rebuild-figures` does so at any time.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a9d3f6c2e8b1'
down_revision = 'f2b8d4a6c1e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'figure_count',
        sa.Column('measure', sa.String(length=30), nullable=False),
        sa.Column('span', sa.String(length=5), nullable=False),
        sa.Column('key', sa.String(length=250), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('measure', 'span', 'agency_id', 'category', 'day', 'level', 'key',
                                'value', name='pk_figure_count'),
    )
    op.create_index('ix_figure_count_by_agency', 'figure_count',
                    ['measure', 'span', 'category', 'day'])


def downgrade():
    op.drop_index('ix_figure_count_by_agency', table_name='figure_count')
    op.drop_table('figure_count')
