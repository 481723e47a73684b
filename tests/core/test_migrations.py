"""The migrations build exactly the schema the models describe (SQLite or PostgreSQL)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from community import create_app
from community.core.db import Base
from community.core.extensions import db
from tests.database import fresh_database


def test_migrations_match_the_models(tmp_path):
    with fresh_database(tmp_path) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True}
                )
                differences = compare_metadata(context, Base.metadata)
                tables = set(inspect(connection).get_table_names())
            db.engine.dispose()
    assert differences == []
    assert set(Base.metadata.tables) <= tables
