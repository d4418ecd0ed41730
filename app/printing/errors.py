"""What goes wrong with labels and printers, in words a person at the packing bench can act on."""

from __future__ import annotations

from enum import StrEnum

from app.domain.errors import DomainError


class TemplateError(DomainError):
    """A template, or the data for it, cannot make a label; `field` names the culprit."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


class PrinterErrorKind(StrEnum):
    UNREACHABLE = "unreachable"  # no route, no such host, device or queue
    REFUSED = "refused"  # it is there but will not take the job (port closed, no permission)
    TIMEOUT = "timeout"  # it did not answer in time
    OUT_OF_PAPER = "out_of_paper"  # it said so
    NOT_READY = "not_ready"  # paused, head open, ribbon out: a person has to see to it
    SETUP = "setup"  # the printer's settings cannot work (no such model, no lp command...)
    UNKNOWN = "unknown"


class PrinterError(Exception):
    """A label could not be handed to a printer.

    `may_have_printed` is True when some bytes left before the failure, so the job must not
    be sent again without asking; False when the printer cannot have started on it.
    """

    def __init__(self, message: str, kind: PrinterErrorKind = PrinterErrorKind.UNKNOWN,
                 may_have_printed: bool = False):
        self.kind = PrinterErrorKind(kind)
        self.may_have_printed = may_have_printed
        super().__init__(message)
