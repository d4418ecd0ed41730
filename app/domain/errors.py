"""Errors the rules raise; their text is shown to people as it is."""


class DomainError(Exception):
    """A rule of the workshop was broken; the message says which, in plain words."""


class IllegalTransition(DomainError):
    """A status change the transition table does not allow."""

    def __init__(self, what: str, current: str, wanted: str, allowed: tuple[str, ...]):
        self.what, self.current, self.wanted, self.allowed = what, current, wanted, allowed
        choices = ", ".join(allowed) if allowed else "nothing (it is final)"
        article = "An" if what[:1].lower() in "aeiou" else "A"
        super().__init__(
            f"{article} {what} that is {current} cannot become {wanted}. "
            f"From {current} it can go to: {choices}."
        )
