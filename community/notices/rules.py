"""Notice rules: who a notice is for, posting one (the notice, everyone's inbox row and the push
deliveries in one transaction), and which notices each person may read."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import Session, selectinload

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.core.errors import Invalid, NotAllowed, NotFound
from community.core.links import path_for
from community.core.paging import newest_first
from community.directory.models import Building, Community, Unit
from community.notices.models import Notice, NoticeAudience
from community.notify import kinds, outbox

NOTICE = kinds.declare("notice", _l("Notices from the office"))

AUDIENCES = [NoticeAudience.COMMUNITY, NoticeAudience.BUILDING, NoticeAudience.ROLE]
AUDIENCE_LABELS = {
    NoticeAudience.COMMUNITY: _l("The whole community"),
    NoticeAudience.BUILDING: _l("One building"),
    NoticeAudience.ROLE: _l("Everyone with one role"),
}
# Whom a notice can address by role, and what the board calls them.
ROLE_AUDIENCE_LABELS = {
    Role.RESIDENT: _l("All residents"),
    Role.VOLUNTEER: _l("All volunteers"),
    Role.STAFF: _l("All service staff"),
    Role.OPERATOR: _l("All operators"),
}
POSTERS = (Role.OPERATOR, Role.ADMIN)
MAX_TITLE, MAX_BODY = 120, 2000
PAGE_SIZE = 20


def audience_ids(notice: Notice) -> Select:
    """The ids of the active people a notice is for (its author excepted)."""
    statement = select(User.id).where(
        User.status == AccountStatus.ACTIVE, User.id != notice.author_id
    )
    if notice.audience == NoticeAudience.BUILDING:
        homes = select(Unit.id).where(Unit.building_id == notice.building_id)
        statement = statement.where(User.unit_id.in_(homes))
    elif notice.audience == NoticeAudience.ROLE:
        holders = select(UserRole.user_id).where(UserRole.role == notice.role)
        statement = statement.where(User.id.in_(holders))
    return statement


def post_notice(
    session: Session,
    author: User,
    community: Community,
    *,
    title: str,
    body: str,
    audience: str,
    building_id: int | None = None,
    role: str | None = None,
    urgent: bool = False,
) -> Notice:
    """Post a notice; the caller commits. Its inbox rows and push deliveries are written in the
    same transaction, with a fixed number of statements however large the audience."""
    if not author.has_role(*POSTERS):
        raise NotAllowed(_("Only the office can post notices."))
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise Invalid(_("Give the notice a title."), field="title")
    if len(title) > MAX_TITLE:
        raise Invalid(_("At most %(max)d characters.", max=MAX_TITLE), field="title")
    if not body:
        raise Invalid(_("Write what the notice says."), field="body")
    if len(body) > MAX_BODY:
        raise Invalid(_("At most %(max)d characters.", max=MAX_BODY), field="body")
    if audience not in AUDIENCES:
        raise Invalid(_("Choose who the notice is for."), field="audience")
    if audience == NoticeAudience.BUILDING:
        building = session.get(Building, building_id or 0)
        if building is None or building.community_id != community.id:
            raise Invalid(_("Choose a building from the list."), field="building")
    else:
        building_id = None
    if audience == NoticeAudience.ROLE:
        if role not in ROLE_AUDIENCE_LABELS:
            raise Invalid(_("Choose a role from the list."), field="role")
    else:
        role = None
    notice = Notice(
        community_id=community.id,
        author_id=author.id,
        title=title,
        body=body,
        audience=audience,
        building_id=building_id,
        role=role,
        urgent=bool(urgent),
    )
    session.add(notice)
    session.flush()

    def render():
        shown = _("Urgent: %(title)s", title=title) if notice.urgent else title
        return shown, body

    notice.recipient_count = outbox.queue_bulk(
        session,
        audience_ids(notice),
        NOTICE,
        render,
        link=path_for("notices.detail", notice_id=notice.id),
        urgent=notice.urgent,
        topic=f"notice{notice.id}",
    )
    return notice


def may_read_all(user: User) -> bool:
    return user.has_role(*POSTERS)


def meant_for(user: User):
    """The notices addressed to this person: everyone's, their building's, their roles'."""
    if may_read_all(user):
        return Notice.id.is_not(None)
    if user.status != AccountStatus.ACTIVE:
        return false()
    building_id = user.unit.building_id if user.unit else None
    return or_(
        Notice.audience == NoticeAudience.COMMUNITY,
        and_(Notice.audience == NoticeAudience.BUILDING, Notice.building_id == building_id)
        if building_id
        else false(),
        and_(Notice.audience == NoticeAudience.ROLE, Notice.role.in_(sorted(user.roles))),
    )


def board(
    session: Session, user: User, before: int | None = None, size: int = PAGE_SIZE
) -> tuple[list[Notice], int | None]:
    """A page of the notices this person may read, newest first, and where the next starts."""
    statement = select(Notice).where(meant_for(user)).options(selectinload(Notice.building))
    return newest_first(session, statement, Notice.id, before, size)


def load_notice(session: Session, user: User, notice_id: int) -> Notice:
    """The notice if it is meant for this person; anyone else is told it does not exist."""
    notice = session.scalar(select(Notice).where(Notice.id == notice_id, meant_for(user)))
    if notice is None:
        raise NotFound(_("No such notice."))
    return notice
