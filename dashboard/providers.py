"""The provider HTTP base shared by the three clients, and where each provider is.

A client subclasses `ProviderClient`, sets `provider`, implements `prepare()` to make every
call carry its credentials and `error_from()` to read the provider's error body. Everything
else is here once: one `requests.Session` per client, a timeout on every call, a User-Agent, a
client-side rate limit, retries with backoff (honouring `Retry-After`) only for transient
failures of idempotent calls, one error class, and one log line per call with who asked and
the request id, secrets never included.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

import requests
from django.apps import AppConfig, apps
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

from dashboard import context

log = logging.getLogger("switchboard.provider")

USER_AGENT = "Switchboard/0.1 (+internal marketing dashboard)"
TRANSIENT_STATUSES = {429, 502, 503, 504}
# How a provider refuses a method it does not know or does not offer to this account: real
# accounts answered 404, 400 or 500 to methods no public page documents; 405, 410 and 501 say
# the same. See capabilities.py for when one counts as a refusal.
REFUSED_STATUSES = {400, 404, 405, 410, 500, 501}
# A web request never sleeps longer than this for a provider's Retry-After; beyond it, the
# user is told when to try again.
MAX_RETRY_WAIT = 5.0

PROVIDER_NAMES = {
    "engagelab": "EngageLab",
    "dialoginsight": "Dialog Insight",
    "ccai": "CCAI Platform",
}


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    base_url: str
    sandbox: bool
    credentials: dict[str, str] = field(repr=False)

    @property
    def display_name(self) -> str:
        return PROVIDER_NAMES[self.name]

    @property
    def configured(self) -> bool:
        """A base URL and API credentials (a webhook secret is not needed to call)."""
        return bool(self.base_url) and all(
            v for k, v in self.credentials.items() if k != "webhook_secret"
        )


def _live_credentials(name: str) -> dict[str, str]:
    s = settings
    if name == "engagelab":
        return {
            "api_user": s.ENGAGELAB_API_USER,
            "api_key": s.ENGAGELAB_API_KEY,
            "webhook_secret": s.ENGAGELAB_WEBHOOK_SECRET,
        }
    if name == "dialoginsight":
        return {
            "key_id": s.DIALOG_INSIGHT_KEY_ID,
            "key": s.DIALOG_INSIGHT_KEY,
            "project_id": s.DIALOG_INSIGHT_PROJECT_ID,
        }
    if name == "ccai":
        return {"username": s.CCAI_USERNAME, "api_token": s.CCAI_API_TOKEN}
    raise KeyError(name)


def _live_base_url(name: str) -> str:
    return {
        "engagelab": settings.ENGAGELAB_BASE_URL,
        "dialoginsight": settings.DIALOG_INSIGHT_BASE_URL,
        "ccai": settings.CCAI_BASE_URL,
    }[name].rstrip("/")


def provider_config(name: str) -> ProviderConfig:
    """Where provider `name` is and how to authenticate, read from settings on every call
    (cheap) so that tests and operators can switch a provider without a restart."""
    live = ProviderConfig(
        name=name, base_url=_live_base_url(name), sandbox=False, credentials=_live_credentials(name)
    )
    sandbox = settings.SANDBOX if settings.SANDBOX is not None else not live.configured
    if sandbox:
        return ProviderConfig(
            name=name,
            base_url=f"{settings.SWITCHBOARD_URL}/sandbox/{name}",
            sandbox=True,
            credentials=dict(settings.SANDBOX_CREDENTIALS[name]),
        )
    return live


def all_provider_configs() -> list[ProviderConfig]:
    return [provider_config(name) for name in PROVIDER_NAMES]


def sandbox_apps() -> list[AppConfig]:
    """The emulator apps (`<app>/sandbox/`, each naming its provider in `sandbox_of`) whose
    provider runs on its sandbox now. Found through the app registry: the product never
    imports an emulator."""
    return [
        app
        for app in apps.get_app_configs()
        if getattr(app, "sandbox_of", None) and provider_config(app.sandbox_of).sandbox
    ]


class ProviderError(Exception):
    """Any failure talking to a provider: transport, HTTP status or an error in the body.

    `str(error)` is a sentence a user can read; `status`, `code` and `provider_message`
    carry what the provider said for logs, tests and the audit log.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        code: str | int | None = None,
        provider_message: str | None = None,
        retry_after: float | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status = status
        self.code = code
        self.provider_message = provider_message
        self.retry_after = retry_after
        self.details = details

    @property
    def display_name(self) -> str:
        return PROVIDER_NAMES.get(self.provider, self.provider)

    @property
    def outcome_unknown(self) -> bool:
        """True when the provider may have done a write although Switchboard saw a failure:
        no answer in time, or a success status with a body that could not be read. Trying
        again could then duplicate it, so users are told to look first."""
        cause = self.__cause__
        if self.status is None:
            if isinstance(cause, requests.ConnectTimeout):
                return False  # never reached the provider
            if isinstance(cause, requests.Timeout):
                return True  # sent, no answer
            # Not reached at all, or it answered 2xx without what it should describe.
            return not isinstance(cause, requests.ConnectionError)
        return 200 <= self.status < 300 and self.code is None and self.provider_message is None


class RateLimiter:
    """A token bucket shared by every process through the database: at most `rate` calls a
    second on average, in bursts of at most `burst` (default `rate`), however many web
    processes and workers call the provider at once.

    The bucket is one `RateBucket` row holding the time it is next full (the generic cell rate
    algorithm), on the database's clock: one clock for every machine, so that a server whose
    clock runs ahead or behind neither waits for nothing nor takes a burst of its own. A call
    reserves the next free slot with one UPDATE … RETURNING (the row's lock lasts that
    statement), then sleeps until its slot. Over any span of L seconds, calls number at most
    `burst + rate × L`. On PostgreSQL the table is UNLOGGED: a bucket is not worth a disk
    flush per provider call, and one lost in a crash only starts full."""

    # {vendor: (greatest of two, the statement's time in seconds since the epoch)}
    SQL = {
        "postgresql": ("GREATEST", "EXTRACT(EPOCH FROM statement_timestamp())::float8"),
        "sqlite": ("MAX", "(julianday('now') - 2440587.5) * 86400.0"),
    }

    def __init__(self, name: str, rate: float, burst: float | None = None) -> None:
        self.name = name
        self.rate = rate
        self.burst = burst if burst is not None else rate

    def reserve(self) -> float:
        """Take the next free slot; returns the seconds until it (0 when a token is there)."""
        from dashboard.models import RateBucket

        interval = 1 / self.rate
        greatest, now = self.SQL[connection.vendor]
        table = connection.ops.quote_name(RateBucket._meta.db_table)
        sql = (
            f"UPDATE {table} SET full_at = {greatest}(full_at, {now}) + %s "
            f"WHERE name = %s RETURNING full_at, {now}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [interval, self.name])
            row = cursor.fetchone()
            if row is None:  # the bucket's first call: a full bucket, then the same update
                RateBucket.objects.bulk_create([RateBucket(name=self.name)], ignore_conflicts=True)
                cursor.execute(sql, [interval, self.name])
                row = cursor.fetchone()
        full_at, now_ = row
        # full_at is now one interval past this call's turn; the burst lets it come earlier.
        return max(0.0, full_at - interval - (self.burst - 1) * interval - now_)

    def acquire(self) -> float:
        """Take one token, sleeping if needed; returns the seconds waited."""
        try:
            wait = self.reserve()
        except DatabaseError:
            # The bookkeeping must not fail the call: space this process's calls instead.
            log.warning("rate bucket %s unavailable; spacing calls locally", self.name)
            wait = 1 / self.rate
        if wait > 0:
            time.sleep(wait)
        return wait


def int_or_none(value: Any) -> int | None:
    """A whole number a provider may leave out or send as text; None when it is not one (for
    a value the contract promises, see `ProviderClient.required_int`)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class ProviderClient:
    """Base of the three provider clients."""

    provider: ClassVar[str]
    rate_per_second: ClassVar[float | None] = None
    # Tighter limits of some endpoints, by path prefix: {prefix: (calls a second, burst)},
    # each shared by every process as the provider's own limit is.
    path_limits: ClassVar[dict[str, tuple[float, float]]] = {}
    max_retries: ClassVar[int] = 2
    backoff: ClassVar[float] = 0.25

    def __init__(self, config: ProviderConfig | None = None, *, timeout: float | None = None):
        self.config = config or provider_config(self.provider)
        self.base_url = self.config.base_url
        self.timeout = timeout if timeout is not None else settings.PROVIDER_TIMEOUT
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        self.limiter = (
            RateLimiter(self.provider, self.rate_per_second) if self.rate_per_second else None
        )
        self.prepare(self.config.credentials)

    @property
    def display_name(self) -> str:
        return PROVIDER_NAMES[self.provider]

    def required_int(
        self, data: Any, key: str, *, what: str, write: bool = True, minimum: int = 1
    ) -> int:
        """`data[key]`, an id (or a count, with `minimum=0`) the contract promises for `what`.

        A reply without it, or with something that is not a whole number from `minimum`, is a
        `ProviderError`, never a made-up 0: after a write the provider answered 2xx, so it
        may have done it (`outcome_unknown`) and the user is told to look before trying
        again; after a read nothing is stored from an answer that cannot be trusted.
        """
        value = data.get(key) if isinstance(data, dict) else None
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().isdecimal():
            number = int(value.strip())
        if number is not None and number >= minimum:
            return number
        raise self._missing(key, what=what, write=write)

    def required_flag(self, data: Any, key: str, *, what: str) -> bool:
        """`data[key]`, a yes or no the contract promises for `what` in a read: one left out,
        or that is not a boolean, is a `ProviderError`, never a made-up "no"."""
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, bool):
            return value
        raise self._missing(key, what=what, write=False)

    def required_text(self, data: Any, key: str, *, what: str) -> str:
        """`data[key]`, a text the contract promises for `what` in a read (a status, a domain):
        one left out, blank or not a text is a `ProviderError`, never an empty value stored."""
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, str) and value.strip():
            return value
        raise self._missing(key, what=what, write=False)

    def _missing(self, key: str, *, what: str, write: bool) -> ProviderError:
        names = {"provider": self.display_name, "what": what, "key": key}
        if write:
            text = _("%(provider)s did not confirm %(what)s; check it there before trying again.")
        else:
            text = _("%(provider)s sent %(what)s without its %(key)s; nothing was changed.")
        return ProviderError(text % names, provider=self.provider, details={"missing": key})

    @contextmanager
    def reading(self, what: str) -> Iterator[None]:
        """Read an answer inside this block: one that lacks what the contract promises (a
        field missing or not a number, a record that is not an object) is a `ProviderError`
        the page can show, with no status (after a write, the provider may have done it),
        instead of a KeyError that would be a 500 or stop a sync. `what`: "a campaign list"."""
        try:
            yield
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise ProviderError(
                _("%(provider)s answered with %(what)s that Switchboard cannot read (%(error)s).")
                % {
                    "provider": self.display_name,
                    "what": what,
                    "error": f"{type(exc).__name__}: {exc}",
                },
                provider=self.provider,
            ) from exc

    # --- to override ---------------------------------------------------------------------
    def prepare(self, credentials: dict[str, str]) -> None:
        """Set once what every call to this provider carries: its `credentials` (on the
        session, or kept for the body) and any header of its own. The default adds nothing."""

    def error_from(self, response: requests.Response, body: Any) -> ProviderError | None:
        """Return the provider's error for this response, or None when it is a success.
        The default treats any non-2xx as an error and reads `message`/`code` if present."""
        if response.ok:
            return None
        code = message = None
        if isinstance(body, dict):
            code = body.get("code")
            message = body.get("message")
        return self.http_error(response, code=code, provider_message=message)

    def refuses_method(self, error: ProviderError) -> bool:
        """Whether `error` is the provider refusing the method itself, as unknown or not
        offered to this account (rather than a failure of this one call)."""
        return error.status in REFUSED_STATUSES

    # --- helpers for subclasses ----------------------------------------------------------
    def http_error(
        self,
        response: requests.Response,
        *,
        code: str | int | None = None,
        provider_message: str | None = None,
        details: Any = None,
    ) -> ProviderError:
        status = response.status_code
        names = {"provider": self.display_name, "status": status, "message": provider_message}
        if status == 429:
            retry_after = _retry_after_seconds(response)
            if retry_after:
                text = _(
                    "%(provider)s is rate limiting Switchboard's calls. Try again in %(seconds)s s."
                )
                names["seconds"] = f"{retry_after:.0f}"
            else:
                text = _("%(provider)s is rate limiting Switchboard's calls. Try again shortly.")
        elif status in (401, 403):
            if provider_message:
                text = _("%(provider)s refused Switchboard's credentials: %(message)s")
            else:
                text = _("%(provider)s refused Switchboard's credentials.")
        elif status >= 500:
            text = _(
                "%(provider)s is having trouble (HTTP %(status)s). Nothing was changed; try again."
            )
        elif provider_message:
            text = _("%(provider)s: %(message)s")
        else:
            text = _("%(provider)s answered HTTP %(status)s.")
        text %= names
        if code is not None and status < 500 and status != 429:
            text += " " + _("(code %(code)s)") % {"code": code}
        return ProviderError(
            text,
            provider=self.provider,
            status=status,
            code=code,
            provider_message=provider_message,
            retry_after=_retry_after_seconds(response),
            details=details,
        )

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def _wait_for_slot(self, path: str) -> None:
        for prefix, (rate, burst) in self.path_limits.items():
            if path.startswith(prefix):
                RateLimiter(f"{self.provider} {prefix}", rate, burst).acquire()
        if self.limiter:
            self.limiter.acquire()

    # --- the one way to call a provider ------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool | None = None,
        expect_json: bool = True,
        **kwargs: Any,
    ) -> tuple[requests.Response, Any]:
        """Send one call and return `(response, parsed JSON body)`.

        Retries happen only when `idempotent` (default: GET/PUT/DELETE/HEAD) and only for a
        refused connection or a 429/502/503/504 (never after a timeout): a POST that creates
        something is never sent twice, so a failure cannot duplicate it.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}
        kwargs.setdefault("timeout", self.timeout)
        attempts = 1 + (self.max_retries if idempotent else 0)
        for attempt in range(1, attempts + 1):
            try:
                response, body = self._send(method, path, expect_json=expect_json, **kwargs)
            except ProviderError as error:
                # A provider that did not answer in time is not asked again: the user would
                # wait several timeouts for what is most likely the same silence.
                timed_out = isinstance(error.__cause__, requests.Timeout)
                transient = error.status is None or error.status in TRANSIENT_STATUSES
                if attempt == attempts and attempts > 1 and transient:
                    # Each attempt's line was a WARNING; giving up is what on-call alerts on.
                    log.error(
                        "provider call %s %s %s gave up after %d attempts: %s",
                        self.provider,
                        method,
                        _path_only(path),
                        attempts,
                        _error_text(error),
                        extra={
                            "provider": self.provider,
                            "method": method,
                            "path": _path_only(path),
                            "status": error.status,
                            "attempts": attempts,
                            "outcome": "gave_up",
                            **_error_fields(error),
                        },
                    )
                if attempt == attempts or not transient or timed_out:
                    raise
                wait = error.retry_after if error.retry_after is not None else None
                if wait is None:
                    wait = self.backoff * (2 ** (attempt - 1))
                if wait > MAX_RETRY_WAIT:
                    raise
                time.sleep(wait)
                continue
            return response, body
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self, method: str, path: str, *, expect_json: bool, **kwargs: Any
    ) -> tuple[requests.Response, Any]:
        self._wait_for_slot(path)
        started = time.monotonic()
        status: int | None = None
        error: ProviderError | None = None
        try:
            try:
                response = self.session.request(method, self.url(path), **kwargs)
            except requests.Timeout as exc:
                error = ProviderError(
                    _(
                        "%(provider)s did not answer within %(seconds)s s. Nothing was "
                        "confirmed; check before trying again."
                    )
                    % {"provider": self.display_name, "seconds": f"{kwargs['timeout']:g}"},
                    provider=self.provider,
                )
                raise error from exc
            except requests.ConnectionError as exc:
                error = ProviderError(
                    _("%(provider)s cannot be reached at %(url)s.")
                    % {"provider": self.display_name, "url": self.base_url},
                    provider=self.provider,
                )
                raise error from exc
            status = response.status_code
            body: Any = None
            if expect_json and response.content:
                try:
                    body = response.json()
                except ValueError as exc:
                    if response.ok:
                        error = ProviderError(
                            _(
                                "%(provider)s answered with something that is not JSON "
                                "(HTTP %(status)s)."
                            )
                            % {"provider": self.display_name, "status": status},
                            provider=self.provider,
                            status=status,
                        )
                        raise error from exc
            error = self.error_from(response, body)
            if error is not None:
                raise error
            return response, body
        finally:
            self._log_call(method, path, status, time.monotonic() - started, error)

    def _log_call(
        self,
        method: str,
        path: str,
        status: int | None,
        duration: float,
        error: ProviderError | None,
    ) -> None:
        # Only the path is logged: bodies carry credentials (Dialog Insight's AuthKey) and
        # personal data; headers carry Basic auth. A failure is a WARNING whose text line
        # says what the provider answered (its code and message).
        path_only = _path_only(path)
        outcome = f" failed: {_error_text(error)}" if error else ""
        log.log(
            logging.WARNING if error else logging.INFO,
            "provider call %s %s %s %s %.0fms%s",
            self.provider,
            method,
            path_only,
            status if status is not None else "-",
            duration * 1000,
            outcome,
            extra={
                "provider": self.provider,
                "method": method,
                "path": path_only,
                "status": status,
                "duration_ms": round(duration * 1000, 1),
                "user": context.current_username(),
                "outcome": "error" if error else "ok",
                **(_error_fields(error) if error else {"error": None}),
                "sandbox": self.config.sandbox,
            },
        )
        from dashboard.models import ProviderCall

        try:
            ProviderCall.objects.create(
                provider=self.provider,
                method=method,
                path=path_only[:200],
                status=status,
                duration_ms=round(duration * 1000),
                ok=error is None,
                error=(str(error) if error else "")[:500],
                username=context.current_username() or "",
                request_id=context.current_request_id() or "",
                sandbox=self.config.sandbox,
            )
        except Exception:  # a failed call log must never hide the call's own outcome
            log.exception("could not record provider call")


def _path_only(path: str) -> str:
    return path.split("?", 1)[0]


def _error_fields(error: ProviderError) -> dict[str, Any]:
    return {
        "error": str(error),
        "code": error.code,
        "provider_message": (error.provider_message or "")[:300] or None,
    }


def _error_text(error: ProviderError) -> str:
    """The sentence the user read, with the provider's own code and message when it does not
    already carry them: an alert's text line says what the provider answered."""
    text = str(error)
    if error.code is not None and f"code {error.code}" not in text:
        text += f" (code {error.code})"
    if error.provider_message and error.provider_message not in text:
        text += f" (provider said: {error.provider_message[:300]!r})"
    return text


def json_dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
