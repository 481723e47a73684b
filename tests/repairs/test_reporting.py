"""Repairs as residents, staff and the operator use them, through the pages."""

import io

import pytest
from PIL import Image

from community.core.extensions import db
from community.notify.models import Notification
from community.workorders.models import WorkOrder, WorkOrderPhoto
from tests.querycount import count_queries
from tests.workorder_helpers import ELDERLY, RESIDENT, STAFF, person, report, walk

EN = {"Accept-Language": "en"}


def jpeg(size=(64, 48)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(data, "JPEG")
    data.seek(0)
    return data


def make_order(app, login=RESIDENT, steps=(), **values) -> int:
    with app.app_context():
        order = walk(report(login, **values), *steps)
        db.session.commit()
        return order.id


def version_of(app, order_id) -> int:
    with app.app_context():
        return db.session.get(WorkOrder, order_id).version


def test_resident_reports_a_repair_at_home_with_a_photo(app, demo, login_as):
    resident = login_as("resident")
    form = resident.get("/repairs/new").get_data(as_text=True)
    assert 'accept="image/*"' in form
    assert 'capture="environment"' in form
    response = resident.post(
        "/repairs/new",
        data={
            "category": "plumbing",
            "place": "0",
            "description": "卫生间水管漏水",
            "urgency": "urgent",
            "photos": [(jpeg(), "leak.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = resident.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Submitted" in page
    assert "卫生间水管漏水" in page
    assert "1号楼 2-301" in page
    assert 'name="reply"' not in page  # ready-made replies are the operator's
    with app.app_context():
        order = db.session.query(WorkOrder).one()
        assert order.priority == "urgent"
        assert len(order.photos) == 1


def test_a_report_without_a_description_keeps_nothing(app, demo, login_as):
    resident = login_as("resident")
    response = resident.post(
        "/repairs/new",
        data={"category": "plumbing", "place": "0", "description": " "},
        headers=EN,
    )
    assert response.status_code == 422
    assert "Describe the problem" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(WorkOrder).count() == 0


def test_a_bad_photo_keeps_the_report_from_being_saved(app, demo, login_as, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    response = login_as("resident").post(
        "/repairs/new",
        data={
            "category": "plumbing",
            "place": "0",
            "description": "漏水",
            "photos": [(io.BytesIO(b"not an image"), "leak.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.query(WorkOrder).count() == 0
    assert list(tmp_path.iterdir()) == []


def test_pending_person_cannot_report(demo, login_as):
    pending = login_as("pending")
    assert pending.get("/repairs/new").status_code == 403
    response = pending.post(
        "/repairs/new", data={"category": "plumbing", "place": "0", "description": "x"}
    )
    assert response.status_code == 403


def test_common_place_shows_open_reports_and_me_too_follows_one(app, demo, login_as):
    order_id = make_order(app, RESIDENT, place_id=1, description="南门门禁坏了")
    elderly = login_as("elderly")
    page = elderly.get("/repairs/new?place=1", headers=EN).get_data(as_text=True)
    assert "Is it one of these?" in page
    assert "南门门禁坏了" in page
    partial = elderly.get("/repairs/new?place=1", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True)
    assert elderly.post(f"/repairs/{order_id}/follow").status_code == 302
    mine = elderly.get("/repairs").get_data(as_text=True)
    assert f"#{order_id}" in mine
    detail = elderly.get(f"/repairs/{order_id}", headers=EN).get_data(as_text=True)
    assert "周小梅" not in detail  # the reporter's name is never shown to other residents
    assert "A resident" in detail


def test_a_home_report_cannot_be_joined_or_seen_by_neighbours(app, demo, login_as):
    order_id = make_order(app, RESIDENT)
    elderly = login_as("elderly")
    assert elderly.get(f"/repairs/{order_id}").status_code == 404
    assert elderly.post(f"/repairs/{order_id}/follow").status_code == 404


def test_residents_cannot_see_each_others_orders_timelines_or_photos(app, demo, login_as):
    resident = login_as("resident")
    resident.post(
        "/repairs/new",
        data={
            "category": "plumbing",
            "place": "0",
            "description": "漏水",
            "photos": [(jpeg(), "a.jpg")],
        },
        content_type="multipart/form-data",
    )
    with app.app_context():
        order = db.session.query(WorkOrder).one()
        photo_id = db.session.query(WorkOrderPhoto).one().id
        order_id = order.id
    with resident.get(f"/photos/{photo_id}/thumbnail") as own:
        assert own.status_code == 200
        assert own.mimetype == "image/jpeg"
    neighbour = login_as("elderly")
    assert neighbour.get(f"/repairs/{order_id}").status_code == 404
    assert neighbour.get(f"/photos/{photo_id}").status_code == 404
    assert neighbour.get(f"/photos/{photo_id}/thumbnail").status_code == 404
    version = version_of(app, order_id)
    response = neighbour.post(f"/repairs/{order_id}/do/comment", data={"version": version})
    assert response.status_code == 404
    assert login_as("staff").get(f"/repairs/{order_id}").status_code == 404  # not assigned


def test_staff_work_only_orders_assigned_to_them(app, demo, login_as):
    mine = make_order(app, steps=("accept", "assign"))
    other = make_order(app, steps=("accept",))
    staff = login_as("staff")
    page = staff.get("/work").get_data(as_text=True)
    assert f"#{mine}" in page
    assert f"#{other}" not in page
    response = staff.post(f"/repairs/{other}/do/start", data={"version": version_of(app, other)})
    assert response.status_code == 404
    response = staff.post(f"/repairs/{mine}/do/start", data={"version": version_of(app, mine)})
    assert response.status_code == 302


def test_the_whole_story_through_the_pages(app, demo, login_as):
    resident, operator, staff = login_as("resident"), login_as("operator"), login_as("staff")
    order_id = make_order(app)
    staff_id = None
    with app.app_context():
        staff_id = person(STAFF).id

    def act(client, action, **data):
        data["version"] = version_of(app, order_id)
        response = client.post(f"/repairs/{order_id}/do/{action}", data=data, headers=EN)
        assert response.status_code == 302, response.get_data(as_text=True)

    act(operator, "accept", category="plumbing", priority="high")
    page = operator.get(f"/repairs/{order_id}", headers=EN).get_data(as_text=True)
    assert "孙师傅 (0 open)" in page
    act(operator, "assign", assignee_id=staff_id)
    act(operator, "comment", reply="received", category="plumbing")
    act(staff, "start")
    act(staff, "resolve", note="换了新的阀门")
    act(resident, "confirm")
    act(resident, "rate", rating=5, note="很快")
    page = resident.get(f"/repairs/{order_id}", headers=EN).get_data(as_text=True)
    assert "Closed" in page
    assert "5 stars" in page
    for text in ["Accepted by the office", "Assigned", "Work started", "Fixed", "Confirmed fixed"]:
        assert text in page
    assert "We have your report" in page  # the ready-made reply
    with app.app_context():
        resident_inbox = (
            db.session.query(Notification).filter_by(user_id=person(RESIDENT).id).count()
        )
    assert resident_inbox == 5  # accept, assign, comment, start, resolve


def test_a_stale_form_gets_409_and_shows_the_order_as_it_is_now(app, demo, login_as):
    order_id = make_order(app)
    operator = login_as("operator")
    stale = version_of(app, order_id)
    operator.post(
        f"/repairs/{order_id}/do/accept",
        data={"version": stale, "category": "plumbing", "priority": "normal"},
    )
    response = operator.post(
        f"/repairs/{order_id}/do/reject", data={"version": stale, "note": "重复"}, headers=EN
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this order" in page
    assert "Accepted" in page


def test_an_action_in_the_wrong_state_is_409_and_by_the_wrong_role_403(app, demo, login_as):
    order_id = make_order(app)
    resident = login_as("resident")
    version = version_of(app, order_id)
    response = resident.post(f"/repairs/{order_id}/do/accept", data={"version": version})
    assert response.status_code == 403
    response = resident.post(f"/repairs/{order_id}/do/confirm", data={"version": version})
    assert response.status_code == 409


def test_reject_without_a_reason_is_422_next_to_the_form(app, demo, login_as):
    order_id = make_order(app)
    response = login_as("operator").post(
        f"/repairs/{order_id}/do/reject",
        data={"version": version_of(app, order_id), "note": ""},
        headers=EN,
    )
    assert response.status_code == 422
    assert 'id="reject-error"' in response.get_data(as_text=True)


def test_someone_reports_for_an_elderly_resident_and_both_see_it(app, demo, login_as):
    # The demo's family: the office linked 周小梅 and 吴奶奶 (item 8 of issue 8).
    daughter = login_as("resident")
    response = daughter.post(
        "/repairs/new",
        data={
            "category": "electrical",
            "place": "0",
            "description": "吴奶奶家灯不亮",
            "on_behalf_of": ELDERLY,
        },
    )
    assert response.status_code == 302
    order_path = response.headers["Location"]
    page = login_as("elderly").get(order_path).get_data(as_text=True)
    assert "吴奶奶家灯不亮" in page
    assert "3号楼 1-101" in page
    assert "吴奶奶家灯不亮" in daughter.get("/repairs").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/repairs", "/work"])
def test_lists_do_not_grow_queries_with_their_rows(app, demo, login_as, path):
    client = login_as("resident" if path == "/repairs" else "staff")
    with app.app_context():
        engine = db.engine
    counts = []
    for extra in (2, 20):
        for _ in range(extra - (0 if not counts else 2)):
            make_order(app, steps=("accept", "assign"), place_id=2)
        with count_queries(engine) as statements:
            assert client.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_order_page_queries_do_not_grow_with_the_timeline(app, demo, login_as):
    order_id = make_order(app, steps=("accept", "assign"))
    operator = login_as("operator")
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as short:
        operator.get(f"/repairs/{order_id}")
    for n in range(10):
        operator.post(
            f"/repairs/{order_id}/do/comment",
            data={"version": version_of(app, order_id), "note": f"第{n}次"},
        )
    with count_queries(engine) as long:
        operator.get(f"/repairs/{order_id}")
    assert len(long) == len(short)
