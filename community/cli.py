"""flask commands: the demo community, and first-time setup of a real one."""

import click
from flask import Flask

from community.core.extensions import db
from community.demo import ACCOUNTS, DEMO_PASSWORD, load_demo
from community.notify.push import push_cli


def print_demo_accounts() -> None:
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD})")
    click.echo(f"  {'role':32} {'login':12} name")
    for account in ACCOUNTS:
        click.echo(f"  {account.role_label:32} {account.phone:12} {account.name}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(push_cli)

    @app.cli.command("demo")
    def demo_command():
        """Load the demo community into an empty database (does nothing otherwise)."""
        if load_demo(db.session):
            db.session.commit()
            click.echo("Demo community loaded.")
        else:
            click.echo("A community exists already; the demo was not loaded.")
        print_demo_accounts()
