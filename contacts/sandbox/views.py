"""The OFC4 web service methods, emulated, behind one endpoint (see urls.py): each method takes
the request's JSON body and answers inside the provider's envelope."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from contacts import nomenclature
from contacts.sandbox.models import (
    SandboxBatch,
    SandboxContact,
    SandboxField,
    SandboxFilter,
    SandboxMessage,
    SandboxProject,
)
from contacts.sandbox.rules import (
    EMAIL_RE,
    MAX_MERGE_RECORDS,
    MAX_ROWS,
    Failure,
    as_int,
    authenticate,
    clause_q,
    contacts_matching,
    ensure_project,
    fields_of,
    merge_one,
    provider_time,
)
from contacts.sandbox.simulation import audience, process_due
from dashboard.sandbox import json_response, read_json, sandbox_endpoint


def _envelope(**data: Any) -> dict[str, Any]:
    return {
        "Success": True,
        "ErrorCode": None,
        "ErrorMessage": None,
        "idRequest": int(time.time() * 1000) % 1_000_000_000,
        **data,
    }


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


# --- Projects ---------------------------------------------------------------------------
def projects_list(body: dict) -> dict:
    authenticate(body, project_scoped=False)
    project = ensure_project()
    return _envelope(Records=[{"idProject": project.pk, "ProjectName": project.name}])


def projects_get(body: dict) -> dict:
    project = authenticate(body, project_scoped=True)
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
def contacts_merge(body: dict) -> dict:
    project = authenticate(body, project_scoped=True)
    records = body.get("Records")
    if not isinstance(records, list) or not records:
        raise Failure("InvalidRequest", "Records must be a non-empty list.")
    if len(records) > MAX_MERGE_RECORDS:
        raise Failure(
            "TooManyRecords", f"A merge accepts at most {MAX_MERGE_RECORDS} records per call."
        )
    options = body.get("MergeOptions") or {}
    defs = fields_of(project)
    now_text = provider_time()
    seen: set[str] = set()
    results = []
    with transaction.atomic():
        for raw in records:
            results.append(merge_one(project, defs, raw, options, seen, now_text))
    return _envelope(
        CreatedRecords=sum(r["Status"] == "Created" for r in results),
        UpdatedRecords=sum(r["Status"] == "Updated" for r in results),
        Records=results,
    )


def contacts_get(body: dict) -> dict:
    project = authenticate(body, project_scoped=True)
    max_rows = min(as_int(body.get("MaxRows") or 100), MAX_ROWS)
    qs = contacts_matching(project, body.get("Clause"), body.get("idFilter"))
    defs = fields_of(project)
    return _envelope(Records=[_record(c, defs) for c in qs.order_by("pk")[:max_rows]])


def contacts_count(body: dict) -> dict:
    """Sandbox name (see contacts/client.py): how many contacts a clause or segment holds."""
    project = authenticate(body, project_scoped=True)
    return _envelope(
        Count=contacts_matching(project, body.get("Clause"), body.get("idFilter")).count()
    )


def contacts_delete(body: dict) -> dict:
    project = authenticate(body, project_scoped=True)
    if not body.get("Clause"):
        raise Failure("InvalidClause", "Contacts.Delete needs a Clause.")
    max_rows = as_int(body.get("MaxRows") or 1)
    qs = contacts_matching(project, body["Clause"], None)
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
    project = authenticate(body, project_scoped=True)
    process_due(project)
    contact = project.contacts.filter(pk=as_int(body.get("idContact"))).first()
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
                "dtSent": provider_time(d.sent_at),
                "Delivered": d.delivered,
                "Opened": bool(d.opened_at and d.opened_at <= now),
                "Clicked": bool(d.clicked_at and d.clicked_at <= now),
            }
            for d in rows
        ]
    )


# --- Segments (sandbox names) -------------------------------------------------------------
def filters_list(body: dict) -> dict:
    project = authenticate(body, project_scoped=True)
    return _envelope(
        Records=[
            {"idFilter": f.pk, "Name": f.name, "isDynamic": f.is_dynamic, "Clause": f.clause}
            for f in project.filters.order_by("pk")
        ]
    )


def filters_merge(body: dict) -> dict:
    project = authenticate(body, project_scoped=True)
    data = body.get("Filter")
    if not isinstance(data, dict) or not str(data.get("Name") or "").strip():
        raise Failure("InvalidFilter", "A filter needs a Name.")
    clause = data.get("Clause")
    if not clause:
        raise Failure("InvalidFilter", "A dynamic filter needs a Clause.")
    clause_q(clause, fields_of(project))  # rejects unknown fields and operators
    if data.get("idFilter"):
        segment = project.filters.filter(pk=as_int(data["idFilter"])).first()
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
    project = authenticate(body, project_scoped=True)
    return _envelope(Records=[_message_record(m) for m in project.messages.order_by("pk")])


def messages_create(body: dict) -> dict:
    project = authenticate(body, project_scoped=True)
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


def _message_of(project: SandboxProject, id_message: Any) -> SandboxMessage:
    message = project.messages.filter(pk=as_int(id_message or 0)).first()
    if message is None:
        raise Failure("MessageNotFound", f"Message {id_message} does not exist.")
    return message


def sendings_send_batch(body: dict) -> dict:
    project = authenticate(body, project_scoped=True)
    message = _message_of(project, body.get("idMessage"))
    contact_filter = body.get("contactFilter") or {}
    mode = contact_filter.get("Mode")
    filter_ids: list[int] = []
    if mode == "idFilters":
        filter_ids = [as_int(i) for i in contact_filter.get("idFilters") or []]
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
    project = authenticate(body, project_scoped=True)
    message = _message_of(project, body.get("idMessage"))
    contact_filter = body.get("ContactFilter") or {}
    if contact_filter.get("Mode") != "Single":
        raise Failure("InvalidContactFilter", "ContactFilter.Mode must be Single.")
    contact = project.contacts.filter(pk=as_int(contact_filter.get("idContact") or 0)).first()
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
    project = authenticate(body, project_scoped=True)
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
                "dtLaunch": provider_time(b.launch_at),
                "dtCreated": provider_time(b.created_at),
                "Status": b.status,
                "TargetCount": b.target_count,
            }
            for b in rows
        ]
    )


def sendings_statistics(body: dict) -> dict:
    """Sandbox name: a batch's statistics as of now."""
    project = authenticate(body, project_scoped=True)
    process_due(project)
    batch = project.batches.filter(pk=as_int(body.get("idBatch") or 0)).first()
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
