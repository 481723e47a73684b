"""covering indexes for the operator's queue

Revision ID: d13a5e0c7b42
Revises: 6569ef01a751
Create Date: 2026-11-25 20:25:00.000000

The queue's filters (category, building, priority, assignee) join (status, created_at, id), so
that a filtered page and the per-status counts are read from the index alone; (status, due_at)
gains created_at for "overdue only", newest first. Each replaces the index it extends.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd13a5e0c7b42'
down_revision = '6569ef01a751'
branch_labels = None
depends_on = None

QUEUE = ['status', 'created_at', 'id', 'category', 'building_id', 'priority', 'assignee_id']


def upgrade():
    op.create_index('ix_work_order_queue', 'work_order', QUEUE, unique=False)
    op.drop_index('ix_work_order_status_created', table_name='work_order')
    # Same name, one more column: dropped first.
    op.drop_index('ix_work_order_status_due', table_name='work_order')
    op.create_index(
        'ix_work_order_status_due', 'work_order', ['status', 'due_at', 'created_at', 'id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_work_order_status_due', table_name='work_order')
    op.create_index(
        'ix_work_order_status_due', 'work_order', ['status', 'due_at', 'id'], unique=False
    )
    op.create_index(
        'ix_work_order_status_created', 'work_order', ['status', 'created_at', 'id'],
        unique=False,
    )
    op.drop_index('ix_work_order_queue', table_name='work_order')
