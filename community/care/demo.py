"""The care part of the demo community: 吴奶奶 and 陈爷爷 receive care, with birth years and
emergency contacts; 周小梅 is 吴奶奶's daughter and may read her visit log; open requests wait
on the volunteers' board, one weekly meal delivery runs, and a few visits were done, logged and
confirmed."""

from datetime import timedelta

from sqlalchemy.orm import Session

from community.accounts.models import AccountStatus, EmergencyContact, Role, User, UserRole
from community.accounts.rules import find_by_login
from community.care import asking, lifecycle, rules
from community.care.models import CareConsent, CareVisit, ConsentStatus
from community.core.db import utcnow
from community.directory.models import Building, Unit
from community.workorders import machine

ELDER, DAUGHTER, VOLUNTEER, OPERATOR = "13800000006", "13800000005", "13800000004", "13800000002"
# A second elder, not one of the demo logins: his family lives far away.
SECOND_ELDER = ("陈爷爷", "13800000016", "4号楼", "2-102", 1941)


def load_demo_care(session: Session, password_hash: str) -> None:
    now = utcnow()
    elder, daughter = find_by_login(session, ELDER), find_by_login(session, DAUGHTER)
    volunteer, office = find_by_login(session, VOLUNTEER), find_by_login(session, OPERATOR)
    elder.receives_care, elder.birth_year = True, 1946
    name, phone, building_name, label, year = SECOND_ELDER
    unit = (
        session.query(Unit)
        .join(Building)
        .filter(Building.name == building_name, Unit.label == label)
        .one()
    )
    grandpa = User(
        name=name,
        phone=phone,
        password_hash=password_hash,
        unit=unit,
        status=AccountStatus.ACTIVE,
        large_text=True,
        birth_year=year,
        receives_care=True,
        reviewed_at=now,
    )
    grandpa.role_rows = [UserRole(role=Role.RESIDENT)]
    session.add(grandpa)
    session.add_all(
        [
            EmergencyContact(person=elder, name="周小梅", phone="13800000005", relation="女儿"),
            EmergencyContact(
                person=elder,
                name="王阿姨",
                phone="13912345678",
                relation="邻居（有钥匙）",
                position=1,
            ),
            EmergencyContact(person=grandpa, name="陈明", phone="13698765432", relation="儿子"),
        ]
    )
    session.add(
        CareConsent(
            elder_id=elder.id,
            relative_id=daughter.id,
            status=ConsentStatus.GRANTED,
            decided_by_id=elder.id,
            decided_at=now - timedelta(days=30),
        )
    )
    session.flush()

    def ask(who, for_whom, kind, days, window, needs="", weekly=False, at=None):
        today = (at or now).astimezone(rules.zone()).date()
        wanted = asking.VisitRequest(kind, today + timedelta(days=days), window, needs, weekly)
        return asking.open_visit(session, who, for_whom, wanted, None, at or now)

    # Open on the board.
    ask(daughter, elder, "clinic", 2, "morning", "腿脚不便，需要轮椅；挂号单在门口鞋柜上。")
    ask(grandpa, grandpa, "visit", 1, "afternoon", "耳朵不太好，说话请大声一点。")
    ask(office, grandpa, "clean", 4, "morning", "钥匙在3号楼1-102王阿姨家。")
    ask(grandpa, grandpa, "shopping", 3, "late")
    # Every week: a meal for 吴奶奶 at noon, from tomorrow.
    asking.request_visit(
        session,
        daughter,
        elder,
        asking.VisitRequest("meal", rules.request_days(now)[1], "noon", "少盐少油，软一点。", True),
        now,
    )
    # Done, logged and confirmed (two thanked), days ago.
    done = [
        (elder, "meal", 7, "饭菜送到，陪奶奶聊了二十分钟。", 3, "", 5, "谢谢小李，饭还热着！"),
        (grandpa, "visit", 5, "陪爷爷下棋，帮他换了灯泡。", 2, "", None, ""),
        (
            elder,
            "clean",
            3,
            "打扫了厨房和卫生间。",
            2,
            "奶奶说最近晚上睡不好，膝盖疼。",
            4,
            "辛苦了",
        ),
    ]
    for person, kind, ago, log, mood, concern, rating, thanks in done:
        asked_at = now - timedelta(days=ago + 2)
        order = ask(person, person, kind, 2, "morning", at=asked_at)
        visit = session.get(CareVisit, order.id)
        start = visit.starts_at
        machine.apply(session, order, volunteer, "claim", None, now=asked_at + timedelta(hours=3))
        machine.apply(session, order, volunteer, "start", order.version, now=start)
        finished = start + timedelta(minutes=50)
        machine.apply(session, order, volunteer, "resolve", order.version, now=finished, note=log)
        if concern:
            view = lifecycle.VisitView(order, visit, person, False, True, False, False, False)
            visit.concern_order_id = lifecycle.raise_concern(session, volunteer, view, concern)
        visit.mood, visit.concern = mood, concern
        session.flush()
        machine.apply(
            session, order, person, "confirm", order.version, now=finished + timedelta(hours=2)
        )
        if rating:
            machine.apply(
                session,
                order,
                person,
                "rate",
                order.version,
                rating=rating,
                note=thanks,
                now=finished + timedelta(hours=2),
            )
    session.flush()
