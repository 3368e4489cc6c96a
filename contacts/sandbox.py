"""Dialog Insight's emulator: the OFC4 web services at `/sandbox/dialoginsight/webservices/ofc4/
{service}.ashx?method={Method}`, in the provider's envelope (HTTP 200, `Success: false` with
`ErrorCode`/`ErrorMessage` for business errors), checking the AuthKey in the body like the provider.

State lives in the `Sandbox…` models. Segments, statistics, history and contact counts use the
sandbox's own method names (the provider's are not public; see `contacts/client.py`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone

from contacts import fields as nomenclature
from contacts.models import (
    SandboxBatch,
    SandboxContact,
    SandboxDelivery,
    SandboxField,
    SandboxFilter,
    SandboxMessage,
    SandboxProject,
)
from dashboard.sandbox import credentials, json_response, read_json, sandbox_endpoint

MAX_MERGE_RECORDS = 500
MAX_ROWS = 1000
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# The standard project every sandbox starts with: a key, names, a date, a number, opt-ins.
STANDARD_FIELDS: list[tuple[str, str, str, bool]] = [
    ("EMail", "Email", "Text", True),
    ("FirstName", "First name", "Text", False),
    ("LastName", "Last name", "Text", True),
    ("City", "City", "Text", False),
    ("BirthDate", "Birth date", "Date", False),
    ("LoyaltyPoints", "Loyalty points", "Number", False),
]
STANDARD_OPTINS: list[tuple[str, str]] = [
    ("Newsletter", "Newsletter"),
    ("Promotions", "Promotions"),
]


class Failure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _envelope(**data: Any) -> dict[str, Any]:
    return {
        "Success": True,
        "ErrorCode": None,
        "ErrorMessage": None,
        "idRequest": int(time.time() * 1000) % 1_000_000_000,
        **data,
    }


def _now_text(now: dt.datetime | None = None) -> str:
    return nomenclature.to_provider_datetime((now or timezone.now()).astimezone(dt.UTC))


def ensure_project() -> SandboxProject:
    """The sandbox's project (id = the configured project id), with the standard definition."""
    project_id = int(credentials("dialoginsight")["project_id"])
    project, created = SandboxProject.objects.get_or_create(
        pk=project_id, defaults={"name": "Switchboard demo project", "key_code": "EMail"}
    )
    if created or not project.fields.exists():
        position = 0
        for code, label, data_type, required in STANDARD_FIELDS:
            SandboxField.objects.get_or_create(
                project=project,
                code=code,
                defaults={
                    "label": label,
                    "data_type": data_type,
                    "required": required,
                    "position": position,
                },
            )
            position += 1
        for code, label in STANDARD_OPTINS:
            SandboxField.objects.get_or_create(
                project=project,
                code=code,
                defaults={"label": label, "is_optin": True, "position": position},
            )
            position += 1
    return project


# --- Authentication ---------------------------------------------------------------------
def _authenticate(body: Any, *, project_scoped: bool) -> SandboxProject | None:
    if not isinstance(body, dict):
        raise Failure("InvalidRequest", "The request body must be a JSON object.")
    auth = body.get("AuthKey")
    expected = credentials("dialoginsight")
    if (
        not isinstance(auth, dict)
        or str(auth.get("idKey")) != str(expected["key_id"])
        or auth.get("Key") != expected["key"]
    ):
        raise Failure(
            "InvalidAuthKey",
            "Authentication failed: the key is invalid, expired or not allowed from this address.",
        )
    project = ensure_project()
    if project.call_quota is not None:
        counted = SandboxProject.objects.filter(
            pk=project.pk, calls_used__lt=project.call_quota
        ).update(calls_used=F("calls_used") + 1)
        if not counted:
            raise Failure("QuotaExceeded", "The number of calls allowed has been exceeded.")
    if not project_scoped:
        return None
    if str(body.get("idProject")) != str(project.pk):
        raise Failure(
            "ProjectAccessDenied",
            f"The key does not have access to project {body.get('idProject')}.",
        )
    return project


# --- Fields and clauses -------------------------------------------------------------------
def _fields(project: SandboxProject) -> dict[str, SandboxField]:
    return {f.code: f for f in project.fields.all()}


def _clause_q(clause: Any, defs: dict[str, SandboxField], depth: int = 0) -> Q:
    if depth > 5 or not isinstance(clause, dict):
        raise Failure("InvalidClause", "The clause is not a valid clause object.")
    kind = clause.get("$type")
    if kind in {"AndClause", "OrClause"}:
        subs = clause.get("Clauses")
        if not isinstance(subs, list) or not subs:
            raise Failure("InvalidClause", f"{kind} needs a non-empty Clauses list.")
        q = _clause_q(subs[0], defs, depth + 1)
        for sub in subs[1:]:
            other = _clause_q(sub, defs, depth + 1)
            q = (q & other) if kind == "AndClause" else (q | other)
        return q
    if kind != "FieldClause":
        raise Failure("InvalidClause", f"Unknown clause type {kind!r}.")
    name = (clause.get("Field") or {}).get("Name", "")
    operator = clause.get("TypeOperator")
    value = clause.get("ComparisonValue")
    if operator not in nomenclature.OPERATORS:
        raise Failure("InvalidClause", f"Unknown operator {operator!r}.")
    value = "" if value is None else str(value)
    if name == nomenclature.ID_FIELD:
        if operator != "Equal" or not value.isdigit():
            raise Failure("InvalidClause", "idContact supports Equal with a number only.")
        return Q(pk=int(value))
    prefix, code = nomenclature.parse_name(name)
    definition = defs.get(code)
    if definition is None or prefix not in {"field", "optin"}:
        raise Failure("InvalidClause", f"The field {name!r} does not exist in this project.")
    if prefix == "optin" or definition.is_optin:
        return Q(**{f"optins__{code}__v": "1" if nomenclature.is_subscribed(value) else "0"})
    lookup = {"Equal": "iexact", "Contains": "icontains", "StartsWith": "istartswith"}[operator]
    return Q(**{f"data__{code}__{lookup}": value})


def _contacts_matching(
    project: SandboxProject, clause: Any, id_filter: Any
) -> QuerySet[SandboxContact]:
    defs = _fields(project)
    qs = project.contacts.all()
    if clause:
        qs = qs.filter(_clause_q(clause, defs))
    if id_filter not in (None, ""):
        segment = project.filters.filter(pk=_as_int(id_filter)).first()
        if segment is None:
            raise Failure("FilterNotFound", f"Filter {id_filter} does not exist.")
        if segment.clause:
            qs = qs.filter(_clause_q(segment.clause, defs))
    return qs


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Failure("InvalidRequest", f"{value!r} is not a number.") from None


def _record(contact: SandboxContact, defs: dict[str, SandboxField]) -> dict[str, Any]:
    record: dict[str, Any] = {nomenclature.ID_FIELD: contact.pk}
    for code, definition in defs.items():
        if definition.is_optin:
            state = contact.optins.get(code) or {}
            record[nomenclature.optin_name(code)] = state.get("v", "0")
            record[nomenclature.optin_date_name(code)] = state.get("at")
        else:
            record[nomenclature.field_name(code)] = contact.data.get(code)
    return record


def _validate_value(definition: SandboxField, value: Any) -> str | None:
    """None when `value` fits the field, else the provider-style reason."""
    if value is None or value == "":
        return None
    text = str(value)
    if definition.data_type == SandboxField.DataType.NUMBER:
        try:
            if not Decimal(text).is_finite():
                raise InvalidOperation
        except InvalidOperation:
            return f"{definition.label}: '{text}' is not a number."
    is_date = re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", text) and nomenclature.from_provider_date(text)
    if definition.data_type == SandboxField.DataType.DATE and not is_date:
        return f"{definition.label}: '{text}' is not a date in the format YYYY.MM.DD."
    return None


# --- Projects ---------------------------------------------------------------------------
def projects_list(body: dict) -> dict:
    _authenticate(body, project_scoped=False)
    project = ensure_project()
    return _envelope(Records=[{"idProject": project.pk, "ProjectName": project.name}])


def projects_get(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    defs = list(project.fields.all())
    return _envelope(
        ProjectInfo={
            "idProject": project.pk,
            "ProjectName": project.name,
            "ProjectFields": [
                {
                    "Code": f.code,
                    "Labels": [{"Language": "en", "Value": f.label}],
                    "DataType": f.data_type,
                    "isRequired": f.required,
                }
                for f in defs
                if not f.is_optin
            ],
            "OptinFields": [
                {"Code": f.code, "Labels": [{"Language": "en", "Value": f.label}]}
                for f in defs
                if f.is_optin
            ],
        }
    )


# --- Contacts ---------------------------------------------------------------------------
def _merge_one(
    project: SandboxProject,
    defs: dict[str, SandboxField],
    raw: Any,
    options: dict,
    seen: set[str],
    now_text: str,
) -> dict[str, Any]:
    key_name = nomenclature.key_name(project.key_code)
    ident = raw.get("ID") if isinstance(raw, dict) else None
    result = {"IdRecord": None, "Status": "Error", "ID": ident, "Data": None, "Record": None}

    def reject(reason: str, message: str) -> dict[str, Any]:
        return {**result, "ValidationResult": reason, "Message": message}

    key = str((ident or {}).get(key_name) or "").strip()
    if not key:
        return reject("MissingKey", f"The record has no {key_name} to identify the contact.")
    if project.key_code == "EMail" and not EMAIL_RE.match(key):
        return reject("InvalidValue", f"'{key}' is not a valid email address.")
    if key.lower() in seen:
        if options.get("SkipDuplicateRecords"):
            return {**result, "Status": "Skipped", "ValidationResult": "OK", "Message": None}
        return reject("DuplicateRecord", f"The key '{key}' appears more than once in this call.")
    seen.add(key.lower())
    data = raw.get("Data") or {}
    if not isinstance(data, dict):
        return reject("InvalidValue", "Data must be an object of field names and values.")
    values: dict[str, str] = {}
    optins: dict[str, str] = {}
    for name, value in data.items():
        prefix, code = nomenclature.parse_name(name)
        definition = defs.get(code)
        if definition is None or prefix not in {"field", "optin"}:
            return reject("UnknownField", f"The field {name} does not exist in this project.")
        if prefix == "optin":
            if str(value) not in {"0", "1"}:
                return reject("InvalidValue", f"{definition.label}: an opt-in is '1' or '0'.")
            optins[code] = str(value)
            continue
        reason = _validate_value(definition, value)
        if reason:
            return reject("InvalidValue", reason)
        values[code] = "" if value is None else str(value)
    contact = project.contacts.filter(key=key.lower()).first()
    if contact is None and not options.get("AllowInsert", True):
        if options.get("SkipUnmatchedRecords"):
            return {**result, "Status": "Skipped", "ValidationResult": "OK", "Message": None}
        return reject("RecordNotFound", f"No contact has the key '{key}' and inserts are off.")
    if contact is not None and not options.get("AllowUpdate", True):
        return reject("DuplicateRecord", f"A contact with the key '{key}' already exists.")
    merged = {**(contact.data if contact else {}), **values, project.key_code: key}
    for code, definition in defs.items():
        if definition.required and not definition.is_optin and not merged.get(code):
            return reject("MissingRequiredField", f"{definition.label} is required.")
    if contact is None:
        contact = SandboxContact(project=project, key=key.lower(), optins={})
        status = "Created"
    else:
        status = "Updated"
    contact.data = merged
    for code, value in optins.items():
        if (contact.optins.get(code) or {}).get("v") != value:
            contact.optins[code] = {"v": value, "at": now_text}
    contact.save()
    return {
        **result,
        "IdRecord": contact.pk,
        "Status": status,
        "ValidationResult": "OK",
        "Message": None,
        "ID": {key_name: key},
    }


def contacts_merge(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    records = body.get("Records")
    if not isinstance(records, list) or not records:
        raise Failure("InvalidRequest", "Records must be a non-empty list.")
    if len(records) > MAX_MERGE_RECORDS:
        raise Failure(
            "TooManyRecords", f"A merge accepts at most {MAX_MERGE_RECORDS} records per call."
        )
    options = body.get("MergeOptions") or {}
    defs = _fields(project)
    now_text = _now_text()
    seen: set[str] = set()
    results = []
    with transaction.atomic():
        for raw in records:
            results.append(_merge_one(project, defs, raw, options, seen, now_text))
    return _envelope(
        CreatedRecords=sum(r["Status"] == "Created" for r in results),
        UpdatedRecords=sum(r["Status"] == "Updated" for r in results),
        Records=results,
    )


def contacts_get(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    max_rows = min(_as_int(body.get("MaxRows") or 100), MAX_ROWS)
    qs = _contacts_matching(project, body.get("Clause"), body.get("idFilter"))
    defs = _fields(project)
    return _envelope(Records=[_record(c, defs) for c in qs.order_by("pk")[:max_rows]])


def contacts_count(body: dict) -> dict:
    """Sandbox name (see contacts/client.py): how many contacts a clause or segment holds."""
    project = _authenticate(body, project_scoped=True)
    return _envelope(
        Count=_contacts_matching(project, body.get("Clause"), body.get("idFilter")).count()
    )


def contacts_delete(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    if not body.get("Clause"):
        raise Failure("InvalidClause", "Contacts.Delete needs a Clause.")
    max_rows = _as_int(body.get("MaxRows") or 1)
    qs = _contacts_matching(project, body["Clause"], None)
    found = qs.count()
    if found > max_rows:
        raise Failure(
            "TooManyRecords",
            f"The clause matches {found} contacts, more than MaxRows ({max_rows}).",
        )
    deleted = found
    qs.delete()  # the contact's deliveries (its history) go with it, as at the provider
    return _envelope(DeletedRecords=deleted)


def contacts_history(body: dict) -> dict:
    """Sandbox name: a contact's mailing history."""
    project = _authenticate(body, project_scoped=True)
    process_due(project)
    contact = project.contacts.filter(pk=_as_int(body.get("idContact"))).first()
    if contact is None:
        raise Failure("ContactNotFound", f"Contact {body.get('idContact')} does not exist.")
    now = timezone.now()
    rows = contact.history.select_related("batch__message").order_by("-sent_at", "-pk")[:200]
    return _envelope(
        Records=[
            {
                "idBatch": d.batch_id,
                "idMessage": d.batch.message_id,
                "MessageName": d.batch.message.name,
                "dtSent": _now_text(d.sent_at),
                "Delivered": d.delivered,
                "Opened": bool(d.opened_at and d.opened_at <= now),
                "Clicked": bool(d.clicked_at and d.clicked_at <= now),
            }
            for d in rows
        ]
    )


# --- Segments (sandbox names) -------------------------------------------------------------
def filters_list(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    return _envelope(
        Records=[
            {"idFilter": f.pk, "Name": f.name, "isDynamic": f.is_dynamic, "Clause": f.clause}
            for f in project.filters.order_by("pk")
        ]
    )


def filters_merge(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    data = body.get("Filter")
    if not isinstance(data, dict) or not str(data.get("Name") or "").strip():
        raise Failure("InvalidFilter", "A filter needs a Name.")
    clause = data.get("Clause")
    if not clause:
        raise Failure("InvalidFilter", "A dynamic filter needs a Clause.")
    _clause_q(clause, _fields(project))  # rejects unknown fields and operators
    if data.get("idFilter"):
        segment = project.filters.filter(pk=_as_int(data["idFilter"])).first()
        if segment is None:
            raise Failure("FilterNotFound", f"Filter {data['idFilter']} does not exist.")
    else:
        segment = SandboxFilter(project=project)
    segment.name = str(data["Name"]).strip()[:200]
    segment.is_dynamic = True
    segment.clause = clause
    segment.save()
    return _envelope(idFilter=segment.pk)


# --- Messages and sendings ------------------------------------------------------------------
def _message_record(m: SandboxMessage) -> dict[str, Any]:
    return {
        "idMessage": m.pk,
        "Name": m.name,
        "Versions": [{"Subject": m.subject, "SenderEmail": m.sender}],
        "Parameters": m.parameters,
    }


def messages_list(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    return _envelope(Records=[_message_record(m) for m in project.messages.order_by("pk")])


def messages_create(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    message = body.get("Message") or {}
    versions = message.get("Versions") or [{}]
    version = versions[0] if isinstance(versions[0], dict) else {}
    name = str(message.get("Name") or "").strip()
    subject = str(version.get("Subject") or "").strip()
    sender = str(version.get("SenderEmail") or "").strip()
    if not name or not subject:
        raise Failure("InvalidMessage", "A message needs a Name and a version with a Subject.")
    if not EMAIL_RE.match(sender):
        raise Failure("InvalidMessage", f"'{sender}' is not a valid sender address.")
    html = str(version.get("HtmlBody") or "")
    created = SandboxMessage.objects.create(
        project=project,
        name=name,
        subject=subject,
        sender=sender,
        html=html,
        parameters=sorted(set(re.findall(r"\[\[(\w+)\]\]", html))),
    )
    return _envelope(idMessage=created.pk)


def audience(project: SandboxProject, batch: SandboxBatch) -> QuerySet[SandboxContact]:
    if batch.mode == "Single":
        return project.contacts.filter(pk=batch.id_contact)
    if batch.mode == "All":
        return project.contacts.all()
    ids: set[int] = set()
    for id_filter in batch.filter_ids:
        ids |= set(_contacts_matching(project, None, id_filter).values_list("pk", flat=True))
    return project.contacts.filter(pk__in=ids)


def _deliver(batch: SandboxBatch, contacts: QuerySet[SandboxContact]) -> int:
    """Create each contact's delivery with its (seeded) future opens and clicks."""
    rows = []
    for contact_id in contacts.values_list("pk", flat=True):
        rng = random.Random(f"{batch.pk}:{contact_id}")
        delivered = rng.random() < 0.96
        opened_at = clicked_at = None
        opens = clicks = 0
        if delivered and rng.random() < 0.45:
            opened_at = batch.launch_at + dt.timedelta(minutes=rng.randint(1, 240))
            opens = rng.randint(1, 3)
            if rng.random() < 0.35:
                clicked_at = opened_at + dt.timedelta(minutes=rng.randint(1, 60))
                clicks = rng.randint(1, 2)
        rows.append(
            SandboxDelivery(
                batch=batch,
                contact_id=contact_id,
                sent_at=batch.launch_at,
                delivered=delivered,
                unsubscribed=delivered and rng.random() < 0.01,
                opened_at=opened_at,
                clicked_at=clicked_at,
                opens=opens,
                clicks=clicks,
            )
        )
    SandboxDelivery.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def process_due(project: SandboxProject | None = None, now: dt.datetime | None = None) -> int:
    """Launch every scheduled batch whose time has come (the simulated sending)."""
    now = now or timezone.now()
    qs = SandboxBatch.objects.filter(status="Scheduled", launch_at__lte=now)
    if project is not None:
        qs = qs.filter(project=project)
    launched = 0
    for batch_id in list(qs.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = SandboxBatch.objects.filter(pk=batch_id, status="Scheduled").update(
                status="Sending"
            )
            if not claimed:
                continue
            batch = SandboxBatch.objects.select_related("project").get(pk=batch_id)
            batch.target_count = _deliver(batch, audience(batch.project, batch))
            batch.status = "Sent"
            batch.save(update_fields=["status", "target_count"])
            launched += 1
    return launched


def _message_of(project: SandboxProject, id_message: Any) -> SandboxMessage:
    message = project.messages.filter(pk=_as_int(id_message or 0)).first()
    if message is None:
        raise Failure("MessageNotFound", f"Message {id_message} does not exist.")
    return message


def sendings_send_batch(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    message = _message_of(project, body.get("idMessage"))
    contact_filter = body.get("contactFilter") or {}
    mode = contact_filter.get("Mode")
    filter_ids: list[int] = []
    if mode == "idFilters":
        filter_ids = [_as_int(i) for i in contact_filter.get("idFilters") or []]
        if not filter_ids:
            raise Failure("InvalidContactFilter", "idFilters needs at least one filter id.")
        missing = set(filter_ids) - set(
            project.filters.filter(pk__in=filter_ids).values_list("pk", flat=True)
        )
        if missing:
            raise Failure("FilterNotFound", f"Filter {sorted(missing)[0]} does not exist.")
    elif mode != "All":
        raise Failure("InvalidContactFilter", "contactFilter.Mode must be All or idFilters.")
    options = body.get("sendBatchOptions") or {}
    now = timezone.now()
    launch_at = now
    if options.get("isDelayed"):
        launch_at = nomenclature.from_provider_datetime(options.get("dtLaunch"))
        if launch_at is None:
            raise Failure("InvalidDate", "dtLaunch must be a date 'YYYY.MM.DD HH:mm:ss'.")
    batch = SandboxBatch(
        project=project, message=message, mode=mode, filter_ids=filter_ids, launch_at=launch_at
    )
    batch.save()
    batch.target_count = audience(project, batch).count()
    batch.save(update_fields=["target_count"])
    process_due(project, now)
    return _envelope(idBatch=batch.pk)


def sendings_send_single(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    message = _message_of(project, body.get("idMessage"))
    contact_filter = body.get("ContactFilter") or {}
    if contact_filter.get("Mode") != "Single":
        raise Failure("InvalidContactFilter", "ContactFilter.Mode must be Single.")
    contact = project.contacts.filter(pk=_as_int(contact_filter.get("idContact") or 0)).first()
    if contact is None:
        raise Failure(
            "ContactNotFound", f"Contact {contact_filter.get('idContact')} does not exist."
        )
    values = ((body.get("SendSingleOptions") or {}).get("MessageParameterValues")) or []
    parameters = {
        str(v.get("Name")): str(v.get("Value") or "") for v in values if isinstance(v, dict)
    }
    missing = [p for p in message.parameters if not parameters.get(p)]
    if missing:
        raise Failure("MissingParameter", f"The message needs a value for {', '.join(missing)}.")
    batch = SandboxBatch.objects.create(
        project=project,
        message=message,
        mode="Single",
        id_contact=contact.pk,
        parameters=parameters,
        launch_at=timezone.now(),
        target_count=1,
    )
    process_due(project)
    return _envelope(idBatch=batch.pk)


def sendings_get_batches(body: dict) -> dict:
    project = _authenticate(body, project_scoped=True)
    process_due(project)
    rows = project.batches.select_related("message").order_by("-pk")
    return _envelope(
        Records=[
            {
                "idBatch": b.pk,
                "idMessage": b.message_id,
                "MessageName": b.message.name,
                "ContactFilter": (
                    {"Mode": "Single", "idContact": b.id_contact}
                    if b.mode == "Single"
                    else {"Mode": b.mode, "idFilters": b.filter_ids}
                ),
                "dtLaunch": _now_text(b.launch_at),
                "dtCreated": _now_text(b.created_at),
                "Status": b.status,
                "TargetCount": b.target_count,
            }
            for b in rows
        ]
    )


def sendings_statistics(body: dict) -> dict:
    """Sandbox name: a batch's statistics as of now."""
    project = _authenticate(body, project_scoped=True)
    process_due(project)
    batch = project.batches.filter(pk=_as_int(body.get("idBatch") or 0)).first()
    if batch is None:
        raise Failure("BatchNotFound", f"Batch {body.get('idBatch')} does not exist.")
    now = timezone.now()
    deliveries = batch.deliveries.all()
    totals = deliveries.aggregate(
        sent=Count("pk"),
        delivered=Count("pk", filter=Q(delivered=True)),
        unique_opens=Count("pk", filter=Q(opened_at__lte=now)),
        opens=Sum("opens", filter=Q(opened_at__lte=now)),
        unique_clicks=Count("pk", filter=Q(clicked_at__lte=now)),
        clicks=Sum("clicks", filter=Q(clicked_at__lte=now)),
        unsubscribes=Count("pk", filter=Q(unsubscribed=True)),
    )
    return _envelope(
        idBatch=batch.pk,
        Statistics={
            "Sent": totals["sent"],
            "Delivered": totals["delivered"],
            "Opens": totals["opens"] or 0,
            "UniqueOpens": totals["unique_opens"],
            "Clicks": totals["clicks"] or 0,
            "UniqueClicks": totals["unique_clicks"],
            "Bounces": totals["sent"] - totals["delivered"],
            "Unsubscribes": totals["unsubscribes"],
        },
    )


METHODS: dict[tuple[str, str], Callable[[dict], dict]] = {
    ("projects", "list"): projects_list,
    ("projects", "get"): projects_get,
    ("contacts", "merge"): contacts_merge,
    ("contacts", "get"): contacts_get,
    ("contacts", "delete"): contacts_delete,
    ("contacts", "count"): contacts_count,
    ("contacts", "gethistory"): contacts_history,
    ("filters", "list"): filters_list,
    ("filters", "merge"): filters_merge,
    ("messages", "list"): messages_list,
    ("messages", "create"): messages_create,
    ("sendings", "sendbatch"): sendings_send_batch,
    ("sendings", "sendsingle2"): sendings_send_single,
    ("sendings", "getbatches"): sendings_get_batches,
    ("sendings", "getstatistics"): sendings_statistics,
}


@sandbox_endpoint("dialoginsight")
def ofc4(request: HttpRequest, service: str) -> HttpResponse:
    if request.method != "POST":
        # The provider's web services only answer POST.
        return HttpResponse("Method Not Allowed", status=405, headers={"Allow": "POST"})
    method = request.GET.get("method", "")
    handler = METHODS.get((service.lower(), method.lower()))
    try:
        if handler is None:
            raise Failure("UnknownMethod", f"The method {service}.{method} does not exist.")
        return json_response(handler(read_json(request)))
    except Failure as failure:
        return json_response(
            _envelope(Success=False, ErrorCode=failure.code, ErrorMessage=failure.message)
        )


urlpatterns = [path("webservices/ofc4/<str:service>.ashx", ofc4, name="dialoginsight-ofc4")]
