"""flask commands: insurers, API keys, users and demo data (the contract's "Operating it")."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from accelerator.domain.errors import DomainError
from accelerator.domain.values import AM_BEST_RATINGS
from accelerator.services import accounts, api_keys, insurers
from accelerator.services.audit import Actor


def _fail(exc: DomainError) -> None:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    raise click.ClickException(f"{exc.message} {details}".strip())


insurers_cli = AppGroup("insurers", help="Manage insurers.")


@insurers_cli.command("add")
@click.option("--name", required=True, help="The insurer's name.")
@click.option("--naic", required=True, help="The five-digit NAIC company code.")
@click.option("--rating", required=True, type=click.Choice(AM_BEST_RATINGS), help="AM Best rating.")
@click.option("--approve", is_flag=True, help="Approve the insurer at once.")
def insurers_add(name: str, naic: str, rating: str, approve: bool) -> None:
    """Add an insurer; prints its id on the last line."""
    try:
        insurer = insurers.create_insurer(Actor.cli(), insurers.InsurerData(
            name=name, naic_code=naic, am_best_rating=rating), approve=approve)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Added insurer {insurer.name} ({insurer.status}), id:")
    click.echo(str(insurer.id))


keys_cli = AppGroup("api-keys", help="Manage API keys.")


@keys_cli.command("create")
@click.option("--role", required=True, type=click.Choice(api_keys.KEY_ROLES))
@click.option("--name", required=True, help="What the key is for.")
@click.option("--insurer", "insurer_id", type=int, help="The insurer's id (role insurer).")
def keys_create(role: str, name: str, insurer_id: int | None) -> None:
    """Create a key; it is printed on the last line, this once only."""
    try:
        key, raw = api_keys.create_key(Actor.cli(), role, name, insurer_id)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Created {key.role} key {key.prefix} ({key.name}). Store it now; it is not shown again:")
    click.echo(raw)


@keys_cli.command("list")
def keys_list() -> None:
    """List every key's prefix, role, insurer, name, last use and state."""
    keys = api_keys.list_keys()
    click.echo(f"{'PREFIX':<12}  {'ROLE':<11}  {'INSURER':<7}  {'STATE':<7}  {'LAST USED':<20}  NAME")
    for key in keys:
        last = key.last_used_at.strftime("%Y-%m-%dT%H:%M:%SZ") if key.last_used_at else "never"
        click.echo(f"{key.prefix:<12}  {key.role:<11}  {key.insurer_id or '-':<7}  {key.state:<7}  "
                   f"{last:<20}  {key.name}")
    click.echo(f"{len(keys)} key(s)")


@keys_cli.command("revoke")
@click.argument("prefix")
def keys_revoke(prefix: str) -> None:
    """Revoke the key with this prefix."""
    try:
        key = api_keys.revoke_key(Actor.cli(), prefix)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Revoked key {key.prefix}")


users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", required=True)
def users_create_admin(email: str, password: str) -> None:
    """Create an admin account; prints its email."""
    try:
        user = accounts.create_admin(email, password)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Created admin {user.email}")


@click.command("demo")
def demo() -> None:
    """Fill an empty database with realistic demo data and print the demo logins."""
    from accelerator.services import demo as demo_service

    result = demo_service.load_demo()
    click.echo("Demo data is in place." if result.created else "Demo data was already there; nothing added.")
    click.echo(f"Demo logins (password for all: {result.password}):")
    for role, email in result.logins:
        click.echo(f"  {role:<8} {email}")
    if result.marketplace_key:
        click.echo(f"Marketplace API key (shown once): {result.marketplace_key}")
    click.echo(f"Log in at {result.url}")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(insurers_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo)
