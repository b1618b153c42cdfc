"""working-day calendar

The calendar as data: calendar_years (one row per year with an official calendar: the State
Council notice entered by an administrator, or the package it was seeded from), calendar_days
(its holidays and 调休 working days) and calendar_changes (every entry, before and after).
Seeded here from `chinesecalendar` for the years it covers.

deadlines gain counted_from and period_days (how a day-counted deadline was computed, so a
change of the calendar can count it again) and provisional (its end was decided by a year
without an official calendar). Rows that the old code counted in plain days because the
package had no data for the year (calendar_note set) get counted_from and period_days
back from their own dates: their last day was start day + N, so `flask calendar recompute
<year>` can count them again on the calendar, with an event on each case.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:20:00

"""
import os
from datetime import timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)
from caseflow.timeutil import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    years = op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('notice_number', sa.String(length=100), nullable=True),
    sa.Column('notice_date', sa.Date(), nullable=True),
    sa.Column('package', sa.String(length=64), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("source IN ('notice', 'package')", name=op.f('ck_calendar_years_source')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_calendar_years_entered_by_id_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    days = op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('holiday', 'workday')", name=op.f('ck_calendar_days_kind')),
    sa.ForeignKeyConstraint(['year'], ['calendar_years.year'], name=op.f('fk_calendar_days_year_calendar_years')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_days_year'), ['year'], unique=False)

    op.create_table('calendar_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('at', caseflow.timeutil.UTCDateTime(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('recomputed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_calendar_changes_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_changes'))
    )
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_changes_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_changes_year'), ['year'], unique=False)

    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted_from', caseflow.timeutil.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('period_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('provisional', sa.Boolean(), server_default=sa.false(), nullable=False))

    _seed_from_package(years, days)
    _backfill_plain_day_rows()


def _seed_from_package(years, days):
    from caseflow.deadlines.package import package_calendar

    package, data = package_calendar()
    now = caseflow.timeutil.now()
    op.bulk_insert(years, [
        {"year": y, "source": "package", "package": package, "entered_at": now, "version": 1}
        for y in sorted(data)
    ])
    op.bulk_insert(days, [
        {"day": day, "year": y, "kind": kind, "name": name}
        for y in sorted(data)
        for kind, table in data[y].items()
        for day, name in table.items()
    ])


def _backfill_plain_day_rows():
    zone = ZoneInfo(os.environ.get("CASEFLOW_TIMEZONE", "Asia/Shanghai"))
    deadlines = sa.table(
        "deadlines",
        sa.column("id", sa.Integer),
        sa.column("opened_at", UTCDateTime),
        sa.column("due_at", UTCDateTime),
        sa.column("status", sa.String),
        sa.column("calendar_note", sa.String),
        sa.column("counted_from", UTCDateTime),
        sa.column("period_days", sa.Integer),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(deadlines.c.id, deadlines.c.opened_at, deadlines.c.due_at).where(
            deadlines.c.calendar_note.is_not(None), deadlines.c.status.in_(("open", "missed"))
        )
    ).all()
    for row in rows:
        start_day = row.opened_at.astimezone(zone).date()
        last_day = (row.due_at.astimezone(zone) - timedelta(days=1)).date()
        days = (last_day - start_day).days
        if days > 0:
            conn.execute(
                deadlines.update()
                .where(deadlines.c.id == row.id)
                .values(counted_from=row.opened_at, period_days=days)
            )


def downgrade():
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_column('provisional')
        batch_op.drop_column('period_days')
        batch_op.drop_column('counted_from')

    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_changes_year'))
        batch_op.drop_index(batch_op.f('ix_calendar_changes_at'))

    op.drop_table('calendar_changes')
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_days_year'))

    op.drop_table('calendar_days')
    op.drop_table('calendar_years')
