"""Dialog Insight's OFC4 web services, as the contract describes them
(docs/providers/dialog_insight.md; provider docs: https://app.dialoginsight.com/fe/webservices/about).
What no public page documents is in the marked UNPUBLISHED section at the end.

Every call is `POST {base}/webservices/ofc4/{service}.ashx?method={Method}` with the AuthKey and
the project id in the JSON body, and every answer is an HTTP 200 envelope whose `Success: false`
is an error. Reads are POSTs too, so they are marked idempotent (safe to retry); writes never are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import requests
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts import nomenclature
from dashboard.capabilities import PartlyPublished, Unavailable, Unpublished
from dashboard.providers import ProviderClient, ProviderError, int_or_none

MERGE_BATCH_SIZE = 100
# An envelope error by which Dialog Insight refuses a method (see `refuses_method`).
_METHOD_REFUSED = re.compile(
    r"unknown\s*method|method\s*not\s*found|invalid\s*method|not\s*supported|unsupported"
    r"|not\s*implemented",
    re.IGNORECASE,
)
F = TypeVar("F", bound=Callable[..., Any])


# --- What the client returns --------------------------------------------------------------
@dataclass(frozen=True)
class ProjectField:
    code: str
    label: str
    data_type: str  # nomenclature.TEXT | NUMBER | DATE | BOOLEAN
    required: bool = False


@dataclass(frozen=True)
class OptinField:
    code: str
    label: str


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    fields: list[ProjectField] = field(default_factory=list)
    optins: list[OptinField] = field(default_factory=list)


@dataclass(frozen=True)
class Contact:
    id: int
    values: dict[str, Any]  # code → provider value (strings as the provider sends them)
    optins: dict[str, bool]
    optin_dates: dict[str, str]

    @property
    def key(self) -> str:
        return str(self.values.get(nomenclature.PROJECT_KEY_CODE) or "")


@dataclass(frozen=True)
class MergeRecord:
    """What the provider did with one record of a Contacts.Merge."""

    key: str
    contact_id: int | None
    status: str  # Created | Updated | Skipped | Error …
    validation: str  # OK, or the provider's reason
    message: str

    @property
    def ok(self) -> bool:
        return self.validation.upper() == "OK" and self.status.lower() in {"created", "updated"}


@dataclass(frozen=True)
class MergeResult:
    """Every record of a Contacts.Merge, in the order sent. The counts are the records' own
    statuses, not the answer's CreatedRecords and UpdatedRecords, which a reply may leave out."""

    records: list[MergeRecord]

    @property
    def created(self) -> int:
        return sum(r.ok and r.status.lower() == "created" for r in self.records)

    @property
    def updated(self) -> int:
        return sum(r.ok and r.status.lower() == "updated" for r in self.records)

    @property
    def rejected(self) -> list[MergeRecord]:
        return [r for r in self.records if not r.ok]


@dataclass(frozen=True)
class Segment:
    id: int
    name: str
    is_dynamic: bool
    clause: dict[str, Any] | None = None


@dataclass(frozen=True)
class Statistics:
    mailing_id: int
    sent: int
    delivered: int
    opens: int
    unique_opens: int
    clicks: int
    unique_clicks: int
    bounces: int
    unsubscribes: int


@dataclass(frozen=True)
class HistoryEntry:
    mailing_id: int
    message_id: int
    message_name: str
    sent_at: dt.datetime | None
    opened: bool
    clicked: bool


@dataclass(frozen=True)
class Message:
    id: int
    name: str
    subject: str
    sender: str
    parameters: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Mailing:
    id: int
    message_id: int
    message_name: str
    mode: str  # All | idFilters | Single
    segment_ids: list[int]  # the provider's idFilters
    launch_at: dt.datetime | None
    status: str  # Scheduled | Sending | Sent | Cancelled
    target_count: int
    created_at: dt.datetime | None


def _label(item: dict[str, Any]) -> str:
    """The English label when the project has several languages, else the first one, else
    the code."""
    labels = [x for x in item.get("Labels") or [] if isinstance(x, dict) and x.get("Value")]
    for label in labels:
        if str(label.get("Language", "")).lower().startswith("en"):
            return str(label["Value"])
    return str(labels[0]["Value"]) if labels else str(item.get("Code", ""))


def _reads(what: str) -> Callable[[F], F]:
    """The method reads its answer in `ProviderClient.reading(what)`: one that lacks what the
    contract promises (a record that is not an object, a field without its code) is a
    `ProviderError` the page can show."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: DialogInsightClient, *args: Any, **kwargs: Any) -> Any:
            with self.reading(what):
                return method(self, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _padded(records: Any, size: int) -> list[dict[str, Any]]:
    """A Merge answer's records, one per record sent: a missing one reads as unknown."""
    records = [r if isinstance(r, dict) else {} for r in records or []][:size]
    return records + [{}] * (size - len(records))


def _int(value: Any) -> int:
    """A number Dialog Insight may leave out, as 0 (one the contract promises is read with
    `required_int`)."""
    return int_or_none(value) or 0


class DialogInsightClient(PartlyPublished, ProviderClient):
    provider = "dialoginsight"
    # Dialog Insight documents a call quota per key but no rate; its guidance is to avoid
    # intensive call loops. Bulk syncs are the bursty caller (100 contacts per call, so 2,000
    # contacts/s at most); an interactive page makes 2-3 calls and never waits on this.
    rate_per_second = 20

    def prepare(self, credentials: dict[str, str]) -> None:
        # The AuthKey and the project id travel in the body of every call (see `call`).
        self.project_id = _int(credentials.get("project_id"))
        self._auth = {"idKey": _int(credentials.get("key_id")), "Key": credentials.get("key", "")}

    # --- transport: the OFC4 envelope ---------------------------------------------------
    def error_from(self, response: requests.Response, body: Any) -> ProviderError | None:
        if not response.ok:
            code = message = None
            if isinstance(body, dict):
                code, message = body.get("ErrorCode"), body.get("ErrorMessage")
            return self.http_error(response, code=code, provider_message=message)
        if not isinstance(body, dict) or "Success" not in body:
            return ProviderError(
                gettext("%(provider)s answered without its usual envelope. Nothing was confirmed.")
                % {"provider": self.display_name},
                provider=self.provider,
                status=response.status_code,
            )
        if body.get("Success") is True:
            return None
        code, message = body.get("ErrorCode"), body.get("ErrorMessage")
        said = message or gettext("the call failed")
        text = f"{self.display_name}: {said}"
        if code:
            text += f" (code {code})"
        return ProviderError(
            text,
            provider=self.provider,
            status=response.status_code,
            code=code,
            provider_message=message,
            details=body,
        )

    def call(
        self,
        service: str,
        method: str,
        payload: dict[str, Any] | None = None,
        *,
        idempotent: bool,
        project: bool = True,
    ) -> dict[str, Any]:
        """One OFC4 call: AuthKey first, then idProject, then the method's own fields."""
        body: dict[str, Any] = {"AuthKey": self._auth}
        if project:
            body["idProject"] = self.project_id
        body.update(payload or {})
        _, answer = self.request(
            "POST",
            f"webservices/ofc4/{service}.ashx?method={method}",
            json=body,
            idempotent=idempotent,
        )
        return answer

    # --- Projects (documented: Projects.List / Projects.Get) ------------------------------
    @_reads(_("a project list"))
    def project_list(self) -> list[tuple[int, str]]:
        """Projects.List: also the cheapest credential check."""
        body = self.call("projects", "List", idempotent=True, project=False)
        return [
            (
                self.required_int(r, "idProject", what=_("a project"), write=False),
                r.get("ProjectName", ""),
            )
            for r in body["Records"]
        ]

    @_reads(_("a project definition"))
    def project_get(self) -> Project:
        """Projects.Get: the project's fields (`ProjectFields`) and opt-ins (`OptinFields`)."""
        body = self.call("projects", "Get", idempotent=True)
        info = body.get("ProjectInfo") or {}
        return Project(
            id=_int(info.get("idProject")) or self.project_id,
            name=info.get("ProjectName") or info.get("Name") or "",
            fields=[
                ProjectField(
                    code=f["Code"],
                    label=_label(f),
                    data_type=nomenclature.data_type(f.get("DataType")),
                    required=bool(f.get("isRequired")),
                )
                for f in info.get("ProjectFields") or []
            ],
            optins=[
                OptinField(code=o["Code"], label=_label(o)) for o in info.get("OptinFields") or []
            ],
        )

    # --- Contacts (documented: Merge, Get, Delete) ----------------------------------------
    @_reads(_("a merge result"))
    def contact_merge(
        self,
        records: list[tuple[str, dict[str, str]]],
        *,
        allow_insert: bool = True,
        allow_update: bool = True,
        skip_duplicates: bool = False,
        batch_size: int = MERGE_BATCH_SIZE,
    ) -> MergeResult:
        """Contacts.Merge: create or update by project key, `batch_size` records per call.

        `records` are `(key value, {provider name: value})`, names built with `nomenclature`.
        Per-record rejections come back in `MergeResult.records` while the call succeeds.
        A failure part-way raises, with the batches already merged in `error.details`.
        """
        results: list[MergeRecord] = []
        for start in range(0, len(records), batch_size):
            chunk = records[start : start + batch_size]
            payload = {
                "Records": [
                    {"ID": {nomenclature.key_name(): key}, "Data": data} for key, data in chunk
                ],
                "MergeOptions": {
                    "AllowInsert": allow_insert,
                    "AllowUpdate": allow_update,
                    "SkipDuplicateRecords": skip_duplicates,
                    "SkipUnmatchedRecords": False,
                    "ReturnRecordsOnSuccess": False,
                    "ReturnRecordsOnError": False,
                    "FieldOptions": None,
                },
            }
            try:
                body = self.call("contacts", "Merge", payload, idempotent=False)
                answered = _padded(body.get("Records"), len(chunk))
                merged = [
                    self._merge_record(key, record)
                    for (key, _), record in zip(chunk, answered, strict=True)
                ]
            except ProviderError as error:
                error.details = {
                    "merged": MergeResult(results),
                    "body": error.details,
                }
                raise
            results += merged
        return MergeResult(results)

    def _merge_record(self, key: str, record: dict[str, Any]) -> MergeRecord:
        """One record of a Merge answer. A record merged without its `IdRecord` is an error:
        Switchboard would otherwise link to, and remember, a contact it cannot name."""
        merged = MergeRecord(
            key=str((record.get("ID") or {}).get(nomenclature.key_name(), key)),
            contact_id=_int(record.get("IdRecord")) or None,  # a rejected record may have one
            status=str(record.get("Status") or "Unknown"),
            validation=str(record.get("ValidationResult") or "Unknown"),
            message=str(record.get("Message") or ""),
        )
        if merged.ok:
            what = gettext("the contact %(key)s") % {"key": merged.key}
            return dataclasses.replace(
                merged, contact_id=self.required_int(record, "IdRecord", what=what)
            )
        return merged

    def contact_search(
        self, clause: dict[str, Any] | None = None, *, max_rows: int = 50
    ) -> list[Contact]:
        """Contacts.Get with a field clause and MaxRows (Equal is documented; Contains,
        StartsWith, And/Or, MaxRows and the comparisons of numbers and dates are inferred)."""
        with self._comparing(clause):
            return self._contact_records({"Clause": clause} if clause else {}, max_rows=max_rows)

    @_reads(_("a contact list"))
    def _contact_records(self, selection: dict[str, Any], *, max_rows: int) -> list[Contact]:
        body = self.call("contacts", "Get", {"MaxRows": max_rows, **selection}, idempotent=True)
        return [self._contact(r) for r in body.get("Records") or []]

    def contact_delete(self, clause: dict[str, Any], *, max_rows: int = 1) -> int:
        """Contacts.Delete: erases the contacts (and their history); returns how many."""
        body = self.call(
            "contacts", "Delete", {"Clause": clause, "MaxRows": max_rows}, idempotent=False
        )
        return self.required_int(body, "DeletedRecords", what=_("the deletion"), minimum=0)

    def _contact(self, record: dict[str, Any]) -> Contact:
        values: dict[str, Any] = {}
        optins: dict[str, bool] = {}
        dates: dict[str, str] = {}
        for name, value in record.items():
            kind, code = nomenclature.parse_name(name)
            if kind == "field":
                values[code] = value
            elif kind == "optin":
                if code.endswith("_dtModified"):
                    dates[code.removesuffix("_dtModified")] = value or ""
                else:
                    optins[code] = nomenclature.is_subscribed(value)
        return Contact(
            id=self.required_int(record, nomenclature.ID_FIELD, what=_("a contact"), write=False),
            values=values,
            optins=optins,
            optin_dates=dates,
        )

    # --- Messages and sendings (documented, partly) ---------------------------------------
    def message_create(self, *, name: str, subject: str, sender: str, html: str) -> int:
        """Messages.Create with one HTML version; returns idMessage."""
        body = self.call(
            "messages",
            "Create",
            {
                "Message": {
                    "Name": name,
                    "Versions": [{"Subject": subject, "SenderEmail": sender, "HtmlBody": html}],
                }
            },
            idempotent=False,
        )
        return self.required_int(body, "idMessage", what=_("the message"))

    def mailing_send(
        self, *, message_id: int, segment_ids: list[int] | None, launch_at: dt.datetime | None
    ) -> int:
        """Sendings.SendBatch to everyone (`segment_ids` None) or to segments, now or at
        `launch_at` (an aware instant, sent as a wall time in `DIALOG_INSIGHT_TIME_ZONE`).
        Returns the batch id."""
        contact_filter: dict[str, Any] = (
            {"Mode": "idFilters", "idFilters": list(segment_ids)}
            if segment_ids
            else {"Mode": "All"}
        )
        options: dict[str, Any] = {"isDelayed": launch_at is not None}
        if launch_at is not None:
            options["dtLaunch"] = nomenclature.to_provider_datetime(launch_at)
        body = self.call(
            "sendings",
            "SendBatch",
            {"idMessage": message_id, "contactFilter": contact_filter, "sendBatchOptions": options},
            idempotent=False,
        )
        return self.required_int(body, "idBatch", what=_("the sending"))

    def message_send_one(
        self, *, message_id: int, contact_id: int, parameters: dict[str, str] | None = None
    ) -> int:
        """Sendings.SendSingle2: one message to one contact with parameter values."""
        body = self.call(
            "sendings",
            "SendSingle2",
            {
                "idMessage": message_id,
                "ContactFilter": {"Mode": "Single", "idContact": contact_id},
                "SendSingleOptions": {
                    "MessageParameterValues": [
                        {"Name": k, "Value": v} for k, v in (parameters or {}).items()
                    ]
                },
            },
            idempotent=False,
        )
        return self.required_int(body, "idBatch", what=_("the sending"))

    @_reads(_("a mailing list"))
    def mailing_list(self) -> list[Mailing]:
        """Sendings.GetBatches: every mailing of the project."""
        body = self.call("sendings", "GetBatches", idempotent=True)
        return [
            Mailing(
                id=self.required_int(r, "idBatch", what=_("a mailing"), write=False),
                message_id=_int(r.get("idMessage")),
                message_name=r.get("MessageName") or "",
                mode=(r.get("ContactFilter") or {}).get("Mode", "All"),
                segment_ids=[
                    _int(i) for i in (r.get("ContactFilter") or {}).get("idFilters") or []
                ],
                launch_at=nomenclature.from_provider_datetime(r.get("dtLaunch")),
                status=r.get("Status") or "",
                target_count=_int(r.get("TargetCount")),
                created_at=nomenclature.from_provider_datetime(r.get("dtCreated")),
            )
            for r in body.get("Records") or []
        ]

    def _message(self, r: dict[str, Any]) -> Message:
        version = (r.get("Versions") or [{}])[0]
        return Message(
            id=self.required_int(r, "idMessage", what=_("a message"), write=False),
            name=r.get("Name") or "",
            subject=version.get("Subject") or r.get("Subject") or "",
            sender=version.get("SenderEmail") or r.get("SenderEmail") or "",
            parameters=[str(p) for p in r.get("Parameters") or []],
        )

    # ======================================================================================
    # UNPUBLISHED — what Dialog Insight does not document publicly.
    # Its overview lists these capabilities (segments, statistics, history…) without naming
    # their methods, and documents Contacts.Get with a field clause only. The names below are
    # the ones Switchboard's sandbox answers, in the same envelope: replace them here, and
    # only here, when the provider's are known. Each is called inside
    # `self.unpublished(name)`: an account that refuses one loses that feature alone, and
    # Switchboard asks again after a while (dashboard/capabilities.py). The contract, in
    # Switchboard's words: docs/providers/dialog_insight.md.
    # ======================================================================================
    UNPUBLISHED: ClassVar[dict[str, Unpublished]] = {
        c.name: c
        for c in (
            Unpublished(
                "dialoginsight",
                "contact_by_id",
                _("Opening a contact by its id"),
                "Contacts.Get with a clause on idContact",
                alternative=_("Contacts.Get with a clause on the project key (documented)"),
                refusals=("invalidclause", "unknownfield", "unknown field", "invalid field"),
            ),
            Unpublished(
                "dialoginsight",
                "contact_history_get",
                _("Reading a contact's mailing history"),
                "Contacts.GetHistory",
            ),
            Unpublished(
                "dialoginsight",
                "contact_count",
                _("Counting contacts"),
                "Contacts.Count",
                alternative=_("none: Contacts.Get returns records (at most MaxRows), not a count"),
            ),
            Unpublished("dialoginsight", "segment_list", _("Listing segments"), "Filters.List"),
            Unpublished("dialoginsight", "segment_save", _("Saving segments"), "Filters.Merge"),
            Unpublished(
                "dialoginsight",
                "segment_contact_list",
                _("Listing a segment's contacts"),
                "Contacts.Get with idFilter",
                alternative=_("Contacts.Get with the dynamic segment's own clause (documented)"),
                refusals=("clause required",),
            ),
            Unpublished(
                "dialoginsight",
                "message_list",
                _("Listing messages"),
                "Messages.List",
                alternative=_(
                    "none: a message created in Switchboard is kept from the idMessage "
                    "Messages.Create answers"
                ),
            ),
            Unpublished(
                "dialoginsight",
                "mailing_statistics_get",
                _("Reading a mailing's statistics"),
                "Sendings.GetStatistics",
            ),
            Unpublished(
                "dialoginsight",
                "clause_comparison",
                _("Comparing numbers and dates in a condition"),
                "TypeOperator GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual",
                alternative=_("Equal (documented): a number or a date that is exactly the value"),
                refusals=("unknown operator", "invalid operator", "unsupported operator"),
            ),
        )
    }
    SEGMENTS_LIST = ("filters", "List")
    SEGMENT_MERGE = ("filters", "Merge")
    STATISTICS = ("sendings", "GetStatistics")
    HISTORY = ("contacts", "GetHistory")
    COUNT = ("contacts", "Count")
    MESSAGES_LIST = ("messages", "List")

    def _comparing(self, clause: dict[str, Any] | None) -> AbstractContextManager[None]:
        """A call whose clause compares numbers or dates is made as the unpublished capability
        "clause_comparison" (outside the method's own, which tells a refused method apart)."""
        if nomenclature.clause_compares(clause):
            return self.unpublished("clause_comparison")
        return nullcontext()

    def refuses_method(self, error: ProviderError) -> bool:
        # Dialog Insight publishes no error codes: besides an HTTP error, an envelope error
        # naming an unknown or unsupported method (the sandbox's is "UnknownMethod").
        said = f"{error.code or ''} {error.provider_message or ''}"
        return super().refuses_method(error) or bool(_METHOD_REFUSED.search(said))

    def contact_get(self, contact_id: int, *, key: str = "") -> Contact | None:
        """The contact `contact_id`. Asking by id is not documented: when this account refuses
        it, the contact is found by its project `key` (documented), if the caller knows it."""
        try:
            with self.unpublished("contact_by_id"):
                found = self.contact_search(nomenclature.id_clause(contact_id), max_rows=1)
        except Unavailable:
            if not key:
                raise
            clause = nomenclature.field_clause(nomenclature.PROJECT_KEY_CODE, "Equal", key)
            found = [c for c in self.contact_search(clause, max_rows=1) if c.id == contact_id]
        return found[0] if found else None

    def contact_count(
        self, clause: dict[str, Any] | None = None, *, segment_id: int | None = None
    ) -> int:
        """How many contacts a clause or segment holds (everyone without either)."""
        payload: dict[str, Any] = {}
        if clause:
            payload["Clause"] = clause
        if segment_id is not None:
            payload["idFilter"] = segment_id
        with self._comparing(clause), self.unpublished("contact_count"):
            body = self.call(*self.COUNT, payload, idempotent=True)
        return self.required_int(body, "Count", what=_("a contact count"), write=False, minimum=0)

    @_reads(_("a segment list"))
    def segment_list(self) -> list[Segment]:
        with self.unpublished("segment_list"):
            body = self.call(*self.SEGMENTS_LIST, idempotent=True)
        return [
            Segment(
                id=self.required_int(r, "idFilter", what=_("a segment"), write=False),
                name=r.get("Name") or "",
                is_dynamic=bool(r.get("isDynamic")),
                clause=r.get("Clause"),
            )
            for r in body.get("Records") or []
        ]

    def segment_merge(self, *, name: str, clause: dict[str, Any], segment_id: int | None) -> int:
        """Create (no id) or update a dynamic segment; returns idFilter."""
        payload: dict[str, Any] = {"Filter": {"Name": name, "isDynamic": True, "Clause": clause}}
        if segment_id:
            payload["Filter"]["idFilter"] = segment_id
        with self._comparing(clause), self.unpublished("segment_save"):
            body = self.call(*self.SEGMENT_MERGE, payload, idempotent=False)
        return self.required_int(body, "idFilter", what=_("the segment"))

    def segment_contact_list(
        self, segment_id: int, *, clause: dict[str, Any] | None = None, max_rows: int = 50
    ) -> list[Contact]:
        """A segment's members. When this account refuses `idFilter`, a dynamic segment's own
        `clause` finds the same contacts with the documented Contacts.Get."""
        try:
            with self.unpublished("segment_contact_list"):
                return self._contact_records({"idFilter": segment_id}, max_rows=max_rows)
        except Unavailable:
            if not clause:
                raise
            return self.contact_search(clause, max_rows=max_rows)

    @_reads(_("a message list"))
    def message_list(self) -> list[Message]:
        with self.unpublished("message_list"):
            body = self.call(*self.MESSAGES_LIST, idempotent=True)
        return [self._message(r) for r in body.get("Records") or []]

    @_reads(_("statistics"))
    def mailing_statistics_get(self, mailing_id: int) -> Statistics:
        with self.unpublished("mailing_statistics_get"):
            body = self.call(*self.STATISTICS, {"idBatch": mailing_id}, idempotent=True)
        # Every count is one the reply promises: one left out is refused, never shown as 0.
        s = body.get("Statistics")
        what = _("a statistics reply")

        def count(key: str) -> int:
            return self.required_int(s, key, what=what, write=False, minimum=0)

        return Statistics(
            mailing_id=mailing_id,
            sent=count("Sent"),
            delivered=count("Delivered"),
            opens=count("Opens"),
            unique_opens=count("UniqueOpens"),
            clicks=count("Clicks"),
            unique_clicks=count("UniqueClicks"),
            bounces=count("Bounces"),
            unsubscribes=count("Unsubscribes"),
        )

    @_reads(_("a contact history"))
    def contact_history_get(self, contact_id: int) -> list[HistoryEntry]:
        with self.unpublished("contact_history_get"):
            body = self.call(*self.HISTORY, {"idContact": contact_id}, idempotent=True)
        # Whether the contact opened or clicked is what the panel is for: an entry that does
        # not say is refused, not shown as "No".
        what = _("a mailing history entry")
        return [
            HistoryEntry(
                mailing_id=self.required_int(r, "idBatch", what=what, write=False),
                message_id=_int(r.get("idMessage")),
                message_name=r.get("MessageName") or "",
                sent_at=nomenclature.from_provider_datetime(r.get("dtSent")),
                opened=self.required_flag(r, "Opened", what=what),
                clicked=self.required_flag(r, "Clicked", what=what),
            )
            for r in body.get("Records") or []
        ]
