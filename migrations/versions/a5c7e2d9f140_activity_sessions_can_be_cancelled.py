"""Activity sessions can be cancelled: when, by whom and why; their resources closed

Revision ID: a5c7e2d9f140
Revises: d13a5e0c7b42
Create Date: 2026-11-26 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import community.core.db  # noqa: F401 - the UTC column type


# revision identifiers, used by Alembic.
revision = 'a5c7e2d9f140'
down_revision = 'd13a5e0c7b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activity_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', community.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('cancel_reason', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_activity_session_cancelled_by_id_user_account'),
            'user_account', ['cancelled_by_id'], ['id'],
        )
    with op.batch_alter_table('capacity_resource', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', community.core.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('capacity_resource', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('activity_session', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_activity_session_cancelled_by_id_user_account'), type_='foreignkey'
        )
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancelled_at')
