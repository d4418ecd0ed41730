"""Secrets (mail and channel passwords, API tokens) live only in the system keyring —
GNOME Keyring, KWallet, the macOS Keychain or Windows Credential Manager — never in the
database, a file or a log. Every keyring trouble comes back as a DomainError in words."""

from __future__ import annotations

from app.domain.errors import DomainError


def _trouble(exc: Exception, doing: str, what: str) -> DomainError:
    from keyring.errors import NoKeyringError

    if isinstance(exc, NoKeyringError):
        return DomainError(
            "This computer has no system keyring (such as GNOME Keyring, KWallet, the macOS "
            f"Keychain or Windows Credential Manager), so Backroom cannot {doing} the {what}. "
            "Backroom never keeps it anywhere else.")
    return DomainError(f"The system keyring would not {doing} the {what}: {exc}")


def read_secret(service: str, name: str, what: str) -> str | None:
    """The secret kept under (service, name), or None; `what` names it in messages."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(service, name)
    except KeyringError as exc:
        raise _trouble(exc, "read", what) from None


def keep_secret(service: str, name: str, secret: str, what: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(service, name, secret)
    except KeyringError as exc:
        raise _trouble(exc, "keep", what) from None


def forget_secret(service: str, name: str, what: str) -> None:
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(service, name)
    except PasswordDeleteError:
        pass
    except KeyringError as exc:
        raise _trouble(exc, "remove", what) from None
