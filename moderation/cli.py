"""Command line: init-db, create-user, demo-data, minutes, learning-summary, scheduler, jobs,
retention, rebuild-figures.

Each command's work is one transaction (`commit_job`): kept when the command ends well, none of
it when it fails.
"""

import logging
from datetime import UTC, date, datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from moderation import demo
from moderation.admin import services as admin_services
from moderation.auth import passwords
from moderation.calendar import today
from moderation.extensions import db
from moderation.meeting import minutes
from moderation.models import Agency, PanelSession, Role
from moderation.outcomes import figures as outcomes
from moderation.outcomes import learning, tallies
from moderation.retention import job as retention_job
from moderation.scheduling import jobs
from moderation.web.boundary import Refusal, commit_job


def register(app):
    app.cli.add_command(init_db)
    app.cli.add_command(create_user)
    app.cli.add_command(demo_data)
    app.cli.add_command(minutes_pdf)
    app.cli.add_command(learning_summary)
    app.cli.add_command(scheduler)
    app.cli.add_command(jobs_group)
    app.cli.add_command(retention)
    app.cli.add_command(rebuild_figures)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database to the latest migration."""
    upgrade()
    if tallies.needs_rebuild():  # the upgrade that added the figures' rows: count them once
        commit_job(tallies.rebuild)
    click.echo("Database is up to date.")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--agency", "agency_name", required=True, help="The agency's exact name.")
@click.option(
    "--role", "roles", multiple=True, required=True,
    type=click.Choice([role.value for role in Role]), help="Repeat for several roles.",
)
@click.option("--password", "ask_password", is_flag=True,
              help="Prompt for a password instead of printing a temporary one.")
def create_user(email, name, agency_name, roles, ask_password):
    """Create a user account."""

    def create():
        agency = db.session.scalar(db.select(Agency).where(Agency.name == agency_name))
        if agency is None:
            raise click.BadParameter(f"No agency is called {agency_name!r}.",
                                     param_hint="--agency")
        try:
            user, temporary = admin_services.create_user(name, email, agency.id, list(roles))
        except Refusal as refusal:
            raise click.UsageError(refusal.message) from None
        if ask_password:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
            if len(password) < passwords.MINIMUM_LENGTH:
                raise click.UsageError(
                    f"The password must be {passwords.MINIMUM_LENGTH} characters or more."
                )
            user.password_hash = passwords.hash_password(password)
            user.must_change_password = False
        return user, agency, temporary

    user, agency, temporary = commit_job(create)
    click.echo(f"Created {user.email} ({', '.join(roles)}) at {agency.name}.")
    if not ask_password:
        click.echo(f"Temporary password (they must change it at first sign-in): {temporary}")


@click.command("demo-data")
@with_appcontext
def demo_data():
    """Load demonstration agencies and users (idempotent; refused in production)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.UsageError("Demo data is not loaded into a production database.")
    created = commit_job(demo.load)
    if created:
        # As the nightly job would: the demo's long-settled dispute is anonymised, the held one
        # kept, and the partnership manager has the run's report.
        retention_job.run(today())
    click.echo(f"Demo data ready ({created} new records). Sign in with:")
    for user in demo.DEMO_USERS:
        click.echo(f"  {user.role.label:<40} {user.email:<40} {demo.DEMO_PASSWORD}")


@click.command("minutes")
@with_appcontext
@click.argument("session_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Where to write the PDF.")
@click.option("--version", "version_number", type=int, default=None,
              help="Which version (default: the latest).")
def minutes_pdf(session_id, output, version_number):
    """Write a panel session's minutes as PDF."""

    def draw():
        panel_session = db.session.get(PanelSession, session_id)
        if panel_session is None:
            raise click.ClickException(f"There is no panel session {session_id}")
        found = minutes.versions(panel_session)
        chosen = found[-1] if found and version_number is None else next(
            (v for v in found if v.version == version_number), None)
        if chosen is None:
            raise click.ClickException("That session has no such minutes yet: they are "
                                       "drafted when the chair closes the meeting")
        with current_app.test_request_context():
            return chosen, minutes.pdf_bytes(panel_session, chosen)

    chosen, body = commit_job(draw)
    with open(output, "wb") as file:
        file.write(body)
    click.echo(f"Wrote version {chosen.version} ({chosen.status}) of the minutes to {output}")


@click.command("learning-summary")
@with_appcontext
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="First day, YYYY-MM-DD.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Last day, YYYY-MM-DD.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Where to write the PDF.")
def learning_summary(start, end, output):
    """Generate a learning summary for a period (kept, like those made in the app)."""
    if end < start:
        raise click.BadParameter("the end must be on or after the start", param_hint="--end")
    period = outcomes.Period(start.date(), end.date())

    def generate():
        with current_app.test_request_context():
            try:
                return learning.generate(None, period, outcomes.Filters(), [], None)
            except Refusal as refusal:
                raise click.ClickException(refusal.message) from None

    summary = commit_job(generate)
    with open(output, "wb") as file:
        file.write(summary.pdf)
    click.echo(f"Wrote the learning summary for {period.start} to {period.end} to {output}")


@click.command("scheduler")
@with_appcontext
def scheduler():
    """Run the scheduler (its own process; never inside web workers). Ctrl-C stops it. Each
    job is its own transaction (scheduling/jobs.py)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    jobs.use_app(current_app._get_current_object())
    running = jobs.build_scheduler()
    click.echo(f"Scheduler running {len(jobs.JOBS)} jobs. Press Ctrl-C to stop.")
    try:
        running.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@click.group("jobs")
def jobs_group():
    """List the scheduled jobs or run one now."""


@jobs_group.command("list")
@with_appcontext
def jobs_list():
    """Each job with its next run."""
    for job, next_run, source in commit_job(lambda: jobs.next_runs(datetime.now(UTC))):
        when = next_run.astimezone().strftime("%Y-%m-%d %H:%M %Z") if next_run else "never"
        click.echo(f"{job.id:<20} next {when:<22} ({source})  {job.description}")


@jobs_group.command("run")
@with_appcontext
@click.argument("job_id")
def jobs_run(job_id):
    """Run one job now (as one transaction, like the scheduler runs it)."""
    if job_id not in jobs.JOB_IDS:
        raise click.BadParameter(f"choose one of: {', '.join(jobs.JOB_IDS)}",
                                 param_hint="JOB_ID")
    jobs.use_app(current_app._get_current_object())
    click.echo(f"{job_id}: {jobs.run_now(job_id)}")


def _day(context, parameter, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: give it as YYYY-MM-DD, like "
                                 "2026-11-24") from None


@click.command("retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="List what would change, and change nothing.")
@click.option("--as-of", "as_of", callback=_day, metavar="YYYY-MM-DD",
              help="The day to apply the schedule as of (default: today).")
def retention(dry_run, as_of):
    """Anonymise and delete what the retention schedule says is due, as the nightly job does
    (each batch its own transaction), and print what was done."""
    as_of = as_of or today()
    if dry_run:
        preview = commit_job(lambda: retention_job.preview(as_of))
        _print_counts(f"A run as of {as_of} would change:", preview.counts)
        for reference in preview.references:
            click.echo(f"  would anonymise {reference}")
        click.echo("Nothing was changed.")
        return
    if as_of > today():
        # A run ahead of the calendar anonymises disputes before they are due.
        raise click.BadParameter("a run cannot be as of a day after today: use --dry-run to "
                                 "see what that day would change", param_hint="--as-of")
    run = retention_job.run(as_of)
    _print_counts(f"The retention run as of {as_of} changed:", run.counts)


def _print_counts(heading, counts):
    click.echo(heading)
    for key, label in retention_job.COUNTS.items():
        click.echo(f"  {label}: {counts[key]:,}")
    if counts.get("audit_deleted_before"):
        click.echo(f"  Audit events kept from: {counts['audit_deleted_before']}")


@click.command("rebuild-figures")
@with_appcontext
def rebuild_figures():
    """Count the outcome figures again from the disputes (after an upgrade, or a bulk load)."""
    disputes = commit_job(tallies.rebuild)
    click.echo(f"Figures counted again from {disputes:,} disputes.")
