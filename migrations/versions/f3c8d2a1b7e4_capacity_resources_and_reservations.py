"""Capacity: resources with places, reservations with a waiting list, and their events

Revision ID: f3c8d2a1b7e4
Revises: e7a41c2b9d10
Create Date: 2026-11-25 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import community.core.db

# revision identifiers, used by Alembic.
revision = "f3c8d2a1b7e4"
down_revision = "e7a41c2b9d10"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('held', 'confirmed', 'offered', 'waitlisted')"


def upgrade():
    op.create_table(
        "capacity_resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("hold_minutes", sa.Integer(), nullable=False),
        sa.Column("starts_at", community.core.db.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", community.core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("size >= 0", name=op.f("ck_capacity_resource_size_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_resource")),
    )
    op.create_table(
        "capacity_reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("offer_expires_at", community.core.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", community.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", community.core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "party_size >= 1", name=op.f("ck_capacity_reservation_party_size_positive")
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_id"],
            ["user_account.id"],
            name=op.f("fk_capacity_reservation_booked_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["user_account.id"],
            name=op.f("fk_capacity_reservation_person_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["capacity_resource.id"],
            name=op.f("fk_capacity_reservation_resource_id_capacity_resource"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_reservation")),
    )
    with op.batch_alter_table("capacity_reservation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_capacity_reservation_line",
            ["resource_id", "status", "priority", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_capacity_reservation_offer", ["status", "offer_expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_capacity_reservation_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "uq_capacity_reservation_active",
            ["resource_id", "person_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE),
            postgresql_where=sa.text(ACTIVE),
        )
    op.create_table(
        "capacity_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", community.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_capacity_event_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["capacity_reservation.id"],
            name=op.f("fk_capacity_event_reservation_id_capacity_reservation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_event")),
    )
    with op.batch_alter_table("capacity_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capacity_event_reservation_id"), ["reservation_id"], unique=False
        )


def downgrade():
    op.drop_table("capacity_event")
    op.drop_table("capacity_reservation")
    op.drop_table("capacity_resource")
