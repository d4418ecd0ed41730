"""The HTTP side every API driver shares: timeouts, retries, rate limits and JSON in words.

One `ChannelHttp` talks to one channel account. It retries what is worth retrying (5xx,
timeouts, dropped connections) with exponential back-off and jitter, sits out a 429 for as
long as Retry-After asks, turns 401/403 into CredentialsRefused, and turns a web page or
garbage where JSON belongs into a ChannelError that names the channel and what to do.
Credentials never reach a message: every text it builds is scrubbed of the secrets it holds.
"""

from __future__ import annotations

import html
import json
import logging
import math
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from app.channels.base import ChannelError, CredentialsRefused, DriverStatus

log = logging.getLogger(__name__)

#: JSON request bodies and query values, as the drivers build them.
JSONValue = Any


def _never() -> bool:
    return False


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class HttpOptions:
    """How patient a driver is with its channel, and the hooks tests and the engine replace.

    `sleep` is called for every wait (back-off, Retry-After, call-limit pacing); pass
    `threading.Event().wait` to make waits end early on cancel. `cancelled` is asked before
    every request and around every wait.
    """

    timeout: float = 30.0
    connect_timeout: float = 10.0
    max_attempts: int = 4
    backoff: float = 1.0  # the first wait between tries, doubled each time
    backoff_cap: float = 30.0
    max_wait: float = 120.0  # a longer Retry-After is not sat out but raised (retry_after set)
    max_rate_waits: int = 8
    sleep: Callable[[float], object] = time.sleep
    cancelled: Callable[[], bool] = _never
    jitter: Callable[[], float] = random.random
    now: Callable[[], datetime] = _utc_now
    transport: httpx.BaseTransport | None = None
    user_agent: str = "Backroom (back office; +https://github.com/backroom)"


class ChannelHttpError(ChannelError):
    """The channel answered, but refused the request (a 4xx other than 401/403/429)."""

    def __init__(self, message: str, *, http_status: int, api_message: str,
                 error_code: str = "") -> None:
        super().__init__(message)
        self.http_status = http_status
        self.api_message = api_message
        self.error_code = error_code  # OAuth's "error" field, such as invalid_client


class SyncCancelled(ChannelError):
    """The user cancelled while a request was waiting its turn; nothing more was sent."""

    def __init__(self, message: str = "Stopped: the sync was cancelled.") -> None:
        super().__init__(message, status=DriverStatus.WARNING)


@dataclass(frozen=True)
class Reply:
    """A successful answer: status, headers and the decoded JSON (Decimal for fractions)."""

    status: int
    headers: httpx.Headers
    data: Any
    path: str


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Read a Retry-After header: delta-seconds ('2', '2.0') or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def next_link(header: str | None) -> str | None:
    """The rel="next" URL of an RFC 8288 Link header, as Shopify and WordPress send it."""
    if not header:
        return None
    for part in re.finditer(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)", header):
        url, params = part.group(1), part.group(2)
        for param in params.split(";"):
            name, _, val = param.partition("=")
            if name.strip().lower() == "rel" and "next" in val.strip().strip('"').split():
                return url
    return None


def api_message(data: Any) -> str:
    """The human part of an API's error body: Shopify's `errors`, WordPress's `message`."""
    if isinstance(data, str):
        return _plain(data)
    if isinstance(data, list):
        return "; ".join(filter(None, (api_message(item) for item in data)))
    if isinstance(data, dict):
        for key in ("message", "error_description", "error", "errors"):
            if data.get(key):
                value = data[key]
                if isinstance(value, dict) and key == "errors":
                    return "; ".join(
                        f"{name} {api_message(text)}" if name != "base" else api_message(text)
                        for name, text in value.items())
                return api_message(value)
    return ""


def _plain(text: str) -> str:
    """HTML-free, single-spaced, short: fit to quote in a message."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


def _human_wait(seconds: float) -> str:
    if seconds < 90:
        return f"{math.ceil(seconds)} seconds"
    if seconds < 5400:
        return f"{math.ceil(seconds / 60)} minutes"
    return f"{seconds / 3600:.1f} hours"


class ChannelHttp:
    """One channel account's HTTP client, with the retry and wording rules above."""

    def __init__(
        self,
        channel: str,
        base_url: str,
        *,
        where: str,
        refused: Callable[[int, str], str],
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        pace: Callable[[httpx.Response], float] | None = None,
        options: HttpOptions | None = None,
    ) -> None:
        """`where` names the setting to check ("the shop domain"); `refused(status, api
        text)` words a 401/403; `pace(response)` returns seconds to wait before the next call.
        """
        self.channel = channel
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.where = where
        self.options = options or HttpOptions()
        self._refused = refused
        self._pace = pace
        self._pause = 0.0
        self._secrets = tuple(sorted({s for s in secrets if s and len(s) >= 4}, key=len,
                                     reverse=True))
        opts = self.options
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={"User-Agent": opts.user_agent, "Accept": "application/json",
                     **(headers or {})},
            auth=auth,
            params=dict(params or {}),
            timeout=httpx.Timeout(opts.timeout, connect=opts.connect_timeout),
            follow_redirects=False,
            transport=opts.transport,
        )

    def __repr__(self) -> str:
        return f"<ChannelHttp {self.channel} {self.base_url}>"

    def close(self) -> None:
        self._client.close()

    # -- words ---------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """The text with every secret this client holds blotted out."""
        for secret in self._secrets:
            text = text.replace(secret, "•••")
        return text

    def use_header(self, name: str, value: str) -> None:
        """Send `name: value` from now on, a secret kept out of every message (an access
        token fetched after the client was made)."""
        self._client.headers[name] = value
        if value and len(value) >= 4 and value not in self._secrets:
            self._secrets = tuple(sorted({*self._secrets, value}, key=len, reverse=True))

    def error(self, message: str, **kwargs: Any) -> ChannelError:
        return ChannelError(self.redact(message), **kwargs)

    def check_cancel(self) -> None:
        if self.options.cancelled():
            raise SyncCancelled()

    def cancelled(self) -> bool:
        return bool(self.options.cancelled())

    def _wait(self, seconds: float) -> None:
        self.check_cancel()
        if seconds > 0:
            self.options.sleep(seconds)
            self.check_cancel()

    def _backoff(self, attempt: int) -> float:
        opts = self.options
        delay = min(opts.backoff_cap, opts.backoff * 2 ** (attempt - 1))
        return delay * (0.5 + 0.5 * min(1.0, max(0.0, opts.jitter())))

    # -- requests ------------------------------------------------------------------------

    def get(self, path: str, *, params: Mapping[str, JSONValue] | None = None) -> Reply:
        return self.request("GET", path, params=params)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, JSONValue] | None = None,
        json_body: JSONValue = None,
        form: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Reply:
        """Send one request, retrying as the rules allow; return the decoded answer.

        `path` is relative to the base URL, or an absolute URL on the same host (a Link
        header's next page). `form` is sent as application/x-www-form-urlencoded instead of
        JSON. A POST is retried after a 5xx or timeout only when the caller says it is
        `idempotent` (it sets a value rather than adding something).
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}
        url = self._resolve(path)
        shown = urlsplit(url).path or "/"
        opts = self.options
        attempt = 0
        rate_waits = 0
        while True:
            self.check_cancel()
            if self._pause > 0:
                pause, self._pause = self._pause, 0.0
                log.debug("%s: pacing %.2fs before %s", self.channel, pause, shown)
                self._wait(pause)
            attempt += 1
            try:
                response = self._client.request(method, url, params=params, json=json_body,
                                                data=form)
            except httpx.TimeoutException as exc:
                retryable = idempotent or isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                problem = f"did not answer within {opts.timeout:g} seconds"
            except httpx.TransportError as exc:
                retryable = idempotent or isinstance(exc, httpx.ConnectError)
                problem = f"could not be reached ({self.redact(str(exc)) or type(exc).__name__})"
            else:
                if self._pace is not None:
                    self._pause = max(0.0, self._pace(response))
                status = response.status_code
                if status == 429 or (status == 503 and "retry-after" in response.headers):
                    rate_waits += 1
                    wait = retry_after_seconds(response.headers.get("retry-after"), opts.now())
                    if wait is None:
                        wait = self._backoff(rate_waits)
                    if wait > opts.max_wait or rate_waits > opts.max_rate_waits:
                        raise self.error(
                            f"{self.channel} is limiting how fast we may ask (HTTP {status}) "
                            f"and wants us to wait {_human_wait(wait)} — try again then.",
                            retry_after=wait)
                    log.info("%s: HTTP %s on %s, waiting %.1fs", self.channel, status, shown,
                             wait)
                    attempt -= 1
                    self._wait(wait)
                    continue
                if status in (401, 403):
                    text = api_message(self._try_json(response))
                    raise CredentialsRefused(self.redact(self._refused(status, text)))
                if 300 <= status < 400:
                    raise self._redirected(response, shown)
                if status >= 500:
                    retryable = idempotent
                    problem = f"answered with a server error (HTTP {status})"
                elif status >= 400:
                    raise self._refusal(response, shown)
                else:
                    return Reply(status, response.headers, self._decode(response, shown), shown)
            if not retryable:
                raise self.error(
                    f"{self.channel} {problem} while we sent {method} {shown}; it was not sent "
                    f"again in case it went through — check in {self.channel} whether it did, "
                    f"then try again.")
            if attempt >= opts.max_attempts:
                raise self.error(
                    f"{self.channel} {problem} on {shown}, {attempt} times in a row — it may be "
                    f"down or overloaded. Try again later; if it keeps happening, check "
                    f"{self.where} in Settings > Channels and that the site is up.")
            delay = self._backoff(attempt)
            log.info("%s: %s on %s, try %d of %d in %.1fs", self.channel, problem, shown,
                     attempt + 1, opts.max_attempts, delay)
            self._wait(delay)

    def _resolve(self, path: str) -> str:
        url = urljoin(self.base_url, path)
        base, target = urlsplit(self.base_url), urlsplit(url)
        if (target.scheme, target.netloc) != (base.scheme, base.netloc):
            raise self.error(f"{self.channel} pointed us to another site ({target.netloc}); "
                             f"nothing was sent there. Check {self.where} in Settings > "
                             f"Channels.")
        return url

    # -- reading answers -----------------------------------------------------------------

    @staticmethod
    def _try_json(response: httpx.Response) -> Any:
        try:
            return json.loads(response.text)
        except ValueError:
            return response.text if "<" not in response.text[:200] else ""

    def _refusal(self, response: httpx.Response, shown: str) -> ChannelHttpError:
        data = self._try_json(response)
        text = self.redact(api_message(data)).rstrip(" .")
        code = data.get("error") if isinstance(data, dict) else None
        status = response.status_code
        detail = f": {text}" if text else ""
        hint = ""
        if status == 404:
            hint = f" Check {self.where} in Settings > Channels."
        return ChannelHttpError(
            self.redact(f"{self.channel} refused {shown} (HTTP {status}{detail}).{hint}"),
            http_status=status, api_message=text,
            error_code=code if isinstance(code, str) else "")

    def _redirected(self, response: httpx.Response, shown: str) -> ChannelError:
        target = urlsplit(response.headers.get("location", ""))
        where_to = f"{target.scheme}://{target.netloc}{target.path}" if target.netloc else \
            target.path
        return self.error(
            f"{self.channel} sent {shown} on to {where_to or 'another address'} (HTTP "
            f"{response.status_code}) — enter the address it moved to in {self.where} in "
            f"Settings > Channels.")

    def _decode(self, response: httpx.Response, shown: str) -> Any:
        body = response.text.lstrip("\ufeff").strip()
        if not body:
            return None
        ctype = response.headers.get("content-type", "").lower()
        if body.startswith("<") or "html" in ctype:
            found = re.search(r"<title[^>]*>(.*?)</title>", body, re.I | re.S)
            title = f" (“{_plain(found.group(1))}”)" if found and _plain(found.group(1)) else ""
            raise self.error(
                f"{self.channel} answered {shown} with a web page{title} instead of data — a "
                f"login, maintenance or security page may be in the way. Check {self.where} "
                f"in Settings > Channels and that the site opens in a browser, then try again.")
        try:
            return json.loads(body, parse_float=Decimal)
        except ValueError:
            snippet = _plain(body[:60])
            raise self.error(
                f"{self.channel} sent a reply to {shown} that is not readable data "
                f"(“{snippet}”) — it may be having trouble. Try again later; if it keeps "
                f"happening, check {self.where} in Settings > Channels.") from None


# -- small readers the drivers share -------------------------------------------------------


def iso_cursor(moment: datetime) -> str:
    """A sync cursor as stored: UTC, to the second, 'Z' for zero offset."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_cursor(cursor: str | None) -> datetime | None:
    """A stored sync cursor back as an aware UTC datetime (None: fetch from the start)."""
    if not cursor:
        return None
    try:
        moment = datetime.fromisoformat(cursor.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ChannelError(f"The stored sync position {cursor!r} is not a date; clear it to "
                           f"fetch the orders again from the start.") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def flag(value: str | bool | None, *, default: bool) -> bool:
    """A yes/no form value ('true', '1', 'yes', 'on'); empty keeps the default."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")
