"""Message templates: built-in texts, the owner's edits, validation in words, rendering."""

from __future__ import annotations

from datetime import date

import pytest

from app.notify.templates import (
    KINDS,
    PLACEHOLDERS,
    SAMPLE,
    Audience,
    Template,
    preview,
    render,
    template_for,
    validate,
)

TASK = {"task_sku": "MUG-7-01", "order_number": "ET-1001", "product": "Enamel mug",
        "sku": "MUG-ENM", "quantity": 3, "personalisation": "Happy 60th, Pat",
        "due_date": date(2026, 12, 3), "supplier": "Hollow Oak"}


def test_every_kind_of_the_issue_has_a_valid_builtin_template():
    assert set(KINDS) == {"task_assigned", "task_done", "task_rejected", "task_overdue"}
    assert KINDS["task_assigned"].audience is Audience.SUPPLIER
    for name in ("task_done", "task_rejected", "task_overdue"):
        assert KINDS[name].audience is Audience.OWNER
    for kind in KINDS.values():
        assert validate(kind.name, kind.builtin.subject, kind.builtin.body) == []
        assert set(kind.placeholders) <= set(PLACEHOLDERS) <= set(SAMPLE)


def test_render_fills_placeholders_and_writes_dates_in_words():
    message = render("task_assigned", TASK)
    assert message.subject == "New task MUG-7-01: 3 × Enamel mug, due 3 Dec 2026"
    assert "Hello Hollow Oak," in message.body
    assert "Personalisation: Happy 60th, Pat" in message.body
    assert "{" not in message.body


def test_a_placeholder_without_a_value_reads_as_empty():
    message = render("task_done", {**TASK, "tracking": None})
    assert "Tracking: \n" in message.body + "\n"
    assert "Carrier: " in message.body


def test_the_owners_edit_is_used_in_place_of_the_builtin_text():
    edit = Template("Job {task_sku} for you", "Make {quantity} please. {{not a placeholder}}")
    message = render("task_assigned", TASK, {"task_assigned": edit})
    assert message == Template("Job MUG-7-01 for you", "Make 3 please. {not a placeholder}")
    assert render("task_done", TASK, {"task_assigned": edit}).subject.startswith("Hollow Oak")


def test_a_broken_stored_edit_falls_back_to_the_builtin_text():
    broken = {"task_done": Template("Done {nope}", "x")}
    assert template_for("task_done", broken) == KINDS["task_done"].builtin


def test_a_value_with_line_breaks_keeps_the_subject_on_one_line():
    message = render("task_assigned", {**TASK, "product": "Mug\nwith\r\nlid"})
    assert message.subject == "New task MUG-7-01: 3 × Mug with lid, due 3 Dec 2026"


def test_an_unknown_placeholder_is_named_with_a_suggestion():
    problems = validate("task_assigned", "Task {task_sku}", "Hello {custmer} x {quantty}")
    assert len(problems) == 2
    assert "{custmer}" in problems[0] and "not a placeholder" in problems[0]
    assert "{quantty}" in problems[1] and "Did you mean {quantity}?" in problems[1]
    assert "{task_sku}" in problems[0]  # lists what it can use


def test_a_placeholder_of_another_kind_is_refused():
    problems = validate("task_assigned", "x", "Reason: {reason}")
    assert problems and "{reason}" in problems[0]


@pytest.mark.parametrize(("body", "words"), [
    ("Due {due_date", "never closed"),
    ("Due due_date}", "} with no {"),
    ("Hello {}", "no name"),
    ("Hello {supplier!r}", "just {supplier}"),
    ("Due {due_date:%d}", "just {due_date}"),
    ("Hello {supplier.__class__}", "not a placeholder"),
])
def test_braces_that_do_not_pair_up_or_odd_placeholders_are_explained(body, words):
    problems = validate("task_assigned", "Subject", body)
    assert len(problems) == 1
    assert words in problems[0]
    assert problems[0].startswith("The body")


def test_subject_must_be_one_nonempty_line_and_body_not_empty():
    assert validate("task_done", "  ", "x") == ["The subject is empty."]
    assert validate("task_done", "a\nb", "x") == ["The subject must be one line."]
    assert validate("task_done", "a", "\n ") == ["The body is empty."]


def test_preview_fills_sample_values_and_refuses_a_broken_template():
    shown = preview("task_rejected", "{supplier} said no", "Because: {reason}")
    assert shown == Template("Hollow Oak Ceramics said no",
                             "Because: The kiln is down until next week")
    with pytest.raises(ValueError, match="not a placeholder"):
        preview("task_rejected", "{who} said no", "x")
