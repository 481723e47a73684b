"""Every page shows the community's name and the office's phone from a card kept for a minute:
a change committed in this process shows on the next page; one made behind the app's back (by
another worker process) shows once the minute is over."""

from sqlalchemy import update

from community.core.extensions import db
from community.core.shortcache import short_cache
from community.directory import current
from community.directory.models import Community
from tests.querycount import queries_for


def title_of(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return page[page.index("<title>") : page.index("</title>")]


def test_the_admins_new_name_and_phone_show_on_the_next_page(app, demo, login_as):
    elderly = login_as("elderly")
    assert "4008001234" in elderly.get("/").get_data(as_text=True)  # the card is kept now
    admin = login_as("admin")
    response = admin.post(
        "/operator/community",
        data={"name": "幸福里社区", "address": "幸福路 88 号", "operator_phone": "010-6666 8888"},
    )
    assert response.status_code == 302
    page = elderly.get("/").get_data(as_text=True)
    assert 'href="tel:01066668888"' in page
    assert "幸福里社区" in title_of(elderly)


def test_a_change_committed_anywhere_in_the_app_shows_at_once(app, demo, login_as):
    resident = login_as("resident")
    title_of(resident)
    with app.app_context():
        db.session.query(Community).one().name = "新名字社区"
        db.session.commit()
    assert "新名字社区" in title_of(resident)


def test_a_change_rolled_back_leaves_the_card(app, demo, login_as):
    resident = login_as("resident")
    before = title_of(resident)
    with app.app_context():
        db.session.query(Community).one().name = "没保存的名字"
        db.session.flush()
        db.session.rollback()
    assert title_of(resident) == before


def test_a_change_from_another_process_shows_after_the_kept_time(app, demo, login_as, monkeypatch):
    resident = login_as("resident")
    before = title_of(resident)
    with app.app_context():  # as another worker would: no ORM event reaches this process
        db.session.execute(update(Community).values(name="别处改的名字"))
        db.session.commit()
    assert title_of(resident) == before
    monkeypatch.setattr(current, "KEEP_SECONDS", 0)
    assert "别处改的名字" in title_of(resident)


def test_pages_do_not_read_the_community_each_time(app, demo, login_as):
    resident = login_as("resident")
    with app.app_context():
        short_cache().forget(current._KEY)
    first = queries_for(app, resident, "/notices")
    assert queries_for(app, resident, "/notices") == first - 1
