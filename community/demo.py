"""A realistic demo community: buildings, homes, common places, one account per role, repairs,
and a catalogue of services with their weekly hours and a few bookings."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
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
from community.activities.demo import load_demo_activities
from community.bookings.kind import open_home_visit
from community.bookings.models import (
    Booking,
    Provider,
    Service,
    ServiceClosure,
    ServiceHours,
    Slot,
)
from community.bookings.slots import starts_on
from community.capacity import rules as capacity
from community.capacity.models import Resource
from community.care.demo import load_demo_care
from community.core.db import utcnow
from community.directory.models import Building, Community, Place, Unit
from community.help.demo import load_demo_help
from community.repairs import rules as repairs
from community.timebank.demo import load_demo_timebank
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


def load_demo(
    session: Session, with_repairs: bool = True, with_bookings: bool | None = None
) -> bool:
    """Make the demo community unless a community exists already. True if it made one.
    Services and bookings come with the repairs unless asked for apart: the tests' plain demo
    (with_repairs=False) stays the people and places alone."""
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
    if with_repairs if with_bookings is None else with_bookings:
        load_demo_bookings(session)
        load_demo_activities(session)
    if with_repairs:
        # The time bank's back-dated entries first: the care visits confirmed now credit
        # their hours after them, so the statement reads in time order.
        load_demo_timebank(session)
        load_demo_care(session, password_hash)
        load_demo_help(session)
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


# ---- Services and bookings ---------------------------------------------------------------

MORNING, AFTERNOON, EVENING = (540, 690), (840, 990), (1080, 1260)  # minutes after midnight
WEEKDAYS, EVERY_DAY = range(0, 5), range(0, 7)

# Places that only the bookings need: the clinic and the court.
BOOKING_PLACES = [("社区卫生服务站", "clinic"), ("羽毛球场", "court")]

# name, phone, staff login (None: an outside provider the office records)
PROVIDERS = [
    ("孙师傅", "13800000003", "13800000003"),
    ("洁家保洁服务有限公司", "4006661234", None),
    ("快修家电维修部", "13912345678", None),
    ("社区卫生服务站", "02188886666", None),
]


@dataclass(frozen=True)
class DemoService:
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    scenario: str
    place: str | None  # None: at the person's home
    provider: str | None
    price_cents: int
    duration: int
    per_slot: int
    buffer: int
    days: range
    openings: tuple[tuple[int, int], ...]


SERVICES = [
    DemoService(
        "长者上门理发",
        "Haircut at home for elders",
        "社区公益服务：理发师傅上门为 70 岁以上长者理发，免费。",
        "A public-welfare service: a barber comes to the home of residents over 70, free.",
        "neighborhood",
        None,
        "孙师傅",
        0,
        45,
        1,
        15,
        range(1, 5, 2),  # Tuesday and Thursday
        (MORNING, AFTERNOON),
    ),
    DemoService(
        "家庭保洁",
        "Home cleaning",
        "专业保洁人员上门打扫，两小时，自带工具。",
        "Professional cleaners at your home for two hours, tools included.",
        "service",
        None,
        "洁家保洁服务有限公司",
        8000,
        120,
        1,
        30,
        range(0, 6),
        ((480, 720), (810, 1050)),
    ),
    DemoService(
        "家电上门维修",
        "Appliance repair at home",
        "洗衣机、冰箱、空调等家电上门检修，上门费 30 元，配件另计。",
        "Washing machines, fridges and air conditioners repaired at home: 30 yuan call-out.",
        "construction",
        None,
        "快修家电维修部",
        3000,
        90,
        1,
        30,
        WEEKDAYS,
        (MORNING, AFTERNOON),
    ),
    DemoService(
        "健康检查",
        "Health check",
        "在社区卫生服务站测量血压、血糖，医生当场解读。",
        "Blood pressure and sugar measured at the community clinic, explained by a doctor.",
        "health",
        "社区卫生服务站",
        "社区卫生服务站",
        0,
        30,
        3,
        0,
        WEEKDAYS,
        (MORNING, AFTERNOON),
    ),
    DemoService(
        "社区活动室",
        "Community room",
        "可容纳 20 人的活动室，适合兴趣小组和家庭聚会。",
        "A room for 20 people: clubs, classes and family gatherings.",
        "neighborhood",
        "社区活动中心",
        None,
        0,
        120,
        20,
        0,
        EVERY_DAY,
        (MORNING, AFTERNOON, EVENING),
    ),
    DemoService(
        "羽毛球场",
        "Badminton court",
        "室内羽毛球场，每场一小时，最多 4 人。",
        "The indoor badminton court, by the hour, up to 4 players.",
        "health",
        "羽毛球场",
        None,
        2000,
        60,
        4,
        0,
        EVERY_DAY,
        ((420, 720), (840, 1320)),
    ),
]

# Neighbours who only appear in the bookings (a full court needs players).
NEIGHBOURS = [
    ("王大爷", "13800000011", ("4号楼", "1-301")),
    ("陈阿姨", "13800000012", ("4号楼", "2-402")),
]


def _zone() -> ZoneInfo:
    name = current_app.config["COMMUNITY_TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def load_demo_bookings(session: Session) -> None:
    """The catalogue, a day the community is closed, and bookings made through the capacity
    engine: confirmed ones, a full court with a waiting list, a haircut at home that is a
    home_service work order."""
    community = session.scalar(select(Community))
    places = {place.name: place for place in session.scalars(select(Place))}
    for name, kind in BOOKING_PLACES:
        if name not in places:
            places[name] = Place(community_id=community.id, name=name, kind=kind)
            session.add(places[name])
    providers = {}
    for name, phone, login in PROVIDERS:
        user = find_by_login(session, login) if login else None
        providers[name] = Provider(name=name, phone=phone, user=user)
        session.add(providers[name])
    session.flush()
    services = {}
    for spec in SERVICES:
        service = Service(
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            description_zh=spec.description_zh,
            description_en=spec.description_en,
            scenario=spec.scenario,
            at_home=spec.place is None,
            place_id=places[spec.place].id if spec.place else None,
            provider=providers.get(spec.provider),
            price_cents=spec.price_cents,
            duration_minutes=spec.duration,
            per_slot=spec.per_slot,
            buffer_minutes=spec.buffer,
            notice_hours=2,
            horizon_days=14,
        )
        service.hours = [
            ServiceHours(weekday=day, opens=opens, closes=closes)
            for day in spec.days
            for opens, closes in spec.openings
        ]
        session.add(service)
        services[spec.name_en] = service
    session.flush()
    zone = _zone()
    today = utcnow().astimezone(zone).date()
    closed = today + timedelta(days=10)
    session.add(ServiceClosure(service_id=None, day=closed, reason="社区全面消杀，暂停服务一天"))
    session.flush()

    units = {(u.building.name, u.label): u for u in session.scalars(select(Unit))}
    password_hash = session.scalar(select(User.password_hash).limit(1))
    for name, phone, unit in NEIGHBOURS:
        neighbour = User(
            name=name,
            phone=phone,
            password_hash=password_hash,
            unit=units[unit],
            status=AccountStatus.ACTIVE,
            reviewed_at=utcnow(),
        )
        neighbour.role_rows = [UserRole(role=Role.RESIDENT)]
        session.add(neighbour)
    session.flush()

    people = {login: find_by_login(session, login) for login in (a.phone for a in ACCOUNTS)}
    people.update({phone: find_by_login(session, phone) for _n, phone, _u in NEIGHBOURS})
    volunteer, daughter, elder = people["13800000004"], people["13800000005"], people["13800000006"]
    wang, chen = people["13800000011"], people["13800000012"]

    def slot_at(service: Service, nth_day: int, nth_start: int) -> Slot:
        """The nth_start'th time of the nth open day from tomorrow (closed days skipped)."""
        day, found = today, 0
        while True:
            day += timedelta(days=1)
            starts = starts_on(service, day, zone) if day != closed else []
            if starts:
                found += 1
                if found > nth_day:
                    return _slot(session, service, starts[min(nth_start, len(starts) - 1)])

    def reserve(service, nth_day, nth_start, person, booked_by=None, party=1) -> Booking:
        slot = slot_at(service, nth_day, nth_start)
        reservation = capacity.reserve(
            session, slot.resource_id, person, booked_by or person, party
        )
        booking = Booking(reservation_id=reservation.id, slot_id=slot.id)
        session.add(booking)
        session.flush()
        return booking

    # The daughter books a haircut at home for her mother: a work order for 孙师傅.
    haircut = reserve(services["Haircut at home for elders"], 0, 1, elder, booked_by=daughter)
    open_home_visit(session, haircut)
    reserve(services["Home cleaning"], 1, 0, daughter)
    reserve(services["Appliance repair at home"], 2, 2, volunteer)
    reserve(services["Health check"], 0, 0, elder, booked_by=daughter)
    reserve(services["Health check"], 0, 0, wang)
    reserve(services["Community room"], 2, 2, volunteer, party=12)
    # The last game on the court tomorrow evening: full, and two more waiting in line.
    court = services["Badminton court"]
    reserve(court, 0, 12, volunteer, party=2)
    reserve(court, 0, 12, wang, party=2)
    reserve(court, 0, 12, daughter)
    reserve(court, 0, 12, chen, party=2)


def _slot(session: Session, service: Service, starts_at: datetime) -> Slot:
    slot = session.scalar(
        select(Slot).where(Slot.service_id == service.id, Slot.starts_at == starts_at)
    )
    if slot is None:
        resource = Resource(kind="service_slot", size=service.per_slot, starts_at=starts_at)
        session.add(resource)
        session.flush()
        slot = Slot(
            service_id=service.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=service.duration_minutes),
            resource_id=resource.id,
        )
        session.add(slot)
        session.flush()
    return slot
