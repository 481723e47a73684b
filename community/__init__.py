"""Smart Community: the application factory."""

from flask import Flask

from community import errorpages, i18n, security
from community.config import PROJECT_ROOT, configure
from community.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    configure(app, test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)

    from community import auth, inbox, main, notices, people, queue, repairs, session_login

    session_login.init_app(app)
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(queue.bp)
    app.register_blueprint(repairs.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(notices.bp)
    errorpages.register(app)

    from community.cli import register_commands

    register_commands(app)
    return app
