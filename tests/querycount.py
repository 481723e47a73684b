"""Counts the SQL statements a block runs, to show that pages do not grow with their rows."""

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def count_queries(engine):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def queries_for(app, client, path: str) -> int:
    """How many statements one GET of path runs (it must answer 200)."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    with count_queries(engine) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)
