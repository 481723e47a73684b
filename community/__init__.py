"""Smart Community: the application factory."""

from flask import Flask

from community import cli
from community.accounts import office as accounts_office
from community.accounts import profile as accounts_profile
from community.accounts import sessions
from community.accounts import views as accounts_views
from community.activities import office as activities_office
from community.activities import office_sessions as activity_sessions
from community.activities import views as activities_views
from community.bookings import desk as bookings_desk
from community.bookings import models as booking_models
from community.bookings import office as bookings_office
from community.bookings import views as bookings_views
from community.capacity import tasks as capacity_tasks
from community.care import office as care_office
from community.care import profile_views as care_profiles
from community.care import views as care_views
from community.core import compression, errorpages, htmlparams, i18n, security
from community.core import input as input_checks
from community.core.config import PROJECT_ROOT, configure
from community.core.extensions import babel, csrf, db, limiter, login_manager, migrate
from community.core.urls import CommunityFlask
from community.directory import office as directory_office
from community.help import office as help_office
from community.help import views as help_views
from community.main import pwa
from community.main import views as main_views
from community.notices import views as notices_views
from community.notify import tasks as notify_tasks
from community.notify import views as notify_views
from community.repairs import views as repairs_views
from community.timebank import office as timebank_office
from community.timebank import views as timebank_views
from community.workorders import office as workorders_office
from community.workorders import views as workorders_views

# Every blueprint, in the order their routes are matched. A new feature adds its line here.
BLUEPRINTS = [
    main_views.bp,
    accounts_views.bp,
    accounts_office.bp,
    accounts_profile.bp,
    directory_office.bp,
    workorders_views.bp,
    workorders_office.bp,
    repairs_views.bp,
    notify_views.bp,
    notices_views.bp,
    bookings_desk.bp,
    bookings_office.bp,
    bookings_views.bp,
    activities_office.bp,
    activities_views.bp,
    care_office.bp,
    care_views.bp,
    timebank_views.bp,
    timebank_office.bp,
    help_views.bp,
    help_office.bp,
]
# Imported for what they register on import: the PWA routes on main's blueprint, the elder's
# profile pages on care's, an activity session's office page on the activity office's, the
# listener that wakes the push worker after a commit, and the capacity engine (its tables and
# its job).
_REGISTERED_ON_IMPORT = (
    pwa,
    care_profiles,
    activity_sessions,
    notify_tasks,
    capacity_tasks,
    booking_models,
)


def create_app(test_config: dict | None = None) -> Flask:
    app = CommunityFlask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    configure(app, test_config)
    htmlparams.install()
    # Before any blueprint: their routes use the `id` converter.
    input_checks.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    sessions.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errorpages.register(app)
    cli.register_commands(app)
    return app
