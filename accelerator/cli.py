"""flask commands: insurers, API keys, users, demo data, the senders and `db backup` (the contract's "Operating it")."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from accelerator import clock
from accelerator.domain.errors import DomainError
from accelerator.domain.values import AM_BEST_RATINGS, parse_date
from accelerator.services import accounts, api_keys, claim_case_deadlines, insurers, mail, reminders, webhooks
from accelerator.services import demo as demo_service
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
@click.option("--reason", help="Why an insurer rated below the marketplace's minimum is approved (needed then).")
def insurers_add(name: str, naic: str, rating: str, approve: bool, reason: str | None) -> None:
    """Add an insurer; prints its id on the last line."""
    if reason is not None and not approve:
        raise click.UsageError("--reason goes with --approve: it says why the insurer is approved.")
    try:
        insurer = insurers.create_insurer(Actor.cli(), insurers.InsurerData(
            name=name, naic_code=naic, am_best_rating=rating), approve=approve, approval_reason=reason)
    except DomainError as exc:
        if "approval_reason" in exc.fields:  # say it in the command's own words: its option is --reason
            exc.fields["--reason"] = (exc.fields.pop("approval_reason") + ' Give it with --reason "..." (kept in '
                                      "the audit log), or add the insurer without --approve.")
        _fail(exc)
    click.echo(f"Added insurer {insurer.name} ({insurer.status}), id:")
    click.echo(str(insurer.id))


keys_cli = AppGroup("api-keys", help="Manage API keys.")


@keys_cli.command("create")
@click.option("--role", required=True, type=click.Choice(api_keys.KEY_ROLES))
@click.option("--name", required=True, help="What the key is for.")
@click.option("--insurer", "insurer_id", type=int, help="The insurer's id (role insurer).")
@click.option("--rate-limit", "rate_limit", type=int,
              help="At most this many requests a second (over it: 429 rate_limited); none by default.")
def keys_create(role: str, name: str, insurer_id: int | None, rate_limit: int | None) -> None:
    """Create a key; it is printed on the last line, this once only."""
    try:
        key, raw = api_keys.create_key(Actor.cli(), role, name, insurer_id, rate_limit)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Created {key.role} key {key.prefix} ({key.name}). Store it now; it is not shown again:")
    click.echo(raw)


@keys_cli.command("list")
def keys_list() -> None:
    """List every key's prefix, role, insurer, name, last use, state and rate limit (requests a second)."""
    keys = api_keys.list_keys()
    click.echo(f"{'PREFIX':<12}  {'ROLE':<11}  {'INSURER':<7}  {'STATE':<7}  {'LAST USED':<20}  {'LIMIT/S':<7}  NAME")
    for key in keys:
        last = key.last_used_at.strftime("%Y-%m-%dT%H:%M:%SZ") if key.last_used_at else "never"
        click.echo(f"{key.prefix:<12}  {key.role:<11}  {key.insurer_id or '-':<7}  {key.state:<7}  "
                   f"{last:<20}  {key.rate_limit or '-':<7}  {key.name}")
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
    try:
        result = demo_service.load_demo()
    except DomainError as exc:
        _fail(exc)
    click.echo("Demo data is in place." if result.created else "Demo data was already there; nothing added.")
    click.echo(f"Demo logins (password for all: {result.password}):")
    for role, email in result.logins:
        click.echo(f"  {role:<8} {email}")
    if result.marketplace_key:
        click.echo(f"Marketplace API key (shown once): {result.marketplace_key}")
    else:
        click.echo("The marketplace API key was shown when the demo was loaded; to make another:")
        click.echo('  .venv/bin/flask --app wsgi api-keys create --role marketplace --name "my key"')
    click.echo(f"Log in at {result.url}")


webhooks_cli = AppGroup("webhooks", help="Deliver insurers' webhook events.")


@webhooks_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped (Ctrl+C or SIGTERM).")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds between rounds with --loop.")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10000),
              help="At most this many events a round.")
def webhooks_deliver(loop: bool, interval: float, batch: int) -> None:
    """Send the webhook events that are due (once, or in a loop); prints what it did."""
    import signal
    import time

    stop = {"now": False}

    def _stop(signum, frame):
        stop["now"] = True

    if loop:
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    total = webhooks.DeliveryReport()
    while True:
        report = webhooks.deliver_due(limit=batch)
        total.delivered += report.delivered
        total.retrying += report.retrying
        total.failed += report.failed
        if report.attempted:
            click.echo(f"delivered {report.delivered}, retrying {report.retrying}, failed {report.failed}")
        if not loop or stop["now"]:
            break
        if report.attempted < batch:  # caught up: wait for more
            deadline = time.monotonic() + interval
            while time.monotonic() < deadline and not stop["now"]:
                time.sleep(min(0.2, interval))
        if stop["now"]:
            break
    click.echo(f"Webhooks: {total.delivered} delivered, {total.retrying} to retry, {total.failed} failed")


reminders_cli = AppGroup("reminders", help="Queue and send reminder emails.")


@reminders_cli.command("send")
@click.option("--today", "today_text", metavar="YYYY-MM-DD",
              help="Act as if today (UTC) were this day; default: today.")
@click.option("--batch", default=50, show_default=True, type=click.IntRange(1, 1000),
              help="Messages claimed at a time.")
def reminders_send(today_text: str | None, batch: int) -> None:
    """Queue the reminders due today, then send every pending email; safe to run from cron at any rate."""
    from datetime import UTC, datetime

    now = clock.now()
    if today_text is not None:
        try:
            day = parse_date(today_text)
        except ValueError as exc:
            raise click.BadParameter(f"{today_text!r} {exc}", param_hint="--today") from exc
        now = datetime.combine(day, now.time(), tzinfo=UTC)
    queued = reminders.queue_due_reminders(now.date())
    total = mail.SendReport()
    while True:  # every retry waits at least a second past `now`, so this ends
        report = mail.send_pending(now, batch=batch)
        total.add(report)
        if report.claimed < batch:
            break
    click.echo(f"Reminders: queued {queued}, sent {total.sent}, failed {total.failed}, "
               f"retrying {total.retrying}, cancelled {total.cancelled}")


claim_cases_cli = AppGroup("claim-cases", help="Claim cases: deadlines and their emails.")


@claim_cases_cli.command("notify")
@click.option("--batch", default=50, show_default=True, type=click.IntRange(1, 1000),
              help="Messages claimed at a time.")
def claim_cases_notify(batch: int) -> None:
    """Escalate elapsed deadlines, queue due reminders and escalation notices, send pending email; cron-safe."""
    report = claim_case_deadlines.notify(clock.now(), batch=batch)
    click.echo(f"Claim cases: escalated {report.escalated}, queued {report.reminders} reminder(s) and "
               f"{report.escalations} escalation notice(s); emails sent {report.sent}, failed {report.failed}, "
               f"retrying {report.retrying}, cancelled {report.cancelled}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=True, path_type=str))
@with_appcontext
def db_backup(path: str) -> None:
    """Write a consistent copy of the SQLite database to the new file PATH while the site serves; prints PATH."""
    from accelerator import backup
    from accelerator.extensions import db

    url = db.engine.url  # as Flask-SQLAlchemy resolved it (a relative SQLite path lies in the instance folder)
    if url.get_backend_name() == "postgresql":
        raise click.ClickException(backup.PG_ADVICE)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(f"db backup copies a SQLite database file, not {url.render_as_string()}.")
    try:
        backup.backup_sqlite(url.database, path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(path)  # as given (the contract: "prints PATH")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app, and `backup` to Flask-Migrate's `db` group."""
    app.cli.add_command(insurers_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo)
    app.cli.add_command(webhooks_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(claim_cases_cli)
    app.cli.commands["db"].add_command(db_backup)  # Flask-Migrate's group (migrate.init_app, which runs first)
