"""Entry point for `flask --app app` and `gunicorn app:app`."""

import gc

from community import create_app

app = create_app()
# What start-up made (the app, its routes and templates, Babel's locale data) lives as long as
# the process: freezing it spares every later full collection from walking it again.
gc.freeze()
