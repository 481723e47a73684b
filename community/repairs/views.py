"""Repair pages: report, my reports, an order's page with its timeline and actions, photos,
and the staff's list. Views parse, call community.workorders / workflow, and render."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from community.accounts.access import ANY_ROLE, roles_required
from community.accounts.models import Role
from community.core import menus
from community.core.errors import Invalid
from community.core.extensions import db, limiter
from community.core.web import render_page, show_error
from community.directory.models import Place
from community.repairs import rules as repairs
from community.repairs.forms import ReportForm
from community.workorders import orders
from community.workorders.photos import discard, store_photos

bp = Blueprint("repairs", __name__)

menus.add_tiles(
    Role.RESIDENT,
    menus.Tile("repair", _l("Report a repair"), "wrench", "repairs.new", order=10),
    menus.Tile("my-reports", _l("My reports"), "clipboard", "repairs.mine", order=20),
)
menus.add_nav(menus.NavEntry("repairs.mine", _l("Repairs"), "wrench", {Role.RESIDENT}, 10))


def place_choices() -> list:
    places = db.session.scalars(select(Place).order_by(Place.building_id.is_not(None), Place.name))
    home = current_user.unit.full_label if current_user.unit else _("none on record")
    return [SelectChoice(0, _("My home (%(home)s)", home=home))] + [
        SelectChoice(place.id, place.name) for place in places
    ]


@bp.get("/repairs")
@roles_required(*ANY_ROLE)
def mine():
    return render_template("repairs/mine.html", orders=orders.my_orders(db.session, current_user))


def not_for_someone_else() -> bool:
    return not request.form.get("on_behalf_of", "").strip()


@bp.route("/repairs/new", methods=["GET", "POST"])
@roles_required(*ANY_ROLE)
# Each report for someone else looks a phone number up: a few an hour per person is plenty for
# a family, and too few to go through a building's numbers.
@limiter.limit(
    lambda: current_app.config["ON_BEHALF_LIMIT"],
    methods=["POST"],
    key_func=lambda: f"user:{getattr(current_user, 'id', '')}",
    exempt_when=not_for_someone_else,
    scope="on-behalf",
)
def new():
    # A GET with a place (a link, or htmx asking for the open reports there) shows them; a POST
    # with "check" (the button, without JavaScript) does too and keeps what was typed, its token
    # in the body: a check never sends the token or the description into a URL.
    form = ReportForm(formdata=request.args) if request.method == "GET" else ReportForm()
    form.place.choices = place_choices()
    checking = request.method == "POST" and "check" in request.form
    if request.method == "POST" and not checking and form.validate_on_submit():
        photos = []
        try:
            photos = store_photos(form.photos.data or [], current_user.id)
            order = repairs.report_repair(
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
            return redirect(url_for("workorders.detail", order_id=order.id))
    place_id = form.place.data if form.place.data else None
    similar = repairs.open_reports_at(db.session, place_id) if place_id else []
    refused = request.method == "POST" and not checking
    return render_page(
        "repairs/new.html",
        "repairs/_similar.html",
        status=422 if refused else 200,
        form=form,
        similar=similar,
    )


@bp.post("/repairs/<id:order_id>/follow")
@roles_required(Role.RESIDENT)
def follow(order_id: int):
    order = repairs.follow(db.session, current_user, order_id)
    db.session.commit()
    flash(
        _("You follow report %(number)d now: you will hear when it changes.", number=order.id),
        "success",
    )
    return redirect(url_for("workorders.detail", order_id=order.id))
