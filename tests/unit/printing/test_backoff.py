"""The print queue's retry schedule: doubling waits for absent printers, steady ones for
printers a person is seeing to, none when a job may have printed."""

from __future__ import annotations

from datetime import timedelta

from app.printing.backoff import LONGEST_WAIT, retry_delay, schedule


def test_an_unreachable_printer_is_tried_again_after_doubling_waits_up_to_15_minutes():
    assert schedule(8, "unreachable") == [timedelta(seconds=s) for s in
                                          (15, 30, 60, 120, 240, 480, 900, 900)]
    assert retry_delay(50, "timeout") == LONGEST_WAIT


def test_a_printer_out_of_paper_is_looked_at_every_minute_or_two():
    assert schedule(4, "out_of_paper") == [timedelta(minutes=m) for m in (1, 1, 2, 2)]
    assert retry_delay(9, "not_ready") == timedelta(minutes=2)


def test_a_job_that_may_have_printed_waits_for_a_person():
    assert retry_delay(1, "timeout", may_have_printed=True) is None


def test_a_printer_set_up_wrong_waits_for_its_settings_to_be_fixed():
    assert retry_delay(1, "setup") is None
    assert schedule(3, "setup") == []


def test_no_failure_yet_means_no_wait():
    assert retry_delay(0) == timedelta(0)
