"""The background-work helper: own Session, progress, cancel, results on the GUI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication, QThread
from sqlalchemy import func, select

from app.db.models import Order
from app.domain.errors import DomainError
from app.ui.ops import JobContext, Ops, live_threads


@pytest.fixture
def job_runner(qtbot, gui_backroom):  # type: ignore[no-untyped-def]
    runner = Ops(lambda: gui_backroom)
    yield runner
    runner.wait_all()


def test_a_job_reads_with_its_own_session_and_finishes_on_the_gui_thread(qtbot, job_runner):
    seen = {}

    def work(ctx: JobContext) -> int:
        seen["worker"] = QThread.currentThread()
        return ctx.session.scalar(select(func.count(Order.id)))

    job = job_runner.run("Counting", work)
    arrived_on = []
    job.finished.connect(lambda _r: arrived_on.append(QThread.currentThread()))
    with qtbot.waitSignal(job.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == [2000]
    assert seen["worker"] is not QCoreApplication.instance().thread()
    assert arrived_on == [QCoreApplication.instance().thread()]
    assert live_threads() == 0


def test_progress_reaches_the_gui_in_order(qtbot, job_runner):
    def work(ctx: JobContext) -> str:
        for i in range(1, 6):
            ctx.progress(i, 5)
        return "done"

    job = job_runner.run("Stepping", work)
    steps = []
    job.progress.connect(lambda d, t: steps.append((d, t)))
    with qtbot.waitSignal(job.finished, timeout=5000):
        pass
    assert steps == [(i, 5) for i in range(1, 6)]


def test_a_rule_broken_in_a_job_fails_with_its_own_words(qtbot, job_runner):
    def work(_ctx: JobContext) -> None:
        raise DomainError("That bin does not exist.")

    job = job_runner.run("Moving stock", work)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        pass
    assert blocker.args == ["That bin does not exist."]


def test_an_unexpected_error_names_the_job(qtbot, job_runner, capsys):
    def work(_ctx: JobContext) -> None:
        raise RuntimeError("disk full")

    job = job_runner.run("Exporting", work)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        pass
    assert blocker.args == ["Exporting failed: disk full"]


def test_cancel_stops_a_running_job_and_says_so(qtbot, job_runner):
    started = threading.Event()

    def work(ctx: JobContext) -> None:
        started.set()
        while True:
            ctx.check_cancelled()
            QThread.msleep(5)

    job = job_runner.run("Long count", work)
    assert started.wait(5)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        job.cancel()
    assert "cancelled" in blocker.args[0]
    assert job.was_cancelled
    assert job_runner.running == ()


def test_wait_all_cancels_and_waits_for_every_job(qtbot, job_runner):
    def work(ctx: JobContext) -> None:
        while not ctx.cancelled:
            QThread.msleep(5)

    for _ in range(3):
        job_runner.run("Spinning", work)
    assert len(job_runner.running) == 3
    assert job_runner.wait_all(5000)
    assert live_threads() == 0


def test_writing_jobs_take_turns(qtbot, job_runner):
    inside, overlaps = [0], []

    def work(_ctx: JobContext) -> None:
        inside[0] += 1
        overlaps.append(inside[0])
        QThread.msleep(30)
        inside[0] -= 1

    for _ in range(3):
        job_runner.run("Writing", work, writes=True)
    qtbot.waitUntil(lambda: not job_runner.running, timeout=5000)
    assert max(overlaps) == 1
