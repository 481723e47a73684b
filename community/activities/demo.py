"""The demo's activities: a weekly calligraphy class, a film night that is full with a place
offered to the first in line, a health talk for people aged 60 and over, a paid day trip, and a
children's reading hour that took place two days ago, with who came. Made through the rules, so
the capacity engine, the tickets and the notifications are what a real sign-up makes."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.accounts.rules import find_by_login
from community.activities import cancelling, joining, rules, schedule, tickets
from community.activities.models import Activity, Audience
from community.core.db import utcnow
from community.directory.models import Place, Unit

# Neighbours who only appear in the activities (a full film night needs a crowd).
NEIGHBOURS = [
    ("刘大姐", "13800000021", ("2号楼", "1-401")),
    ("黄师傅", "13800000022", ("2号楼", "2-502")),
    ("林阿婆", "13800000023", ("3号楼", "2-201")),
    ("何先生", "13800000024", ("4号楼", "1-602")),
]


def _neighbours(session: Session) -> dict[str, User]:
    units = {(u.building.name, u.label): u for u in session.scalars(select(Unit))}
    password_hash = session.scalar(select(User.password_hash).limit(1))
    people = {}
    for name, phone, unit in NEIGHBOURS:
        person = find_by_login(session, phone)
        if person is None:
            person = User(
                name=name,
                phone=phone,
                password_hash=password_hash,
                unit=units.get(unit),
                status=AccountStatus.ACTIVE,
                reviewed_at=utcnow(),
            )
            person.role_rows = [UserRole(role=Role.RESIDENT)]
            session.add(person)
            session.flush()
        people[phone] = person
    return people


def _next(weekday: int, hour: int, zone: ZoneInfo, after_days: int = 1) -> datetime:
    """The next such weekday (0: Monday) at least after_days away, at hour, local time."""
    day = utcnow().astimezone(zone).date() + timedelta(days=after_days)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), zone)


def load_demo_activities(session: Session) -> None:
    zone = rules.community_zone()
    now = utcnow()
    operator = find_by_login(session, "13800000002")
    volunteer = find_by_login(session, "13800000004")
    daughter = find_by_login(session, "13800000005")
    elder = find_by_login(session, "13800000006")
    if elder.birth_year is None:
        elder.birth_year = 1948
    places = {place.name: place for place in session.scalars(select(Place))}
    centre = places.get("社区活动中心")
    square = places.get("健身广场")
    garden = places.get("中心花园")
    people = _neighbours(session)
    liu, huang, lin, he = (people[phone] for _n, phone, _u in NEIGHBOURS)
    lin.birth_year = lin.birth_year or 1951

    def make(**values) -> Activity:
        draft = schedule.ActivityDraft(**values)
        activity = schedule.create_activity(session, operator, draft, now=now)
        schedule.publish(session, activity.id, operator, now=now)
        return activity

    calligraphy = make(
        title_zh="书法班：从楷书开始",
        title_en="Calligraphy: starting with regular script",
        description_zh="每周二上午，老师带大家从握笔、笔画练起。笔墨纸砚由社区提供。",
        description_en="Every Tuesday morning, from holding the brush to the first strokes. "
        "Brushes, ink and paper are provided.",
        category="education",
        first_start=_next(1, 9, zone),
        duration_minutes=90,
        weeks=8,
        place_id=centre.id if centre else None,
        address="" if centre else "社区活动中心",
        capacity=12,
    )
    film = make(
        title_zh="露天电影之夜",
        title_en="Open-air film night",
        description_zh="在中心花园放映经典老电影，自带小板凳。",
        category="neighborhood",
        first_start=_next(4, 19, zone, after_days=2),
        duration_minutes=120,
        place_id=garden.id if garden else None,
        address="" if garden else "中心花园",
        capacity=4,
        hold_minutes=24 * 60,
    )
    talk = make(
        title_zh="健康讲座：老年人如何防跌倒",
        title_en="Health talk: preventing falls",
        description_zh="社区医生讲解居家防跌倒的要点，现场量血压。仅限60岁及以上居民。",
        description_en="The community doctor on preventing falls at home; blood pressure "
        "checks. For residents aged 60 and over.",
        category="health",
        first_start=_next(2, 15, zone, after_days=3),
        place_id=centre.id if centre else None,
        address="" if centre else "社区活动中心",
        capacity=30,
        audience=Audience.SENIORS,
    )
    trip = make(
        title_zh="一日游：周庄古镇",
        title_en="Day trip: Zhouzhuang water town",
        description_zh="早上7点南门集合，大巴往返，含门票和午餐。",
        description_en="Meet at the south gate at 7; coach, tickets and lunch included.",
        category="neighborhood",
        first_start=_next(5, 7, zone, after_days=5),
        duration_minutes=11 * 60,
        address="南门集合",
        capacity=20,
        price_cents=12000,
    )
    dance = make(
        title_zh="广场舞",
        title_en="Square dancing",
        category="neighborhood",
        first_start=_next(0, 19, zone),
        place_id=square.id if square else None,
        address="" if square else "健身广场",
        capacity=None,
    )
    schedule.name_organiser(session, calligraphy, volunteer)
    schedule.name_organiser(session, film, volunteer)
    schedule.name_organiser(session, dance, volunteer)

    first_class = calligraphy.sessions[0]
    joining.sign_up(session, first_class.id, daughter, daughter, companions=1, now=now)
    joining.sign_up(session, first_class.id, elder, daughter, now=now)
    joining.sign_up(session, calligraphy.sessions[1].id, daughter, daughter, now=now)
    joining.sign_up(session, dance.sessions[0].id, liu, liu, companions=2, now=now)
    # The teacher is away for the third class: the office calls it off and says why.
    joining.sign_up(session, calligraphy.sessions[2].id, daughter, daughter, now=now)
    cancelling.call_off(
        session,
        operator,
        calligraphy.sessions[2].id,
        "老师外出学习，本周停课一次，下周照常。",
        now=now,
    )

    # The film night fills; the first in line is offered the place a cancellation frees.
    night = film.sessions[0]
    leaving = joining.sign_up(session, night.id, huang, huang, companions=1, now=now)
    joining.sign_up(session, night.id, daughter, daughter, companions=1, now=now)
    joining.sign_up(session, night.id, he, he, companions=1, now=now)
    joining.sign_up(session, night.id, liu, liu, now=now)
    joining.cancel(session, leaving, huang, now=now)

    joining.sign_up(session, talk.sessions[0].id, elder, elder, now=now)
    joining.sign_up(session, talk.sessions[0].id, lin, lin, now=now)
    paid = joining.sign_up(session, trip.sessions[0].id, daughter, daughter, companions=2, now=now)
    joining.sign_up(session, trip.sessions[0].id, he, he, now=now)
    tickets.mark_paid(session, operator, paid.id, "wechat", now=now)

    # A reading hour two days ago: four families signed up, three came.
    reading = make(
        title_zh="亲子阅读会",
        title_en="Children's reading hour",
        description_zh="志愿者带孩子们读绘本。",
        category="education",
        first_start=now + timedelta(hours=2),
        place_id=centre.id if centre else None,
        address="" if centre else "社区活动中心",
        capacity=10,
    )
    schedule.name_organiser(session, reading, volunteer)
    past = reading.sessions[0]
    started = now - timedelta(days=2)
    signed_at = started - timedelta(days=3)
    past.starts_at = past.resource.starts_at = started
    past.ends_at = started + timedelta(minutes=reading.duration_minutes)
    reading.published_at = signed_at
    session.flush()
    came = []
    for person, companions in ((daughter, 1), (liu, 1), (he, 0), (huang, 1)):
        signup = joining.sign_up(session, past.id, person, person, companions, now=signed_at)
        signup.reminded_day_at = signup.reminded_hour_at = signed_at
        came.append(signup)
    for signup in came[:3]:
        tickets.check_in_by_name(session, volunteer, past.id, signup.id, now=started)
    session.flush()
