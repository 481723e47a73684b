"""family relations: who may act for whom

Revision ID: e7a3c9d41b52
Revises: e7b2f4a91c30
Create Date: 2026-11-25 17:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import community.core.db


# revision identifiers, used by Alembic.
revision = 'e7a3c9d41b52'
down_revision = 'e7b2f4a91c30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'relation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('relative_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', community.core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint('person_id < relative_id', name=op.f('ck_relation_ordered_pair')),
        sa.ForeignKeyConstraint(['person_id'], ['user_account.id'], name=op.f('fk_relation_person_id_user_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_relation_recorded_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['relative_id'], ['user_account.id'], name=op.f('fk_relation_relative_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_relation')),
        sa.UniqueConstraint('person_id', 'relative_id', 'kind', name=op.f('uq_relation_person_id_relative_id_kind')),
    )
    with op.batch_alter_table('relation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relation_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relation_relative_id'), ['relative_id'], unique=False)


def downgrade():
    with op.batch_alter_table('relation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relation_relative_id'))
        batch_op.drop_index(batch_op.f('ix_relation_person_id'))
    op.drop_table('relation')
