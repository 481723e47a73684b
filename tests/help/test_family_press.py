"""Family send for help for the elder they look after, from the care page: the question once
more, then the call, raised in the elder's name by them, and the alert page where they follow
it. Nobody else can send for help in someone's name, nor learn who lives here by trying."""

from sqlalchemy import func, select

from community.core.extensions import db
from community.help.models import HelpAlert
from tests.help.helpers import EN, actions, notified, person


def test_the_daughter_sends_for_help_for_her_mother_from_the_care_page(app, login_as):
    with app.app_context():
        mother = person("elderly")
        mother.receives_care = True
        db.session.commit()
        mother_id, daughter_id = mother.id, person("resident").id
    daughter = login_as("resident")
    care = daughter.get("/care", headers=EN).get_data(as_text=True)
    assert f'href="/help/for/{mother_id}"' in care
    assert "Send for help for 吴奶奶" in care
    confirm = daughter.get(f"/help/for/{mother_id}", headers=EN)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Send for help for 吴奶奶 now?" in page
    assert f'action="/help/for/{mother_id}"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpAlert)) == 0

    response = daughter.post(f"/help/for/{mother_id}", headers=EN)
    assert response.status_code == 302
    with app.app_context():
        alert = db.session.scalar(select(HelpAlert))
        assert (alert.elder_id, alert.raised_by_id) == (mother_id, daughter_id)
    assert response.headers["Location"] == f"/help/alerts/{alert.id}"
    assert actions(app, alert.id) == ["raised"]
    assert notified(app, alert.id)  # the office and the rest of the circle are told
    # Asked again, the daughter lands on the open call instead of raising a second one.
    again = daughter.get(f"/help/for/{mother_id}")
    assert again.headers["Location"] == f"/help/alerts/{alert.id}"
    daughter.post(f"/help/for/{mother_id}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpAlert)) == 1


def test_nobody_else_sends_for_help_in_someones_name(app, login_as):
    with app.app_context():
        mother_id, volunteer_id = person("elderly").id, person("volunteer").id
        office_id = person("operator").id
    volunteer = login_as("volunteer")
    for path in (f"/help/for/{mother_id}", "/help/for/999999"):
        assert volunteer.get(path).status_code == 404
        assert volunteer.post(path).status_code == 404
    # Not for oneself either (that is the button on one's own home), nor for the office.
    daughter = login_as("resident")
    assert daughter.get(f"/help/for/{volunteer_id}").status_code == 404
    assert daughter.get(f"/help/for/{office_id}").status_code == 404
    assert daughter.get(f"/help/for/{person_id(app, 'resident')}").status_code == 404
    # The office and staff have no button of their own.
    assert login_as("operator").get(f"/help/for/{mother_id}").status_code == 403
    # A form without its token sends nothing.
    assert daughter.post(f"/help/for/{mother_id}", csrf=False).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpAlert)) == 0


def person_id(app, role: str) -> int:
    with app.app_context():
        return person(role).id
