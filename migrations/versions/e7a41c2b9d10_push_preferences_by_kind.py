"""Push preferences by kind: one row per person and kind instead of a column per kind

Every choice a person made is carried over: a row for each of the old columns (workorder,
activity, care, notice) with the value it had. Quiet hours stay in notification_settings.

Revision ID: e7a41c2b9d10
Revises: c1db8adf11b3
Create Date: 2026-11-25 17:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7a41c2b9d10"
down_revision = "c1db8adf11b3"
branch_labels = None
depends_on = None

KINDS = ("workorder", "activity", "care", "notice")


def upgrade():
    op.create_table(
        "push_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("wanted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_push_preference_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_push_preference")),
    )
    for kind in KINDS:
        op.execute(
            sa.text(
                "INSERT INTO push_preference (user_id, kind, wanted) "
                f"SELECT user_id, :kind, push_{kind} FROM notification_settings"
            ).bindparams(kind=kind)
        )
    with op.batch_alter_table("notification_settings", schema=None) as batch_op:
        for kind in KINDS:
            batch_op.drop_column(f"push_{kind}")


def downgrade():
    with op.batch_alter_table("notification_settings", schema=None) as batch_op:
        for kind in KINDS:
            batch_op.add_column(
                sa.Column(f"push_{kind}", sa.Boolean(), nullable=False, server_default=sa.true())
            )
    for kind in KINDS:
        op.execute(
            sa.text(
                f"UPDATE notification_settings SET push_{kind} = COALESCE(("
                "SELECT wanted FROM push_preference WHERE push_preference.user_id = "
                "notification_settings.user_id AND push_preference.kind = :kind), true)"
            ).bindparams(kind=kind)
        )
    op.drop_table("push_preference")
