"""All models, imported here so that metadata and migrations see every table."""

from community.models.accounts import AccountStatus, LoginSession, Role, User, UserRole
from community.models.base import Base, UTCDateTime, utcnow
from community.models.directory import PLACE_KINDS, Building, Community, Place, Unit
from community.models.notify import (
    Delivery,
    DeliveryStatus,
    Notice,
    NoticeAudience,
    NotificationSettings,
    PushSubscription,
)
from community.models.workorders import (
    Notification,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderFollower,
    WorkOrderPhoto,
)

__all__ = [
    "PLACE_KINDS",
    "AccountStatus",
    "Base",
    "Building",
    "Community",
    "Delivery",
    "DeliveryStatus",
    "LoginSession",
    "Notice",
    "NoticeAudience",
    "Notification",
    "NotificationSettings",
    "Place",
    "PushSubscription",
    "Role",
    "UTCDateTime",
    "Unit",
    "User",
    "UserRole",
    "WorkOrder",
    "WorkOrderEvent",
    "WorkOrderFollower",
    "WorkOrderPhoto",
    "utcnow",
]
