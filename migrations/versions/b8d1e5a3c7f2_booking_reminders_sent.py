"""Booking reminders sent: when the day-before and hour-before reminders went

Revision ID: b8d1e5a3c7f2
Revises: 2960e6def5f9
Create Date: 2026-11-25 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import community.core.db  # noqa: F401 - the UTC column type


# revision identifiers, used by Alembic.
revision = 'b8d1e5a3c7f2'
down_revision = '2960e6def5f9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_day_at', community.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminded_hour_at', community.core.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('reminded_hour_at')
        batch_op.drop_column('reminded_day_at')
