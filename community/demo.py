"""A realistic demo community: buildings, homes, common places and one account per role."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from community.accounts.models import (
    AccountStatus,
    Relation,
    RelationKind,
    Role,
    User,
    UserRole,
)
from community.accounts.passwords import hash_password
from community.accounts.rules import find_by_login
from community.core.db import utcnow
from community.directory.models import Building, Community, Place, Unit
from community.repairs import rules as repairs
from community.workorders import machine

DEMO_PASSWORD = "demo-pass-2026"

BUILDINGS = [
    # name, floors, position on the site plan (percent)
    ("1号楼", 6, 20.0, 25.0),
    ("2号楼", 6, 45.0, 25.0),
    ("3号楼", 18, 70.0, 30.0),
    ("4号楼", 18, 30.0, 70.0),
]

PLACES = [
    ("南门", "gate", None),
    ("中心花园", "garden", None),
    ("地下停车场", "parking", None),
    ("社区活动中心", "room", None),
    ("健身广场", "square", None),
    ("1号楼大堂", "lobby", "1号楼"),
    ("3号楼电梯", "elevator", "3号楼"),
    ("4号楼电梯", "elevator", "4号楼"),
]


@dataclass(frozen=True)
class DemoAccount:
    role_label: str
    name: str
    phone: str
    unit: tuple[str, str] | None
    roles: tuple[str, ...]
    status: str = AccountStatus.ACTIVE
    large_text: bool = False


ACCOUNTS = [
    DemoAccount("admin", "赵管理", "13800000001", None, (Role.ADMIN,)),
    DemoAccount("operator", "钱运营", "13800000002", None, (Role.OPERATOR,)),
    DemoAccount("staff", "孙师傅", "13800000003", None, (Role.STAFF,)),
    DemoAccount(
        "resident + volunteer",
        "李志愿",
        "13800000004",
        ("2号楼", "1-202"),
        (Role.RESIDENT, Role.VOLUNTEER),
    ),
    DemoAccount("resident", "周小梅", "13800000005", ("1号楼", "2-301"), (Role.RESIDENT,)),
    DemoAccount(
        "elderly resident (large text)",
        "吴奶奶",
        "13800000006",
        ("3号楼", "1-101"),
        (Role.RESIDENT,),
        large_text=True,
    ),
    DemoAccount(
        "pending sign-up",
        "郑新来",
        "13800000007",
        ("4号楼", "1-502"),
        (),
        status=AccountStatus.PENDING,
    ),
]


# A family the office has linked: the resident and the elderly resident.
FAMILY = ("13800000005", "13800000006")


def unit_labels(floors: int) -> list[tuple[int, str]]:
    """Two entrances, two homes per floor on the lower six floors: '1-101', '2-302', ..."""
    return [
        (floor, f"{entrance}-{floor}{door:02d}")
        for entrance in (1, 2)
        for floor in range(1, min(floors, 6) + 1)
        for door in (1, 2)
    ]


def load_demo(session: Session, with_repairs: bool = True) -> bool:
    """Make the demo community unless a community exists already. True if it made one."""
    if session.scalar(select(Community.id).limit(1)) is not None:
        return False
    community = Community(
        name="幸福里社区", address="示例市幸福路 88 号", operator_phone="4008001234"
    )
    session.add(community)
    buildings = {}
    for order, (name, floors, x, y) in enumerate(BUILDINGS):
        building = Building(
            community=community, name=name, sort_key=order, floors=floors, plan_x=x, plan_y=y
        )
        building.units = [Unit(label=label, floor=floor) for floor, label in unit_labels(floors)]
        buildings[name] = building
        session.add(building)
    session.flush()
    for name, kind, building_name in PLACES:
        building = buildings.get(building_name)
        session.add(Place(community_id=community.id, name=name, kind=kind, building=building))
    password_hash = hash_password(DEMO_PASSWORD)
    units = {(u.building.name, u.label): u for b in buildings.values() for u in b.units}
    now = utcnow()
    for account in ACCOUNTS:
        user = User(
            name=account.name,
            phone=account.phone,
            password_hash=password_hash,
            unit=units[account.unit] if account.unit else None,
            status=account.status,
            large_text=account.large_text,
            reviewed_at=now if account.status == AccountStatus.ACTIVE else None,
        )
        user.role_rows = [UserRole(role=role) for role in account.roles]
        session.add(user)
    session.flush()
    # 周小梅 looks after 吴奶奶: she can report repairs for her (the office checked it).
    daughter, elder = (find_by_login(session, phone) for phone in FAMILY)
    first, second = sorted([daughter.id, elder.id])
    session.add(Relation(person_id=first, relative_id=second, kind=RelationKind.FAMILY))
    session.flush()
    if with_repairs:
        load_demo_repairs(session)
    return True


# (reporter, category, place name or None for their home, description, urgency, steps)
REPAIRS = [
    (
        "13800000005",
        "plumbing",
        None,
        "卫生间洗手池下面的水管在滴水，地上一直是湿的。",
        "normal",
        ["accept", "assign", "start"],
    ),
    (
        "13800000006",
        "elevator",
        "3号楼电梯",
        "3号楼电梯门关不上，一直在响。",
        "urgent",
        ["accept", "assign"],
    ),
    (
        "13800000004",
        "public_area",
        "中心花园",
        "花园东边的路灯不亮了，晚上很黑。",
        "normal",
        ["accept"],
    ),
    ("13800000005", "doors_locks", "南门", "南门门禁刷卡没反应。", "normal", []),
    (
        "13800000006",
        "electrical",
        None,
        "客厅的插座一插电就跳闸。",
        "normal",
        ["accept", "assign", "start", "resolve"],
    ),
    (
        "13800000004",
        "greenery",
        "健身广场",
        "广场旁边的树枝太低，挡住了路。",
        "normal",
        ["accept", "assign", "start", "resolve", "confirm"],
    ),
]


def load_demo_repairs(session: Session) -> None:

    operator = find_by_login(session, "13800000002")
    staff = find_by_login(session, "13800000003")
    places = {place.name: place for place in session.scalars(select(Place))}
    for login, category, place_name, description, urgency, steps in REPAIRS:
        reporter = find_by_login(session, login)
        order = repairs.report_repair(
            session,
            reporter,
            category=category,
            description=description,
            urgency=urgency,
            place_id=places[place_name].id if place_name else None,
        )
        actors = {
            "accept": operator,
            "assign": operator,
            "start": staff,
            "resolve": staff,
            "confirm": reporter,
        }
        fields = {
            "accept": {
                "category": category,
                "priority": "urgent" if urgency == "urgent" else "normal",
            },
            "assign": {"assignee_id": staff.id},
            "resolve": {"note": "已处理好，请确认。"},
        }
        for step in steps:
            machine.apply(session, order, actors[step], step, order.version, **fields.get(step, {}))
