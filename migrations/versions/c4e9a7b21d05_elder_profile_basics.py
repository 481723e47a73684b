"""Elder profile basics: birth year, receiving care, emergency contacts

Revision ID: c4e9a7b21d05
Revises: b8d1e5a3c7f2
Create Date: 2026-11-25 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import community.core.db  # noqa: F401 - the UTC column type


# revision identifiers, used by Alembic.
revision = 'c4e9a7b21d05'
down_revision = 'b8d1e5a3c7f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_year', sa.SmallInteger(), nullable=True))
        batch_op.add_column(
            sa.Column('receives_care', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        'emergency_contact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('relation', sa.String(length=30), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', community.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('emergency_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_contact_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('emergency_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_contact_person_id'))
    op.drop_table('emergency_contact')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('receives_care')
        batch_op.drop_column('birth_year')
