"""Fresh test databases: a file under tmp for SQLite, a new database for PostgreSQL."""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from community.core.config import normalize_database_url


def server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalize_database_url(url) if url else None


def on_postgres() -> bool:
    return server_url() is not None


@contextmanager
def fresh_database(tmp_dir: Path):
    """Yield the URL of an empty database; drop it afterwards."""
    url = server_url()
    if url is None:
        yield f"sqlite:///{tmp_dir / f'{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"community_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A test database need not survive a crash: commits return without waiting for the
        # disk, which is most of their time. Everything else about them stays the same.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
