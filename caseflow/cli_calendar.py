"""`flask calendar …`: the working-day calendar from the command line.

    flask --app wsgi calendar load 2027.toml --by admin   # enter a year's notice
    flask --app wsgi calendar show 2027                   # the calendar in force
    flask --app wsgi calendar seed                        # years the package covers
    flask --app wsgi calendar recompute 2027 --by admin   # count that year's deadlines again

The file of `load` is TOML (.toml) or JSON (.json), the same fields as
`PUT /api/v1/calendar/<year>` plus the year (README "Working-day calendar").
"""

import json
import tomllib
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.orm.exc import StaleDataError

from .extensions import db

calendar_cli = AppGroup("calendar", help="The working-day calendar (holidays and 调休).")

MAX_FILE = 256 * 1024


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message + " Nothing was saved. 未保存任何内容。")


def read_file(path: str) -> dict:
    """A year's notice from a TOML or JSON file; ClickException if it is not one."""
    file = Path(path)
    if file.suffix.lower() not in (".toml", ".json"):
        _fail("文件须为 .toml 或 .json。The file must be .toml or .json.")
    try:
        raw = file.read_bytes()
    except OSError as exc:
        _fail(f"无法读取文件 Cannot read the file: {exc.strerror}.")
    if len(raw) > MAX_FILE:
        _fail("文件过大。The file is too large.")
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text) if file.suffix.lower() == ".toml" else json.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
        _fail(f"文件格式错误 The file is malformed: {exc}.")
    if not isinstance(data, dict):
        _fail("文件须为一个对象（表）。The file must hold one object (table).")
    return data


def _actor(username: str):
    from sqlalchemy import select

    from .models import User

    actor = db.session.scalar(select(User).where(User.username == username, User.active))
    if actor is None:
        _fail(f"没有此用户 No such active user: {username}.")
    return actor


def _explain(exc) -> str:
    lines = [str(exc.message)]
    lines += [f"  {field}: {'; '.join(str(m) for m in msgs)}" for field, msgs in exc.fields.items()]
    return "\n".join(lines)


@calendar_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--by", "username", required=True, help="The administrator entering it.")
def load_command(path, username):
    """Enter a year's State Council notice from a TOML or JSON file."""
    from .services import calendar as calendar_service
    from .services.errors import ServiceError

    data = read_file(path)
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        _fail("文件须给出年份 The file must give the year, e.g. year = 2027.")
    actor = _actor(username)
    entry = {k: v for k, v in data.items() if k != "year"}
    try:
        change = calendar_service.enter_year(actor, year, entry, None, "command")
        db.session.commit()
    except ServiceError as exc:
        _fail(_explain(exc))
    except StaleDataError:
        _fail("有案件同时被修改，请重试。A case changed at the same moment; run it again.")
    click.echo(
        f"{year}: 已录入 entered ({change.after['notice']['number']}); "
        f"{change.recomputed} 个期限已重新计算 deadline(s) counted again."
    )


@calendar_cli.command("show")
@click.argument("year", type=int)
def show_command(year):
    """Print the calendar in force for a year."""
    from .services import calendar as calendar_service
    from .services.errors import ServiceError

    try:
        cal = calendar_service.year_view(year)
    except ServiceError as exc:
        _fail(_explain(exc))
    kind = "临时（未发布通知）provisional" if cal.provisional else cal.source
    click.echo(f"{year}: {kind} {calendar_service.notice_text(cal)}")
    for day, name in cal.holidays.items():
        click.echo(f"  {day.isoformat()} 休 holiday  {name}")
    for day, name in cal.workdays.items():
        click.echo(f"  {day.isoformat()} 班 workday  {name}")


@calendar_cli.command("seed")
def seed_command():
    """Enter the years the chinesecalendar package covers that have no calendar yet."""
    from .deadlines.store import seed_from_package

    added = seed_from_package()
    db.session.commit()
    click.echo(f"{added} 年 year(s) seeded from the package.")


@calendar_cli.command("recompute")
@click.argument("year", type=int)
@click.option("--by", "username", required=True, help="The administrator asking for it.")
def recompute_command(year, username):
    """Count again the open and missed day deadlines touching a year on the calendar in
    force (after an upgrade: rows the old code counted in plain days)."""
    from .deadlines.calendar import forget_current_calendar
    from .services import calendar as calendar_service
    from .services.errors import ServiceError

    actor = _actor(username)
    if actor.role != "admin":
        _fail("只有管理员可以执行。Only an administrator may do this.")
    try:
        calendar_service.check_year(year)
    except ServiceError as exc:
        _fail(_explain(exc))
    forget_current_calendar()
    cal = calendar_service.year_view(year)
    moved = calendar_service.recompute(year, actor, calendar_service.notice_text(cal))
    db.session.commit()
    click.echo(f"{year}: {moved} 个期限已重新计算 deadline(s) counted again.")
