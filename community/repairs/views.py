"""Repair pages: report, my reports, an order's page with its timeline and actions, photos,
and the staff's list. Views parse, call community.workorders / workflow, and render."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from community import workflow, workorders
from community.errors import Conflict, Invalid
from community.extensions import db
from community.models import Place, Role, WorkOrderEvent, WorkOrderPhoto
from community.photos import discard, photo_file, store_photos
from community.repairs import bp
from community.repairs.forms import ReportForm
from community.replies import replies_for, reply_text
from community.web import ANY_ROLE, render_page, roles_required, show_error

PHOTO_ACTIONS = {"comment", "resolve", "start"}


@bp.app_context_processor
def workflow_labels():
    return {"wf": workflow}


def place_choices() -> list:
    places = db.session.scalars(select(Place).order_by(Place.building_id.is_not(None), Place.name))
    home = current_user.unit.full_label if current_user.unit else _("none on record")
    return [SelectChoice(0, _("My home (%(home)s)", home=home))] + [
        SelectChoice(place.id, place.name) for place in places
    ]


@bp.get("/repairs")
@roles_required(*ANY_ROLE)
def mine():
    orders = workorders.my_orders(db.session, current_user)
    return render_template("repairs/mine.html", orders=orders)


@bp.route("/repairs/new", methods=["GET", "POST"])
@roles_required(*ANY_ROLE)
def new():
    # A GET with a place (the "check this place" button, without JavaScript) keeps what was typed.
    form = ReportForm(formdata=request.args) if request.method == "GET" else ReportForm()
    form.place.choices = place_choices()
    if request.method == "POST" and form.validate_on_submit():
        photos = []
        try:
            photos = store_photos(form.photos.data or [], current_user.id)
            order = workorders.report_repair(
                db.session,
                current_user,
                category=form.category.data,
                description=form.description.data,
                urgency=form.urgency.data,
                place_id=form.place.data or None,
                on_behalf_of=form.on_behalf_of.data or "",
                photos=photos,
            )
            db.session.commit()
        except Invalid as error:
            db.session.rollback()
            discard(photos)
            show_error(form, error)
        except Exception:
            db.session.rollback()
            discard(photos)
            raise
        else:
            flash(_("Thank you. Your report number is %(number)d.", number=order.id), "success")
            return redirect(url_for("repairs.detail", order_id=order.id))
    place_id = form.place.data if form.place.data else None
    similar = workorders.open_reports_at(db.session, place_id) if place_id else []
    return render_page(
        "repairs/new.html",
        "repairs/_similar.html",
        status=422 if form.is_submitted() and request.method == "POST" else 200,
        form=form,
        similar=similar,
    )


@bp.post("/repairs/<int:order_id>/follow")
@roles_required(Role.RESIDENT)
def follow(order_id: int):
    order = workorders.follow(db.session, current_user, order_id)
    db.session.commit()
    flash(
        _("You follow report %(number)d now: you will hear when it changes.", number=order.id),
        "success",
    )
    return redirect(url_for("repairs.detail", order_id=order.id))


def note_labels() -> dict[str, str]:
    return {
        "reject": _("Reason (the resident sees it)"),
        "resolve": _("What was done"),
        "reopen": _("What is still wrong?"),
        "comment": _("Your comment"),
        "cancel": _("Why? (optional)"),
        "rate": _("Comment (optional)"),
        "duplicate": _("Note (optional)"),
        "assign": _("Note for the staff (optional)"),
        "start": _("Note (optional)"),
    }


def render_detail(order, status: int = 200, error: str | None = None, error_action=None):
    events = db.session.scalars(
        select(WorkOrderEvent)
        .where(WorkOrderEvent.order_id == order.id)
        .options(selectinload(WorkOrderEvent.actor), selectinload(WorkOrderEvent.photos))
        .order_by(WorkOrderEvent.id)
    ).all()
    actions = workflow.allowed_actions(order, current_user)
    mine = workflow.relations(order, current_user)
    staff = workorders.staff_with_load(db.session) if "assign" in actions else []
    return render_template(
        "repairs/detail.html",
        order=order,
        events=events,
        actions=actions,
        staff=staff,
        replies=replies_for(order.category) if workflow.OPERATOR in mine else [],
        viewer_sees_names=current_user.has_role(Role.OPERATOR, Role.ADMIN, Role.STAFF),
        actor_name=lambda actor: workorders.shown_name(order, actor, current_user),
        note_labels=note_labels(),
        error=error,
        error_action=error_action,
    ), status


@bp.get("/repairs/<int:order_id>")
@roles_required(*ANY_ROLE)
def detail(order_id: int):
    return render_detail(workorders.load_order(db.session, current_user, order_id))


def action_fields(form) -> dict:
    fields = {"note": form.get("note", "")}
    for name in ("category", "priority", "duplicate_of"):
        if name in form:
            fields[name] = form[name]
    for name in ("assignee_id", "rating"):
        if name in form:
            fields[name] = form.get(name, type=int)
    if not fields["note"].strip() and form.get("reply"):
        fields["note"] = reply_text(form.get("category", ""), form["reply"])
    return fields


@bp.post("/repairs/<int:order_id>/do/<action>")
@roles_required(*ANY_ROLE)
def act(order_id: int, action: str):
    order = workorders.load_order(db.session, current_user, order_id)
    version = request.form.get("version", type=int)
    if version is None:
        abort(400)
    photos = []
    try:
        if action in PHOTO_ACTIONS:
            photos = store_photos(request.files.getlist("photos"), current_user.id)
        workflow.apply(
            db.session,
            order,
            current_user,
            action,
            version,
            photos=photos,
            **action_fields(request.form),
        )
        db.session.commit()
    except (Invalid, Conflict) as error:
        db.session.rollback()
        discard(photos)
        order = workorders.load_order(db.session, current_user, order_id)
        return render_detail(order, error.status, error.message, action)
    except Exception:
        db.session.rollback()
        discard(photos)
        raise
    flash(_("Saved: %(what)s.", what=workflow.EVENT_TEXTS[action]), "success")
    return redirect(url_for("repairs.detail", order_id=order_id))


@bp.get("/photos/<int:photo_id>")
@bp.get("/photos/<int:photo_id>/thumbnail", endpoint="thumbnail", defaults={"thumb": True})
@roles_required(*ANY_ROLE)
def photo(photo_id: int, thumb: bool = False):
    photo = db.session.get(WorkOrderPhoto, photo_id)
    if photo is None:
        abort(404)
    workorders.load_order(db.session, current_user, photo.order_id)
    response = send_file(photo_file(photo, thumbnail=thumb), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/work")
@roles_required(Role.STAFF)
def work():
    orders = workorders.staff_orders(db.session, current_user)
    return render_template("repairs/work.html", orders=orders)
