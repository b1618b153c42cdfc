"""Command-line tools: `flask --app wsgi seed-demo`, `sweep`, `create-user`, `audit …`."""

import click
from flask import Flask

from .extensions import db


def _user(username: str):
    from .models import User

    user = db.session.scalar(db.select(User).where(User.username == username))
    if user is None:
        raise click.BadParameter(f"没有此用户 / no such user: {username}")
    return user


def _check_policy(username: str, password: str) -> None:
    from .security import passwords

    found = passwords.problems(password, username)
    if found:
        raise click.BadParameter("; ".join(str(m) for m in found), param_hint="password")


def register_commands(app: Flask) -> None:
    from .cli_calendar import calendar_cli

    app.cli.add_command(calendar_cli)

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo district (石柱县) with one user per role and cases in every state."""
        from .demo import seed

        if app.config["ENV_NAME"] == "production":
            # The demo users share a published password: never in a real database.
            raise click.ClickException(
                "seed-demo 不能在生产环境运行（CASEFLOW_ENV=production）。"
                " / seed-demo refuses to run when CASEFLOW_ENV=production."
            )

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
        from .services import calendar, notifications, sweeps

        result = sweeps.run()
        if result.skipped:
            db.session.rollback()
            click.echo("另一次扫描正在进行，本次跳过 / another sweep is running; skipped.")
            return
        calendar.announce_missing_notice()  # once a year, from 1 November
        db.session.commit()
        sent = notifications.send_pending()
        click.echo(
            f"{result.missed} deadline(s) marked missed; {result.expired} protection order(s) "
            f"expired; notifications {result.notified or {}}; {sent} email(s) sent."
        )

    @app.cli.command("partitions")
    @click.option("--ahead", type=click.IntRange(0, 36), default=3, show_default=True)
    def partitions_command(ahead):
        """Create the monthly partitions of events and the access log (PostgreSQL) for this
        month and AHEAD months after it. The scheduler does this every day."""
        from . import partitions

        created = partitions.ensure_ahead(db.session.connection(), ahead=ahead)
        db.session.commit()
        click.echo(
            f"已创建 {len(created)} 个分区 / {len(created)} partition(s) created"
            + (f": {', '.join(created)}" if created else ".")
        )

    @app.cli.command("scheduler")
    def scheduler():
        """Run the scheduler process (sweep every 5 minutes, outbox every minute, export
        jobs, daily digest, nightly audit). Start one or two beside the web servers: one is
        active, the other waits for its lock and takes over; it catches up on start."""
        from . import scheduler as sched

        raise SystemExit(sched.run(app, echo=lambda line: click.echo(line, err=True)))

    audit_group = click.Group("audit", help="Prove the timeline: verify chains, checkpoint heads.")
    app.cli.add_command(audit_group)

    @audit_group.command("verify")
    @click.option("--case", "case_id", type=int, default=None, help="Only this case (id).")
    def audit_verify(case_id):
        """Check every event chain and checkpoint (or one case's); print each break and
        exit with status 1 if there is any. The run is recorded."""
        from . import timeutil
        from .models import AuditCheckpoint, Case
        from .services import audit_checks

        if case_id is not None and db.session.get(Case, case_id) is None:
            has_checkpoints = db.session.scalar(
                db.select(AuditCheckpoint.id).where(AuditCheckpoint.case_id == case_id).limit(1)
            )
            if not has_checkpoints:
                raise click.BadParameter(f"no case {case_id} / 没有编号为 {case_id} 的案件")
        started = timeutil.now()
        result = audit_checks.verify(case_id)
        audit_checks.record(result, "command", started, case_id)
        db.session.commit()
        for item in result.breaks:
            click.echo(f"BREAK {item.describe()}", err=True)
        click.echo(
            f"{result.cases} case(s), {result.events} event(s), {result.checkpoints} "
            f"checkpoint(s) checked; {len(result.breaks)} break(s). / 已校验 {result.cases} 个"
            f"案件、{result.events} 条事件、{result.checkpoints} 个检查点，发现 "
            f"{len(result.breaks)} 处断裂。"
        )
        if result.breaks:
            raise SystemExit(1)

    @audit_group.command("checkpoint")
    @click.option(
        "--legacy",
        is_flag=True,
        help="Also seal chains of plain SHA-256 events written before keyed hashing "
        "(once, right after upgrading to migration 0010).",
    )
    def audit_checkpoint(legacy):
        """Checkpoint the head of every chain that verifies (the nightly job does this)."""
        from .services import audit_checks

        result = audit_checks.verify()
        heads = dict(result.heads)
        if legacy:
            broken = {b.case_id for b in result.breaks if b.reason != "legacy_unsealed"}
            heads |= {
                cid: head for cid, head in audit_checks.legacy_heads().items() if cid not in broken
            }
        added = audit_checks.checkpoint(heads)
        db.session.commit()
        click.echo(f"{added} checkpoint(s) added. / 新增 {added} 个检查点。")

    @app.cli.command("backup")
    @click.argument("out", required=False, type=click.Path(dir_okay=False))
    def backup_command(out):
        """Write one archive of the database (pg_dump, or SQLite's online backup) and the
        attachment storage, with a manifest of checksums. Default:
        instance/backups/caseflow-<UTC time>.tar."""
        from pathlib import Path

        from . import backup, timeutil

        if out is None:
            stamp = timeutil.now().strftime("%Y%m%dT%H%M%SZ")
            out = Path(app.instance_path) / "backups" / f"caseflow-{stamp}.tar"
        try:
            manifest = backup.backup(
                app.config["SQLALCHEMY_DATABASE_URI"], app.config["STORAGE_DIR"], out
            )
        except backup.BackupError as exc:
            raise click.ClickException(str(exc)) from None
        stored = sum(1 for name in manifest["files"] if name.startswith("storage/"))
        click.echo(
            f"已备份 {manifest['cases']} 个案件、{manifest['events']} 条事件、{stored} 个附件文件"
            f"到 {out} / backed up {manifest['cases']} case(s), {manifest['events']} "
            f"event(s), {stored} stored file(s) to {out}"
        )

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False))
    @click.option(
        "--force", is_flag=True, help="Replace a database that has tables (and merge storage)."
    )
    def restore_command(archive, force):
        """Restore an archive of `flask backup` into the configured database (which must be
        empty unless --force) and storage directory, then verify every audit chain: exit
        status 1 naming each break, or if the cases counted differ from the archive's."""
        from . import backup, timeutil
        from .models import Case
        from .services import audit_checks

        db.session.remove()
        db.engine.dispose()  # no pooled connection to the database being replaced
        try:
            restored = backup.restore(
                archive, app.config["SQLALCHEMY_DATABASE_URI"], app.config["STORAGE_DIR"], force
            )
        except backup.BackupError as exc:
            raise click.ClickException(str(exc)) from None
        db.engine.dispose()
        manifest = restored.manifest
        click.echo(
            f"已恢复 {manifest['created_at']} 的备份（{restored.files} 个附件文件）/ restored the "
            f"backup of {manifest['created_at']} ({restored.files} stored file(s))"
        )
        started = timeutil.now()
        result = audit_checks.verify()
        audit_checks.record(result, "restore", started)
        db.session.commit()
        for item in result.breaks:
            click.echo(f"BREAK {item.describe()}", err=True)
        cases = db.session.scalar(db.select(db.func.count()).select_from(Case))
        click.echo(
            f"审计链校验：{result.cases} 个案件、{result.events} 条事件，{len(result.breaks)} 处断裂"
            f" / audit chains verified: {result.cases} case(s), {result.events} event(s), "
            f"{len(result.breaks)} break(s); {cases} case(s) in the database"
        )
        if cases != manifest["cases"]:
            click.echo(
                f"案件数与备份不符（备份中 {manifest['cases']}）/ the archive held "
                f"{manifest['cases']} case(s)",
                err=True,
            )
            raise SystemExit(1)
        if result.breaks:
            raise SystemExit(1)

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
        _check_policy(username, password)
        user = User(username=username, display_name=name, role=role, organisation_id=org_id)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"created {username}")

    @app.cli.command("reset-password")
    @click.argument("username")
    def reset_password(username):
        """Give a user a one-time password (printed once), to be changed at the next login;
        the user's sessions and API tokens end."""
        from .security import accounts

        user = _user(username)
        one_time = accounts.reset_password(user)
        db.session.commit()
        click.echo(f"一次性密码 / one-time password for {username}: {one_time}")
        click.echo("登录后须立即修改。/ It must be changed at the next login.")

    @app.cli.command("deactivate-user")
    @click.argument("username")
    def deactivate_user(username):
        """Deactivate a user: no more logins; every session and API token ends now."""
        from .security import accounts
        from .services import administration
        from .services.errors import ServiceError

        user = _user(username)
        county = administration.county_of(user)
        try:
            if county is not None:
                administration.keep_an_admin(county, user)
        except ServiceError:
            raise click.ClickException(
                "这是本县（区）最后一名在用的管理员，不能停用 / "
                "the county's last active administrator cannot be deactivated"
            ) from None
        accounts.deactivate(user)
        db.session.commit()
        click.echo(f"已停用 / deactivated {username}; sessions and tokens ended.")

    @app.cli.command("unlock-login")
    @click.option("--username", default=None, help="Lift the lock on this account name.")
    @click.option("--address", default=None, help="Lift the lock on this client address.")
    def unlock_login(username, address):
        """Lift a login lock (after too many failed logins) on an account name or address."""
        from .security import throttle

        if bool(username) == bool(address):
            raise click.UsageError("give exactly one of --username or --address")
        key = throttle.account_key(username) if username else throttle.address_key(address)
        if not throttle.lift(key, "command line"):
            db.session.rollback()
            raise click.ClickException(f"没有此锁定 / no lock on {key}")
        db.session.commit()
        click.echo(f"已解除 / lifted: {key}")

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

        from .synthetic import Options, RealCasesPresent, generate

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
        except RealCasesPresent as exc:
            raise click.ClickException(
                f"数据库中已有非合成案例（如 {exc.number}），未生成任何数据 / the database holds "
                f"cases that were not generated (e.g. {exc.number}); nothing was written"
            ) from None
        rate = result.total_rows / max(result.seconds, 0.001)
        click.echo(
            f"已生成 {result.cases} 个案例、{result.total_rows} 行，用时 {result.seconds:.1f} 秒"
            f"（{rate:.0f} 行/秒，批次 SYN{result.run:04d}）/ generated {result.cases} cases, "
            f"{result.total_rows} rows in {result.seconds:.1f} s ({rate:.0f} rows/s, "
            f"run SYN{result.run:04d})"
        )
        for table, count in result.rows.items():
            click.echo(f"  {table}: {count}")
