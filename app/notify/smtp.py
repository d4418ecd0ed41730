"""Sending over SMTP: the server settings (in the database) and its password (in the keyring).

The password is kept only in the system keyring (service "Backroom SMTP", under the user
name), never in the database, in a message or in a log.
"""

from __future__ import annotations

import mimetypes
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from sqlalchemy.orm import Session

from app.notify.outbox import SendError, address_problem
from app.notify.settings import read_setting, write_setting
from app.secrets import forget_secret, keep_secret, read_secret

SMTP_KEY = "smtp"
KEYRING_SERVICE = "Backroom SMTP"
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail goes out; `owner_address` gets the owner's notices (the sender's if empty)."""

    host: str
    port: int = 587
    starttls: bool = True
    username: str = ""
    from_address: str = ""
    owner_address: str = ""

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def notices_to(self) -> str:
        return self.owner_address or self.from_address


def settings_problems(settings: SmtpSettings) -> list[str]:
    problems = []
    host = settings.host.strip()
    if not host:
        problems.append("Enter the mail server's name, e.g. smtp.example.com.")
    elif any(c.isspace() for c in host) or "/" in host:
        problems.append(f"“{host}” is not a server name.")
    if not 1 <= settings.port <= 65535:
        problems.append("The port is a number from 1 to 65535 (usually 587).")
    problem = address_problem(settings.from_address)
    if problem:
        problems.append(f"Sender address: {problem}")
    if settings.owner_address.strip():
        problem = address_problem(settings.owner_address)
        if problem:
            problems.append(f"Address for your notices: {problem}")
    return problems


def load_smtp_settings(session: Session) -> SmtpSettings | None:
    """The saved settings, or None while e-mail is not set up."""
    value = read_setting(session, SMTP_KEY)
    if not value or not value.get("host"):
        return None
    fields = SmtpSettings.__dataclass_fields__
    return SmtpSettings(**{k: v for k, v in value.items() if k in fields})


def store_smtp_settings(session: Session, settings: SmtpSettings) -> None:
    """Save the settings (there is no password among them)."""
    write_setting(session, SMTP_KEY, asdict(settings))


# --- the password, in the system keyring --------------------------------------------------


MAIL_PASSWORD = "mail password"


def stored_password(username: str) -> str | None:
    """The password kept for this user name, or None."""
    return read_secret(KEYRING_SERVICE, username, MAIL_PASSWORD)


def store_password(username: str, password: str) -> None:
    keep_secret(KEYRING_SERVICE, username, password, MAIL_PASSWORD)


def forget_password(username: str) -> None:
    forget_secret(KEYRING_SERVICE, username, MAIL_PASSWORD)


# --- sending ------------------------------------------------------------------------------


def _said(exc: smtplib.SMTPResponseException, password: str | None) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
        else str(exc.smtp_error)
    if password:
        text = text.replace(password, "•••")
    return f"{exc.smtp_code} {' '.join(text.split())}".strip()


class SmtpTransport:
    """Sends each message in its own connection: STARTTLS if asked, then log in, then send."""

    def __init__(self, settings: SmtpSettings, password: str | None,
                 timeout: float = TIMEOUT_SECONDS):
        self.settings = settings
        self._password = password
        self.timeout = timeout

    def __repr__(self) -> str:  # never shows the password
        return f"SmtpTransport({self.settings.server}, user={self.settings.username!r})"

    def message(self, to: str, subject: str, body: str,
                attachments: Sequence[str] = ()) -> EmailMessage:
        msg = EmailMessage()
        sender = self.settings.from_address
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        msg.set_content(body)
        for name in attachments:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise SendError(f"The file {path} to send with “{subject}” cannot be read "
                                f"({exc.strerror or exc}); put it back, or send the message "
                                "again from where it was made.") from None
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            main, _, sub = kind.partition("/")
            msg.add_attachment(data, maintype=main, subtype=sub, filename=path.name)
        return msg

    def send(self, to: str, subject: str, body: str,
             attachments: Sequence[str] = ()) -> None:
        s, password = self.settings, self._password
        where = f"The mail server at {s.server}"
        msg = self.message(to, subject, body, attachments)
        try:
            with smtplib.SMTP(s.host, s.port, timeout=self.timeout) as smtp:
                smtp.ehlo()
                if s.starttls:
                    if not smtp.has_extn("starttls"):
                        raise SendError(
                            f"{where} does not offer STARTTLS, so the password and mail "
                            "would travel unencrypted. Check the port (usually 587), or turn "
                            "STARTTLS off only for a server on your own network.",
                            affects_all=True)
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if s.username:
                    if not password:
                        raise SendError(
                            f"No password for {s.username} is kept in the system keyring. "
                            "Enter it in Settings > E-mail….", affects_all=True)
                    smtp.login(s.username, password)
                smtp.send_message(msg)
        except SendError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"{where} refused the password for {s.username} "
                            f"(it said: {_said(exc, password)}).", affects_all=True) from None
        except smtplib.SMTPNotSupportedError:
            raise SendError(
                f"{where} does not take a user name and password"
                + ("" if s.starttls else " without STARTTLS; turn STARTTLS on")
                + (", or clear the user name." if s.username else "."),
                affects_all=True) from None
        except smtplib.SMTPRecipientsRefused as exc:
            refused = "; ".join(f"{addr} ({code} {err.decode('utf-8', 'replace')})"
                                if isinstance(err, bytes) else f"{addr} ({code} {err})"
                                for addr, (code, err) in exc.recipients.items())
            raise SendError(f"{where} refused the address {refused}.") from None
        except smtplib.SMTPSenderRefused as exc:
            raise SendError(f"{where} refused the sender address {s.from_address} "
                            f"(it said: {_said(exc, password)}).", affects_all=True) from None
        except smtplib.SMTPDataError as exc:
            raise SendError(f"{where} refused the message "
                            f"(it said: {_said(exc, password)}).") from None
        except smtplib.SMTPConnectError as exc:
            raise SendError(f"{where} could not be reached: it answered "
                            f"{_said(exc, password)}.", affects_all=True) from None
        except smtplib.SMTPServerDisconnected:
            raise SendError(f"{where} closed the connection before the message was sent. "
                            "Check the port and the STARTTLS setting.",
                            affects_all=True) from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"{where} answered {_said(exc, password)}.",
                            affects_all=True) from None
        except smtplib.SMTPException as exc:
            raise SendError(f"{where} did not take the message: {exc}.",
                            affects_all=True) from None
        except ssl.SSLError as exc:
            raise SendError(f"The secure connection to {s.server} failed "
                            f"({exc.reason or exc}). Check the server name and port.",
                            affects_all=True) from None
        except socket.gaierror:
            raise SendError(f"{where} could not be reached: there is no server called "
                            f"{s.host} (or this computer is offline).",
                            affects_all=True) from None
        except TimeoutError:
            raise SendError(f"{where} could not be reached: no answer within "
                            f"{self.timeout:g} seconds.", affects_all=True) from None
        except ConnectionRefusedError:
            raise SendError(f"{where} could not be reached: it refused the connection (is "
                            "the server down, or is the port wrong?).",
                            affects_all=True) from None
        except OSError as exc:
            raise SendError(f"{where} could not be reached: {exc.strerror or exc}.",
                            affects_all=True) from None


def transport_for(settings: SmtpSettings) -> SmtpTransport:
    """A transport with the password from the keyring (read now, on the calling thread)."""
    password = stored_password(settings.username) if settings.username else None
    return SmtpTransport(settings, password)
