"""Command-line tools: `flask --app wsgi seed-demo`, `sweep`, `create-user`."""

import click
from flask import Flask

from .extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo district (石柱县) with one user per role and cases in every state."""
        from .demo import seed

        created = seed()
        db.session.commit()
        if not created:
            click.echo("Demo data already present; nothing changed. 演示数据已存在，未作改动。")
            return
        click.echo("Demo data loaded. 演示数据已载入。")
        click.echo("Logins (password caseflow-demo for all; change them in production):")
        from .demo import USERS

        for username, _name, _org, role in USERS:
            click.echo(f"  {username:<18} {role}")

    @app.cli.command("sweep")
    def sweep():
        """Mark missed deadlines, expire protection orders, remind and escalate, then send
        the email outbox. Safe to run twice, or from two hosts at once (cron-friendly)."""
        from .services import notifications, sweeps

        result = sweeps.run()
        db.session.commit()
        sent = notifications.send_pending()
        click.echo(
            f"{result.missed} deadline(s) marked missed; {result.expired} protection order(s) "
            f"expired; notifications {result.notified or {}}; {sent} email(s) sent."
        )

    @app.cli.command("scheduler")
    def scheduler():
        """Run the scheduler process (sweep every 5 minutes, outbox every minute, daily
        digest). Start one beside the web workers; it catches up on start."""
        from . import scheduler as sched

        sched.catch_up(app)
        click.echo("scheduler started (jobs: sweep, outbox, digest)")
        sched.build(app).start()

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--name", required=True)
    @click.option("--role", required=True)
    @click.option("--org-id", type=int, required=True)
    @click.password_option()
    def create_user(username, name, role, org_id, password):
        """Create a user (the administrator's first account, for example)."""
        from .models import Organisation, User
        from .vocab import ROLES

        if role not in ROLES:
            raise click.BadParameter(f"role must be one of {', '.join(ROLES)}")
        if db.session.get(Organisation, org_id) is None:
            raise click.BadParameter("no such organisation")
        if db.session.scalar(db.select(User).where(User.username == username)):
            raise click.BadParameter("username taken")
        user = User(username=username, display_name=name, role=role, organisation_id=org_id)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"created {username}")

    @app.cli.command("set-lead")
    @click.argument("username")
    @click.option("--off", is_flag=True, help="Take the lead flag away.")
    def set_lead(username, off):
        """Make a user a lead of their unit: they assign the unit's cases to its workers."""
        from .models import User

        user = db.session.scalar(db.select(User).where(User.username == username))
        if user is None:
            raise click.BadParameter("no such user")
        user.is_lead = not off
        db.session.commit()
        click.echo(f"{username}: {'lead' if user.is_lead else 'not a lead'}")

    @app.cli.command("generate-cases")
    @click.option("--n", "n", type=click.IntRange(min=1), default=1_000_000, show_default=True)
    @click.option("--county", default="500240", show_default=True, help="County code.")
    @click.option("--county-name", default=None, help="Name if the county is created.")
    @click.option("--townships", type=click.IntRange(1, 999), default=30, show_default=True)
    @click.option("--villages", type=click.IntRange(1, 999), default=10, show_default=True)
    @click.option("--years", default="2021-2026", show_default=True)
    @click.option("--seed", type=int, default=1, show_default=True)
    @click.option("--batch", type=click.IntRange(min=1), default=10_000, show_default=True)
    @click.option(
        "--as-of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Nothing is dated after this day (default: today, UTC).",
    )
    def generate_cases(n, county, county_name, townships, villages, years, seed, batch, as_of):
        """Generate N synthetic cases (all types, states, events, deadlines, referrals,
        visits) and N/10 hotline calls into the configured database, for load tests."""
        from datetime import UTC

        from .synthetic import Options, generate

        opts = Options(
            n=n,
            county=county,
            county_name=county_name,
            townships=townships,
            villages=villages,
            years=years,
            seed=seed,
            batch=batch,
            as_of=as_of.replace(tzinfo=UTC) if as_of else None,
        )
        click.echo(f"正在生成 {n} 个合成案例 / generating {n} synthetic cases …")
        try:
            result = generate(opts, echo=click.echo)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        rate = result.total_rows / max(result.seconds, 0.001)
        click.echo(
            f"已生成 {result.cases} 个案例、{result.total_rows} 行，用时 {result.seconds:.1f} 秒"
            f"（{rate:.0f} 行/秒，批次 SYN{result.run:04d}）/ generated {result.cases} cases, "
            f"{result.total_rows} rows in {result.seconds:.1f} s ({rate:.0f} rows/s, "
            f"run SYN{result.run:04d})"
        )
        for table, count in result.rows.items():
            click.echo(f"  {table}: {count}")
