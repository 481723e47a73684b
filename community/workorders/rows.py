"""Orders as the lists show them: one row of plain columns per order, read in one query with
its place, home, building and assignee joined in.

A list of 25 loaded as entities (each with its place, home, building and assignee) cost more
in the ORM than in the database; a row carries only what a line of a list prints. Rows read
like orders where lists need them to: `id`, `status`, `due_at` (machine.is_overdue takes one),
and `place_name`, `unit_label` with `building_name`, `assignee_name` for the relations."""

from sqlalchemy import Select, select

from community.accounts.models import User
from community.directory.models import Building, Place, Unit
from community.workorders.models import WorkOrder


def listed() -> Select:
    """SELECT the listed columns FROM work_order with what they show joined; add WHERE,
    ORDER BY and LIMIT. The joins are all to one row (or none), so they never multiply rows."""
    return (
        select(
            WorkOrder.id,
            WorkOrder.version,
            WorkOrder.kind,
            WorkOrder.category,
            WorkOrder.priority,
            WorkOrder.status,
            WorkOrder.description,
            WorkOrder.created_at,
            WorkOrder.due_at,
            WorkOrder.building_id,
            Place.name.label("place_name"),
            Unit.label.label("unit_label"),
            Building.name.label("building_name"),
            User.name.label("assignee_name"),
        )
        .select_from(WorkOrder)
        .outerjoin(Place, Place.id == WorkOrder.place_id)
        .outerjoin(Unit, Unit.id == WorkOrder.unit_id)
        .outerjoin(Building, Building.id == Unit.building_id)
        .outerjoin(User, User.id == WorkOrder.assignee_id)
    )
