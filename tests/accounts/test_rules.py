"""The account rules, without HTTP: sign-up, passwords, review, roles."""

import pytest

from community.accounts import rules as accounts
from community.accounts.models import AccountStatus, Role, User
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.core.extensions import db
from community.demo import DEMO_PASSWORD
from community.directory.models import Unit


@pytest.fixture
def ctx(app, demo):
    with app.app_context():
        yield db.session


def person(session, login) -> User:
    return accounts.find_by_login(session, login)


def any_unit(session) -> int:
    return session.query(Unit.id).first()[0]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13912345678", ("phone", "13912345678")),
        (" 139 1234 5678 ", ("phone", "13912345678")),
        ("139-1234-5678", ("phone", "13912345678")),
        ("+8613912345678", ("phone", "13912345678")),
        ("+447700900123", ("phone", "+447700900123")),
        ("Mei.Zhou@Example.COM", ("email", "mei.zhou@example.com")),
    ],
)
def test_login_is_normalized_however_it_is_typed(typed, expected):
    assert accounts.normalize_login(typed) == expected


@pytest.mark.parametrize("typed", ["", "abc", "12", "mei@", "@example.com", "mei zhou@x.cn"])
def test_login_that_is_neither_phone_nor_email_is_refused(app, typed):
    with app.test_request_context(), pytest.raises(Invalid) as error:
        accounts.normalize_login(typed)
    assert error.value.field == "login"


def test_sign_up_makes_a_pending_account_with_an_argon2_hash(ctx):
    user = accounts.sign_up(
        ctx, name=" 王芳 ", login="13911112222", password="long enough", unit_id=any_unit(ctx)
    )
    assert user.status == AccountStatus.PENDING
    assert user.name == "王芳"
    assert user.roles == frozenset()
    assert user.password_hash.startswith("$argon2id$")
    assert "long enough" not in user.password_hash


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"login": "not a login"}, "login"),
        ({"login": "13800000005"}, "login"),  # the demo resident has it
        ({"login": "+86 138 0000 0005"}, "login"),  # the same number, typed differently
        ({"password": "short"}, "password"),
        ({"unit_id": 999999}, "unit"),
    ],
)
def test_sign_up_refuses_bad_input_and_saves_nothing(ctx, changes, field):
    values = {
        "name": "王芳",
        "login": "13911112222",
        "password": "long enough",
        "unit_id": any_unit(ctx),
    }
    values.update(changes)
    before = ctx.query(User).count()
    with pytest.raises(Invalid) as error:
        accounts.sign_up(ctx, **values)
    assert error.value.field == field
    ctx.rollback()
    assert ctx.query(User).count() == before


def test_authenticate_accepts_the_right_password_only(ctx):
    assert accounts.authenticate(ctx, "13800000005", DEMO_PASSWORD).name == "周小梅"
    assert accounts.authenticate(ctx, "13800000005", "wrong password") is None
    assert accounts.authenticate(ctx, "13899999999", DEMO_PASSWORD) is None
    assert accounts.authenticate(ctx, "nonsense", DEMO_PASSWORD) is None


def test_a_hash_made_with_weaker_settings_is_upgraded_at_login(app, demo):
    with app.app_context():
        old_hash = person(db.session, "13800000005").password_hash
    app.config["ARGON2_TIME_COST"] = 2
    with app.app_context():
        user = accounts.authenticate(db.session, "13800000005", DEMO_PASSWORD)
        assert user.password_hash != old_hash
        assert "t=2" in user.password_hash


def test_operator_approves_a_sign_up_and_the_person_becomes_a_resident(ctx):
    operator = person(ctx, "13800000002")
    pending = person(ctx, "13800000007")
    accounts.review_signup(ctx, operator, pending.id, approve=True)
    assert pending.status == AccountStatus.ACTIVE
    assert pending.roles == {Role.RESIDENT}
    assert pending.reviewed_by_id == operator.id
    with pytest.raises(Conflict):
        accounts.review_signup(ctx, operator, pending.id, approve=True)


def test_declining_a_sign_up_needs_a_reason(ctx):
    operator = person(ctx, "13800000002")
    pending = person(ctx, "13800000007")
    with pytest.raises(Invalid):
        accounts.review_signup(ctx, operator, pending.id, approve=False, note=" ")
    accounts.review_signup(ctx, operator, pending.id, approve=False, note="不是本小区住户")
    assert pending.status == AccountStatus.REJECTED
    assert pending.roles == frozenset()


@pytest.mark.parametrize("reviewer", ["13800000003", "13800000004", "13800000005"])
def test_only_operators_and_admins_review_sign_ups(ctx, reviewer):
    with pytest.raises(NotAllowed):
        accounts.review_signup(
            ctx, person(ctx, reviewer), person(ctx, "13800000007").id, approve=True
        )


# (granter, role, allowed)
GRANTS = [
    ("13800000002", Role.VOLUNTEER, True),
    ("13800000002", Role.STAFF, True),
    ("13800000002", Role.OPERATOR, False),
    ("13800000002", Role.ADMIN, False),
    ("13800000001", Role.OPERATOR, True),
    ("13800000001", Role.ADMIN, True),
    ("13800000001", Role.STAFF, True),
    ("13800000004", Role.VOLUNTEER, False),  # a volunteer cannot make volunteers
    ("13800000003", Role.STAFF, False),
]


@pytest.mark.parametrize(("granter", "role", "allowed"), GRANTS)
def test_who_may_grant_which_role(ctx, granter, role, allowed):
    target = person(ctx, "13800000005")
    actor = person(ctx, granter)
    if allowed:
        accounts.set_role(ctx, actor, target.id, role, held=True)
        assert role in target.roles
        accounts.set_role(ctx, actor, target.id, role, held=False)
        assert role not in target.roles
    else:
        with pytest.raises(NotAllowed):
            accounts.set_role(ctx, actor, target.id, role, held=True)
        assert role not in target.roles


def test_roles_are_not_given_to_pending_people(ctx):
    with pytest.raises(Conflict):
        accounts.set_role(
            ctx, person(ctx, "13800000002"), person(ctx, "13800000007").id, "staff", held=True
        )


def test_an_admin_cannot_lock_themselves_out(ctx):
    admin = person(ctx, "13800000001")
    with pytest.raises(Conflict):
        accounts.set_role(ctx, admin, admin.id, Role.ADMIN, held=False)


def test_unknown_roles_and_people_are_not_found(ctx):
    admin = person(ctx, "13800000001")
    with pytest.raises(NotFound):
        accounts.set_role(ctx, admin, admin.id, "mayor", held=True)
    with pytest.raises(NotFound):
        accounts.set_role(ctx, admin, 999999, Role.STAFF, held=True)


def test_a_pending_person_holds_no_role_even_if_rows_say_so(ctx):
    pending = person(ctx, "13800000007")
    pending.status = AccountStatus.PENDING
    assert not pending.has_role(Role.RESIDENT)
