"""The scheduler's single-instance lock and heartbeat, in one process: a second lock is
refused while the first is held and taken once it is released (the advisory lock on
PostgreSQL, the file lock on SQLite); a scheduler whose lock is gone stops; the heartbeat
row names the active instance. The take-over between real processes is in
test_scheduler_takeover.py."""

from sqlalchemy import create_engine

from caseflow import heartbeat, scheduler, timeutil
from caseflow.extensions import db


def test_one_lock_at_a_time(clean):
    with clean.app_context():
        first = scheduler.make_lock(clean)
        second = scheduler.make_lock(clean)
        if isinstance(first, scheduler.PostgresLock):
            # Another process's lock: a connection of an engine of its own.
            other = create_engine(clean.config["SQLALCHEMY_DATABASE_URI"])
            second = scheduler.PostgresLock(other)
        try:
            assert first.try_acquire()
            assert first.alive()
            assert not second.try_acquire()
            assert not second.try_acquire()  # waiting costs nothing and changes nothing
            first.release()
            assert not first.alive()
            assert second.try_acquire()
            assert second.alive()
        finally:
            first.release()
            second.release()
            if isinstance(second, scheduler.PostgresLock):
                second.engine.dispose()


def test_acquire_gives_up_only_when_told(clean):
    clean.config["SCHEDULER_LOCK_POLL_SECONDS"] = 0.05
    try:
        with clean.app_context():
            held = scheduler.acquire(clean)
            assert held is not None
            told = []
            if isinstance(held, scheduler.PostgresLock):
                # In one process a session lock is re-entrant: wait on another engine.
                clean_engine = create_engine(clean.config["SQLALCHEMY_DATABASE_URI"])
                waiting = scheduler.PostgresLock(clean_engine)
                assert not waiting.try_acquire()
                waiting.release()
                clean_engine.dispose()
            else:
                assert scheduler.acquire(clean, told.append, max_wait=0.2) is None
                assert len(told) == 1 and "waiting for its lock" in told[0]
            held.release()
            again = scheduler.acquire(clean, told.append, max_wait=0.2)
            assert again is not None
            again.release()
    finally:
        clean.config["SCHEDULER_LOCK_POLL_SECONDS"] = 5


class Lost:
    def alive(self):
        return False


class Held:
    def alive(self):
        return True


class Stoppable:
    lost_lock = False
    stopped = False

    def shutdown(self, wait=True):
        self.stopped = True


def test_a_scheduler_that_lost_its_lock_stops_and_beats_no_more(clean):
    started = timeutil.now()
    stopped = Stoppable()
    scheduler.run_heartbeat(clean, "host:1:lost", started, Lost(), stopped)
    assert stopped.stopped and stopped.lost_lock
    with clean.app_context():
        assert heartbeat.last() is None

    running = Stoppable()
    scheduler.run_heartbeat(clean, "host:2:held", started, Held(), running)
    assert not running.stopped
    with clean.app_context():
        row = heartbeat.last()
        assert row.instance == "host:2:held" and row.started_at == started
        assert heartbeat.recent(row)
        db.session.remove()
