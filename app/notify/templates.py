"""Message texts: the built-in template of each kind, the owner's edits, and rendering them.

A template is a subject and a body with `{placeholders}`; `{{` and `}}` write a brace itself.
The owner's edits are kept in the settings table as "template:<kind>"; this module is pure,
and `app.notify.stored` reads and writes them.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from string import Formatter

SUBJECT_MAX = 300


class Audience(StrEnum):
    SUPPLIER = "supplier"
    OWNER = "owner"


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


@dataclass(frozen=True)
class Kind:
    """One kind of message: who gets it, which placeholders it may use, its built-in text."""

    name: str
    title: str
    audience: Audience
    placeholders: tuple[str, ...]
    builtin: Template


PLACEHOLDERS: dict[str, str] = {
    "task_sku": "the task's SKU",
    "order_number": "the customer order's number",
    "product": "the product's title",
    "sku": "the product's SKU",
    "quantity": "how many to make",
    "personalisation": "the customer's personalisation text",
    "due_date": "the day the task is due",
    "supplier": "the supplier's name",
    "carrier": "the carrier the supplier shipped with",
    "tracking": "the parcel's tracking number",
    "reason": "why the supplier turned the task down",
    "days_late": "how many days past its due date the task is",
}

# What the preview fills in, so the owner sees a realistic message.
SAMPLE: dict[str, str] = {
    "task_sku": "MUG-1042-01",
    "order_number": "ET-30412",
    "product": "Personalised enamel mug, white",
    "sku": "MUG-ENM-WHT",
    "quantity": "2",
    "personalisation": "For Grandad — love, Amy",
    "due_date": "3 Dec 2026",
    "supplier": "Hollow Oak Ceramics",
    "carrier": "Royal Mail",
    "tracking": "RM123456785GB",
    "reason": "The kiln is down until next week",
    "days_late": "2",
}

_TASK = ("task_sku", "order_number", "product", "sku", "quantity", "personalisation",
         "due_date", "supplier")

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("task_assigned", "Task assigned (to the supplier)", Audience.SUPPLIER, _TASK,
         Template(
             "New task {task_sku}: {quantity} × {product}, due {due_date}",
             "Hello {supplier},\n\n"
             "We have a new task for you.\n\n"
             "Task: {task_sku} (order {order_number})\n"
             "Product: {product} ({sku})\n"
             "Quantity: {quantity}\n"
             "Personalisation: {personalisation}\n"
             "Due: {due_date}\n\n"
             "Please let us know at once if you cannot make it by then.\n\n"
             "Thank you!")),
    Kind("task_done", "Task done (to the owner)", Audience.OWNER,
         (*_TASK, "carrier", "tracking"),
         Template(
             "{supplier} finished task {task_sku}",
             "{supplier} has finished task {task_sku} for order {order_number}:\n"
             "{quantity} × {product} ({sku}).\n\n"
             "Carrier: {carrier}\n"
             "Tracking: {tracking}")),
    Kind("task_rejected", "Task rejected (to the owner)", Audience.OWNER,
         (*_TASK, "reason"),
         Template(
             "{supplier} turned down task {task_sku}",
             "{supplier} turned down task {task_sku} for order {order_number}:\n"
             "{quantity} × {product} ({sku}), due {due_date}.\n\n"
             "Reason: {reason}\n\n"
             "The task needs another supplier.")),
    Kind("task_overdue", "Task overdue (to the owner)", Audience.OWNER,
         (*_TASK, "days_late"),
         Template(
             "Task {task_sku} is overdue ({supplier})",
             "Task {task_sku} for order {order_number} was due on {due_date} and is "
             "{days_late} day(s) late.\n\n"
             "{quantity} × {product} ({sku}), made by {supplier}.")),
)}


def kind_of(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"there is no message kind {name!r}") from None


def _fields(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    return list(Formatter().parse(text))


def _brace_problem(part: str, text: str, exc: ValueError) -> str:
    said = str(exc)
    if "Single '}'" in said:
        return (f"The {part} has a }} with no {{ before it. Write }}}} for a brace itself.")
    if "Single '{'" in said or "expected '}'" in said:
        return (f"The {part} has a {{ that is never closed. Close the placeholder with }}, "
                "or write {{ for a brace itself.")
    return f"The braces in the {part} do not pair up. Write {{{{ or }}}} for a brace itself."


def _field_problem(kind: Kind, part: str, name: str, spec: str | None,
                   conversion: str | None) -> str | None:
    if name == "":
        return (f"The {part} has {{}} with no name inside. Put a placeholder's name between "
                "the braces, or write {{ and }} for braces themselves.")
    if name not in kind.placeholders:
        close = difflib.get_close_matches(name, kind.placeholders, n=1)
        hint = f" Did you mean {{{close[0]}}}?" if close else ""
        return (f"The {part} uses {{{name}}}, which is not a placeholder of this message."
                f"{hint} It can use: "
                + ", ".join(f"{{{p}}}" for p in kind.placeholders) + ".")
    if spec or conversion:
        return (f"The {part} writes {{{name}}} with something after its name; write "
                f"placeholders as just {{{name}}}.")
    return None


def validate(kind_name: str, subject: str, body: str) -> list[str]:
    """Everything wrong with an edited template, in words; empty when it can be saved."""
    kind = kind_of(kind_name)
    problems: list[str] = []
    if not subject.strip():
        problems.append("The subject is empty.")
    if "\n" in subject or "\r" in subject:
        problems.append("The subject must be one line.")
    if len(subject) > SUBJECT_MAX:
        problems.append(f"The subject is longer than {SUBJECT_MAX} characters.")
    if not body.strip():
        problems.append("The body is empty.")
    for part, text in (("subject", subject), ("body", body)):
        try:
            fields = _fields(text)
        except ValueError as exc:
            problems.append(_brace_problem(part, text, exc))
            continue
        seen: set[str] = set()
        for _literal, name, spec, conversion in fields:
            if name is None or name in seen:
                continue
            seen.add(name)
            problem = _field_problem(kind, part, name, spec, conversion)
            if problem:
                problems.append(problem)
    return problems


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone()
        return f"{local.day} {local:%b %Y, %H:%M}"
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def _fill(text: str, values: Mapping[str, object]) -> str:
    out = []
    for literal, name, _spec, _conversion in _fields(text):
        out.append(literal)
        if name is not None:
            out.append(_text(values.get(name)))
    return "".join(out)


def template_for(kind_name: str, overrides: Mapping[str, Template] | None = None) -> Template:
    """The owner's edit of a kind if there is a valid one, else the built-in text."""
    kind = kind_of(kind_name)
    edited = (overrides or {}).get(kind_name)
    if edited is not None and not validate(kind_name, edited.subject, edited.body):
        return edited
    return kind.builtin


def render(kind_name: str, values: Mapping[str, object],
           overrides: Mapping[str, Template] | None = None) -> Template:
    """The message to send: the kind's template with its placeholders filled in.

    A placeholder with no value reads as empty; dates read as "3 Dec 2026".
    """
    template = template_for(kind_name, overrides)
    subject = " ".join(_fill(template.subject, values).split())
    return Template(subject[:SUBJECT_MAX], _fill(template.body, values))


def preview(kind_name: str, subject: str, body: str) -> Template:
    """An edited template filled with sample values; raises ValueError if it is not valid."""
    problems = validate(kind_name, subject, body)
    if problems:
        raise ValueError(problems[0])
    return render(kind_name, SAMPLE, {kind_name: Template(subject, body)})
