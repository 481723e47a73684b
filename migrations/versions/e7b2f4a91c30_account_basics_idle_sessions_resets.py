"""account basics: idle sessions, home moves, office password resets

Revision ID: e7b2f4a91c30
Revises: f3c8d2a1b7e4
Create Date: 2026-11-25 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b2f4a91c30'
down_revision = 'f3c8d2a1b7e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_password_reset_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_password_reset_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset'))
    )
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_user_id'), ['user_id'], unique=False)

    # Sessions already open count as seen when they started: the idle clock starts there.
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))
    op.execute('UPDATE login_session SET last_seen_at = created_at')
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=sa.DateTime(), nullable=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('move_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('move_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('move_note', sa.String(length=200), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_user_account_move_unit_id'), ['move_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_account_move_unit_id_unit'), 'unit', ['move_unit_id'], ['id'])
    # The default was only there to fill existing rows; the model gives new rows theirs.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('move_note', existing_type=sa.String(length=200), server_default=None)


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_move_unit_id_unit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_account_move_unit_id'))
        batch_op.drop_column('move_note')
        batch_op.drop_column('move_requested_at')
        batch_op.drop_column('move_unit_id')

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')

    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_user_id'))

    op.drop_table('password_reset')
