"""A visit from claim to thanks: who sees the elder's home and notes (the volunteer only after
claiming, family only with consent and every read logged, another resident never), handing
back, "I'm here" and "done" with the log, a concern for the office, confirming and thanking."""

from sqlalchemy import select

from community.accounts.models import User
from community.care.models import CareLogRead, CareVisit
from community.core.events import visit_confirmed
from community.core.extensions import db
from community.workorders.models import WorkOrder, WorkOrderEvent
from tests.care.conftest import ask_for, order_id_of, version_of

NEEDS = "钥匙在302王阿姨家"


def asked(login, cast, **fields):
    return order_id_of(ask_for(login(cast.elder), cast.elder, needs=NEEDS, **fields))


def claimed(app, login, cast):
    order_id = asked(login, cast)
    volunteer = login(cast.volunteer)
    assert volunteer.post(f"/care/visits/{order_id}/claim").status_code == 302
    return order_id, volunteer


def do(client, app, order_id, action, **data):
    return client.post(
        f"/care/visits/{order_id}/{action}", data={"version": version_of(app, order_id), **data}
    )


def done_visit(app, login, cast, **log):
    order_id, volunteer = claimed(app, login, cast)
    assert do(volunteer, app, order_id, "arrive").status_code == 302
    fields = {"done": "送了午饭，聊了天", "mood": "3", **log}
    assert do(volunteer, app, order_id, "done", **fields).status_code == 302
    return order_id, volunteer


def home_label(app, cast):
    with app.app_context():
        return db.session.get(User, cast.elder).unit.full_label


def reads(app):
    with app.app_context():
        return db.session.execute(
            select(CareLogRead.reader_id, CareLogRead.reader_is, CareLogRead.order_id)
        ).all()


def test_a_volunteer_sees_the_home_and_notes_only_after_claiming(app, cast, login):
    order_id = asked(login, cast)
    volunteer = login(cast.volunteer)
    before = volunteer.get(f"/care/visits/{order_id}")
    assert before.status_code == 200
    text = before.get_data(as_text=True)
    assert NEEDS not in text
    assert home_label(app, cast) not in text
    assert "吴奶奶" not in text
    board = volunteer.get("/care/board").get_data(as_text=True)
    assert NEEDS not in board
    assert home_label(app, cast) not in board
    assert volunteer.post(f"/care/visits/{order_id}/claim").status_code == 302
    after = volunteer.get(f"/care/visits/{order_id}").get_data(as_text=True)
    assert NEEDS in after
    assert home_label(app, cast) in after
    # Taken: the other volunteer no longer sees it at all.
    assert login(cast.second_volunteer).get(f"/care/visits/{order_id}").status_code == 404


def test_another_resident_never_sees_a_visit(app, cast, login):
    order_id, _volunteer = done_visit(app, login, cast)
    assert login(cast.neighbour).get(f"/care/visits/{order_id}").status_code == 404
    assert "送了午饭" not in login(cast.neighbour).get("/care").get_data(as_text=True)


def test_family_read_the_log_only_with_consent_and_every_read_is_logged(app, cast, login):
    order_id, _volunteer = done_visit(app, login, cast)
    assert reads(app) == []
    daughter = login(cast.daughter)
    for _ in range(2):
        page = daughter.get(f"/care/visits/{order_id}").get_data(as_text=True)
        assert "送了午饭" in page
        assert NEEDS in page
    assert reads(app) == [(cast.daughter, "family", order_id)] * 2
    # The son has no consent: not even that the visit exists.
    assert login(cast.son).get(f"/care/visits/{order_id}").status_code == 404
    # The elder and the volunteer read it without a record; the office with one.
    login(cast.elder).get(f"/care/visits/{order_id}")
    login(cast.volunteer).get(f"/care/visits/{order_id}")
    office = login(cast.operator).get(f"/care/visits/{order_id}").get_data(as_text=True)
    assert "送了午饭" in office
    assert reads(app)[-1] == (cast.operator, "office", order_id)
    assert len(reads(app)) == 3
    # The elder sees who read it on her profile.
    profile = login(cast.elder).get("/care/profile", follow_redirects=True).get_data(as_text=True)
    assert "Who read the visit log" in profile
    assert "周小梅" in profile


def test_consent_revoked_ends_familys_reading_and_granting_is_recorded(app, cast, login):
    order_id, _volunteer = done_visit(app, login, cast)
    elder = login(cast.elder)
    assert (
        elder.post(
            f"/care/people/{cast.elder}/family/{cast.daughter}/consent", data={"status": "revoked"}
        ).status_code
        == 302
    )
    assert login(cast.daughter).get(f"/care/visits/{order_id}").status_code == 404
    assert (
        elder.post(
            f"/care/people/{cast.elder}/family/{cast.son}/consent", data={"status": "granted"}
        ).status_code
        == 302
    )
    page = login(cast.son).get(f"/care/visits/{order_id}").get_data(as_text=True)
    assert "送了午饭" in page
    # Nobody else decides for her.
    assert (
        login(cast.son)
        .post(
            f"/care/people/{cast.elder}/family/{cast.daughter}/consent", data={"status": "granted"}
        )
        .status_code
        == 404
    )


def test_family_who_asked_without_consent_see_the_visit_but_not_the_log(app, cast, login):
    order_id = order_id_of(ask_for(login(cast.son), cast.elder, needs=NEEDS))
    son = login(cast.son)
    page = son.get(f"/care/visits/{order_id}").get_data(as_text=True)
    assert "Meal delivery" in page
    assert NEEDS not in page


def test_a_volunteer_hands_a_visit_back_before_starting_and_it_is_on_the_board_again(
    app, cast, login
):
    order_id, volunteer = claimed(app, login, cast)
    response = do(volunteer, app, order_id, "hand-back")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/care/board")
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        assert (order.status, order.assignee_id) == ("accepted", None)
    other = login(cast.second_volunteer)
    assert other.post(f"/care/visits/{order_id}/claim").status_code == 302
    assert do(other, app, order_id, "arrive").status_code == 302
    # Once there, it is no longer handed back.
    assert do(other, app, order_id, "hand-back").status_code == 409


def test_only_the_volunteer_who_took_it_records_arrival_and_the_log(app, cast, login):
    order_id, _volunteer = claimed(app, login, cast)
    assert do(login(cast.second_volunteer), app, order_id, "arrive").status_code == 404
    assert do(login(cast.elder), app, order_id, "arrive").status_code == 403


def test_im_here_and_done_record_the_times_and_the_log(app, cast, login):
    order_id, volunteer = claimed(app, login, cast)
    do(volunteer, app, order_id, "arrive")
    refused = do(volunteer, app, order_id, "done", done="", mood="3")
    assert refused.status_code == 422
    assert "Say what was done." in refused.get_data(as_text=True)
    refused = do(volunteer, app, order_id, "done", done="送饭", mood="9")
    assert refused.status_code == 422
    assert "Choose how the elder seemed." in refused.get_data(as_text=True)
    assert do(volunteer, app, order_id, "done", done="送饭", mood="2").status_code == 302
    with app.app_context():
        visit = db.session.get(CareVisit, order_id)
        order = db.session.get(WorkOrder, order_id)
        assert visit.arrived_at is not None
        assert visit.finished_at >= visit.arrived_at
        assert (visit.mood, visit.concern, visit.concern_order_id) == (2, "", None)
        assert order.status == "resolved"


def test_a_concern_raises_one_flagged_order_for_the_office(app, cast, login):
    order_id, _volunteer = done_visit(app, login, cast, concern="奶奶说胸口闷")
    with app.app_context():
        visit = db.session.get(CareVisit, order_id)
        concern = db.session.get(WorkOrder, visit.concern_order_id)
        assert (concern.kind, concern.priority, concern.status) == (
            "care_concern",
            "high",
            "submitted",
        )
        assert "奶奶说胸口闷" in concern.description
        assert concern.on_behalf_of_id is None  # the elder is not sent the office's work
    queue = login(cast.operator).get("/operator/orders").get_data(as_text=True)
    assert f"#{visit.concern_order_id}" in queue or "奶奶说胸口闷" in queue


def test_the_elder_confirms_and_thanks_and_the_time_bank_hears_once(app, cast, login):
    heard = []

    def listen(session, **values):
        heard.append({**values, "order": values["order"].id})

    visit_confirmed.connect(listen)
    try:
        order_id, _volunteer = done_visit(app, login, cast)
        elder = login(cast.elder)
        response = do(elder, app, order_id, "confirm", rating="5", thanks="谢谢小李")
        assert response.status_code == 302
        again = do(elder, app, order_id, "confirm")
        assert again.status_code == 409
    finally:
        visit_confirmed.disconnect(listen)
    assert len(heard) == 1
    with app.app_context():
        visit = db.session.get(CareVisit, order_id)
        order = db.session.get(WorkOrder, order_id)
        assert (order.status, order.rating, order.rating_comment) == ("closed", 5, "谢谢小李")
        values = heard[0]
        assert values["order"] == order_id
        assert (values["volunteer_id"], values["elder_id"]) == (cast.volunteer, cast.elder)
        assert values["started_at"] == visit.arrived_at
        assert values["finished_at"] == visit.finished_at
        assert values["window_minutes"] == 120


def test_family_with_consent_or_the_office_confirm_for_the_elder(app, cast, login):
    for who in (cast.daughter, cast.operator):
        order_id, _volunteer = done_visit(app, login, cast)
        assert do(login(who), app, order_id, "confirm").status_code == 302
        with app.app_context():
            event = db.session.scalar(
                select(WorkOrderEvent).where(
                    WorkOrderEvent.order_id == order_id, WorkOrderEvent.action == "confirm"
                )
            )
            assert event.actor_id == who  # recorded as who did it, judged as the elder
    order_id, _volunteer = done_visit(app, login, cast)
    assert do(login(cast.son), app, order_id, "confirm").status_code == 404


def test_thanks_later_and_stars_are_checked(app, cast, login):
    order_id, _volunteer = done_visit(app, login, cast)
    elder = login(cast.elder)
    bad = do(elder, app, order_id, "confirm", thanks="谢谢")
    assert bad.status_code == 422
    assert "Choose from 1 to 5 stars." in bad.get_data(as_text=True)
    assert do(elder, app, order_id, "confirm").status_code == 302
    page = elder.get(f"/care/visits/{order_id}").get_data(as_text=True)
    assert "Send my thanks" in page
    assert do(elder, app, order_id, "thank", rating="4", thanks="好").status_code == 302
    assert do(elder, app, order_id, "thank", rating="4").status_code == 409


def test_the_elder_cancels_a_coming_visit(app, cast, login):
    order_id = asked(login, cast)
    assert do(login(cast.neighbour), app, order_id, "cancel").status_code == 404
    assert do(login(cast.elder), app, order_id, "cancel").status_code == 302
    with app.app_context():
        assert db.session.get(WorkOrder, order_id).status == "cancelled"
    board = login(cast.volunteer).get("/care/board").get_data(as_text=True)
    assert f"/care/visits/{order_id}/claim" not in board


def test_thanks_too_long_is_refused_with_a_message_and_nothing_is_saved(app, cast, login):
    order_id, _volunteer = done_visit(app, login, cast)
    response = do(login(cast.elder), app, order_id, "confirm", rating="5", thanks="谢" * 501)
    assert response.status_code == 422
    assert "At most 500 characters." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(WorkOrder, order_id).status == "resolved"
