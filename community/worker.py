"""The task worker's entry point: `huey_consumer community.worker.huey`. Builds the app the
tasks run in and imports every feature's tasks, so the consumer knows them all."""

from community import create_app
from community.accounts import tasks as account_tasks
from community.activities import tasks as activity_tasks
from community.bookings import tasks as booking_tasks
from community.capacity import tasks as capacity_tasks
from community.care import tasks as care_tasks
from community.core.tasks import huey, use_app
from community.help import tasks as help_tasks
from community.notify import tasks as notify_tasks
from community.workorders import tasks as workorder_tasks

use_app(create_app())

__all__ = [
    "account_tasks",
    "activity_tasks",
    "booking_tasks",
    "capacity_tasks",
    "care_tasks",
    "help_tasks",
    "huey",
    "notify_tasks",
    "workorder_tasks",
]
