"""CCAI Platform's outbound dialer API, as Switchboard uses it.

Follows docs/providers/ccai_dialer.md (Google Cloud CCAI Platform, "Campaign endpoints" of the
apps API, https://cloud.google.com/contact-center/ccai-platform/docs/apps-api-campaign;
campaigns from the manager API). Basic auth with the company's API credential,
at most 10 calls a second, errors as `{"message": …}`. Every answer is read tolerantly: keys the
provider adds later are ignored, documented optional keys may be missing; an id the contract
promises is required (`ProviderClient.required_int`).
"""

from __future__ import annotations

import json
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, BinaryIO, TypeVar

import requests
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from dashboard.providers import ProviderClient, ProviderError, int_or_none
from dashboard.uploads import UploadError, json_array_items

MANAGER = "/manager/api/v1/outbound_dialer"
APPS = "/apps/api/v1/outbound_dialer"
_JOB_IN_LOCATION = re.compile(r"/jobs/([^/?#]+)")
T = TypeVar("T")


def _dt(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return "" if value is None else str(value)


# How a field is read by its annotation (as written: this module postpones annotations): text
# ("" when missing), a whole number or an instant (None when missing or not one).
_READERS = {"str": _str, "int | None": int_or_none, "datetime | None": _dt}


def _from_api(cls: type[T], data: dict[str, Any], **given: Any) -> T:
    """The dataclass `cls` with the values `given`, every other field read from the key of its
    own name by its type (`_READERS`)."""
    read = {f.name: _READERS[f.type](data.get(f.name)) for f in fields(cls) if f.name not in given}
    return cls(**given, **read)


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    campaign_type: str = ""
    mode: str = ""
    status: str = ""
    max_redial_count: int | None = None
    redial_interval_minutes: int | None = None
    max_abandonment_percent: float | None = None
    target_number_to_process: int | None = None
    queue_name: str = ""
    contact_stats: dict[str, int] = field(default_factory=dict)
    created_at: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Campaign:
        queue = data.get("queue") if isinstance(data.get("queue"), dict) else {}
        stats = data.get("contact_stats") if isinstance(data.get("contact_stats"), dict) else {}
        abandonment = data.get("max_abandonment_percent")
        try:
            abandonment = float(abandonment) if abandonment is not None else None
        except (TypeError, ValueError):
            abandonment = None
        return _from_api(
            cls,
            data,
            id=int(data["id"]),
            max_abandonment_percent=abandonment,
            queue_name=_str(queue.get("name")),
            contact_stats={str(k): v for k, v in stats.items() if int_or_none(v) is not None},
        )


@dataclass(frozen=True)
class Contact:
    id: int | None
    campaign_id: int | None
    name: str = ""
    email: str = ""
    phone_number: str = ""
    outbound_number: str = ""
    external_unique_id: str = ""
    status: str = ""
    priority: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Contact:
        # The contact object documents `user_custom_metadata` with the required columns; the
        # listing example shows them as top-level keys. Read either.
        meta = data.get("user_custom_metadata")
        meta = meta if isinstance(meta, dict) else {}
        return _from_api(
            cls,
            data,
            id=int_or_none(data.get("id") if "id" in data else data.get("contact_id")),
            name=_str(data.get("name") or meta.get("NAME (REQUIRED)")),
            email=_str(data.get("email") or meta.get("EMAIL (REQUIRED)")),
            phone_number=_str(data.get("phone_number") or meta.get("PHONE (REQUIRED)")),
        )


@dataclass(frozen=True)
class ContactInput:
    """What Switchboard sends for one contact (phone already normalised to E.164)."""

    name: str
    phone_number: str
    email: str = ""
    outbound_number: str = ""
    external_unique_id: str = ""

    def payload(self) -> dict[str, str]:
        data = {"name": self.name, "phone_number": self.phone_number, "email": self.email}
        if self.outbound_number:
            data["outbound_number"] = self.outbound_number
        if self.external_unique_id:
            data["external_unique_id"] = self.external_unique_id
        return data


@dataclass(frozen=True)
class InvalidContact:
    contact: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class AddResult:
    valid: list[dict[str, Any]]
    invalid: list[InvalidContact]


@dataclass(frozen=True)
class ImportJob:
    id: str
    status: str  # in_progress | completed | failed
    type: str = ""
    error_message: str = ""
    error_details: str = ""

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> ImportJob:
        return _from_api(cls, data)

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "failed")


def _invalid_reason(item: dict[str, Any]) -> str:
    # The shape of an invalid contact is not documented; take the first explanation we find.
    for key in ("errors", "error", "message", "reason", "error_message"):
        value = item.get(key)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value if v)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        if value:
            return str(value)
    return gettext("the contact was refused without a reason")


class CCAIClient(ProviderClient):
    provider = "ccai"
    # Documented: 10 requests per second per customer.
    rate_per_second = 10

    def prepare(self, credentials: dict[str, str]) -> None:
        self.session.auth = (credentials.get("username", ""), credentials.get("api_token", ""))

    def error_from(self, response: requests.Response, body: Any) -> ProviderError | None:
        if response.ok:
            return None
        if body is None and response.content:  # a streamed call's body is read only here
            try:
                body = response.json()
            except ValueError:
                body = None
        message = body.get("message") if isinstance(body, dict) else None
        if response.status_code == 404 and not message:
            message = "Resource not found"
        return self.http_error(response, provider_message=message, details=body)

    def _expect(self, body: Any, kind: type, what: str | Promise) -> Any:
        """`body` if it is a `kind`; `what` says what it was the answer for ("the campaign")."""
        if not isinstance(body, kind):
            raise ProviderError(
                gettext("%(provider)s sent an unexpected answer for %(what)s.")
                % {"provider": self.display_name, "what": what},
                provider=self.provider,
            )
        return body

    # --- Campaigns (manager API) ----------------------------------------------------------
    def campaign_list(self) -> list[Campaign]:
        """GET /manager/api/v1/outbound_dialer/campaigns (contract: "Campaign")."""
        _, body = self.request("GET", f"{MANAGER}/campaigns")
        if isinstance(body, dict):  # tolerate a wrapped list
            body = body.get("campaigns") or body.get("data") or []
        items = self._expect(body, list, gettext_lazy("the campaign list"))
        # A campaign Switchboard cannot identify makes the listing incomplete: the sync would
        # otherwise remove that campaign (and its contacts) from the mirror.
        for item in items:
            self.required_int(item, "id", what=gettext("a campaign"), write=False)
        return [Campaign.from_api(c) for c in items]

    def campaign_get(self, campaign_id: int) -> Campaign:
        """GET /manager/api/v1/outbound_dialer/campaigns/{id} (contract: "Campaign")."""
        _, body = self.request("GET", f"{MANAGER}/campaigns/{campaign_id}")
        body = self._expect(body, dict, gettext_lazy("the campaign"))
        # e.g. a 200 carrying only {"message": …}
        self.required_int(body, "id", what=gettext("the campaign"), write=False)
        return Campaign.from_api(body)

    # --- Contacts (apps API) ----------------------------------------------------------------
    def contact_add(self, campaign_id: int, contact: ContactInput) -> AddResult:
        """POST /apps/api/v1/outbound_dialer/campaigns/{id}/contacts ("add one"). An invalid
        contact comes back in `invalid_contacts` with HTTP 200: the caller must look."""
        _, body = self.request(
            "POST", f"{APPS}/campaigns/{campaign_id}/contacts", json=contact.payload()
        )
        body = self._expect(body, dict, gettext_lazy("the new contact"))
        valid = [c for c in _list(body.get("valid_contacts")) if isinstance(c, dict)]
        invalid = [
            InvalidContact(contact=c, reason=_invalid_reason(c))
            for c in _list(body.get("invalid_contacts"))
            if isinstance(c, dict)
        ]
        return AddResult(valid=valid, invalid=invalid)

    def contact_list(self, campaign_id: int) -> list[Contact]:
        """GET /apps/api/v1/outbound_dialer/campaigns/{id}/contacts ("list"; no paging)."""
        _, body = self.request("GET", f"{APPS}/campaigns/{campaign_id}/contacts")
        if isinstance(body, dict):
            body = body.get("contacts") or body.get("data") or []
        items = self._expect(body, list, gettext_lazy("the contact list"))
        return [self._listed_contact(c) for c in items if isinstance(c, dict)]

    def contact_iter(self, campaign_id: int) -> Iterator[Contact]:
        """The same listing, parsed as it arrives: a campaign of 200,000 contacts is never
        held in memory as one JSON document."""
        response, _ = self.request(
            "GET", f"{APPS}/campaigns/{campaign_id}/contacts", expect_json=False, stream=True
        )
        response.raw.decode_content = True
        try:
            for _, item in json_array_items(response.raw):
                if isinstance(item, dict):
                    yield self._listed_contact(item)
        except (UploadError, UnicodeDecodeError) as error:
            raise ProviderError(
                gettext("%(provider)s sent a contact list Switchboard cannot read (%(error)s).")
                % {"provider": self.display_name, "error": error},
                provider=self.provider,
                status=response.status_code,
            ) from None
        except requests.RequestException as error:
            raise ProviderError(
                gettext("%(provider)s stopped sending the contact list halfway (%(error)s).")
                % {"provider": self.display_name, "error": error},
                provider=self.provider,
            ) from None
        finally:
            response.close()

    def _listed_contact(self, item: dict[str, Any]) -> Contact:
        """A contact of a listing, which names each by its `id`: one without it would be
        taken for a contact that left the campaign, and removed from the mirror."""
        key = "contact_id" if "contact_id" in item and "id" not in item else "id"
        what = gettext("a contact")
        self.required_int(item, key, what=what, write=False)
        # Its status is what the board counts it by: one without would count in the board's
        # total and in none of its 21 statuses.
        self.required_text(item, "status", what=what)
        return Contact.from_api(item)

    def import_job_create(
        self,
        campaign_id: int,
        contacts: Iterable[ContactInput],
        *,
        on_progress: Callable[[], None] | None = None,
    ) -> str:
        """POST …/contacts/import ("import many"): the contacts as a JSON file in the multipart
        field `file`; returns the job id. The body is written to a temporary file and streamed
        from disk so that 100,000 contacts are never held in memory; `on_progress` is called
        every few seconds while it goes out (the caller's sign of life). Never retried: a
        second send would import twice (the provider would then fail the job on
        duplicates)."""
        boundary = uuid.uuid4().hex
        with tempfile.TemporaryFile() as body_file:
            _write_multipart(body_file, boundary, contacts)
            size = body_file.tell()
            body_file.seek(0)
            response, body = self.request(
                "POST",
                f"{APPS}/campaigns/{campaign_id}/contacts/import",
                data=_Reporting(body_file, on_progress) if on_progress else body_file,
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(size),
                },
                idempotent=False,
            )
        job_id = None
        if isinstance(body, dict):
            job_id = body.get("job_id") or body.get("id")
        if not job_id:
            match = _JOB_IN_LOCATION.search(response.headers.get("Location", ""))
            job_id = match.group(1) if match else None
        if not job_id:
            raise ProviderError(
                gettext(
                    "%(provider)s accepted the import but did not say which job runs it; "
                    "check the campaign's contacts before importing again."
                )
                % {"provider": self.display_name},
                provider=self.provider,
                status=response.status_code,
            )
        return str(job_id)

    def import_job_get(self, campaign_id: int, job_id: str) -> ImportJob:
        """GET …/contacts/jobs/{job_id} ("job")."""
        _, body = self.request("GET", f"{APPS}/campaigns/{campaign_id}/contacts/jobs/{job_id}")
        return ImportJob.from_api(self._expect(body, dict, gettext_lazy("the import job")))

    def contact_update(
        self,
        campaign_id: int,
        contact_id: int,
        *,
        name: str,
        email: str,
        phone_number: str,
        external_unique_id: str = "",
    ) -> Contact:
        """PATCH …/campaigns/{id}/contact (singular; "edit one"). The body sets every field,
        so sending it twice is harmless: retried like a read."""
        payload = {
            "contact_id": contact_id,
            "name": name,
            "email": email,
            "phone_number": phone_number,
            "external_unique_id": external_unique_id,
        }
        _, body = self.request(
            "PATCH", f"{APPS}/campaigns/{campaign_id}/contact", json=payload, idempotent=True
        )
        return Contact.from_api(self._expect(body, dict, gettext_lazy("the edited contact")))

    def contact_delete(
        self,
        campaign_id: int,
        *,
        contact_id: int | None = None,
        phone_number: str | None = None,
        external_unique_id: str | None = None,
    ) -> Contact:
        """DELETE …/campaigns/{id}/contact (singular; "delete one") by exactly one key."""
        keys = {
            "contact_id": contact_id,
            "phone_number": phone_number,
            "external_unique_id": external_unique_id,
        }
        payload = {k: v for k, v in keys.items() if v not in (None, "")}
        if len(payload) != 1:
            raise ValueError("Delete a contact by exactly one of id, phone or external id.")
        _, body = self.request("DELETE", f"{APPS}/campaigns/{campaign_id}/contact", json=payload)
        return Contact.from_api(self._expect(body, dict, gettext_lazy("the deleted contact")))


class _Reporting:
    """A file being sent, calling `report` every few seconds while it is read."""

    EVERY = 5.0

    def __init__(self, file: BinaryIO, report: Callable[[], None]) -> None:
        self._file, self._report = file, report
        self._last = time.monotonic()

    def read(self, size: int = -1) -> bytes:
        if time.monotonic() - self._last >= self.EVERY:
            self._report()
            self._last = time.monotonic()
        return self._file.read(size)

    def __getattr__(self, name: str) -> Any:  # fileno, tell, seek: the file's own
        return getattr(self._file, name)


# One encoder for every contact of an import (json.dumps makes one a call).
_CONTACT_JSON = json.JSONEncoder(ensure_ascii=False)


def _write_multipart(out: BinaryIO, boundary: str, contacts: Iterable[ContactInput]) -> None:
    out.write(
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="contacts.json"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
    )
    out.write(b"[")
    for index, contact in enumerate(contacts):
        if index:
            out.write(b",\n")
        out.write(_CONTACT_JSON.encode(contact.payload()).encode())
    out.write(b"]")
    out.write(f"\r\n--{boundary}--\r\n".encode())
    out.flush()
