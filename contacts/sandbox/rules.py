"""Dialog Insight's rules as the emulator applies them: the standard project definition, the
AuthKey in the body and the key's call quota, typed field values, clauses, and how a merge
creates or updates a contact."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import DecimalField, F, Q, QuerySet, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, NullIf
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.utils import timezone

from contacts import nomenclature
from contacts.sandbox.models import SandboxContact, SandboxField, SandboxProject
from dashboard.sandbox import credentials

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


def provider_time(now: dt.datetime | None = None) -> str:
    """An instant (now by default) as the provider writes it: `YYYY.MM.DD HH:mm:ss`, UTC."""
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
def authenticate(body: Any, *, project_scoped: bool) -> SandboxProject | None:
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
def fields_of(project: SandboxProject) -> dict[str, SandboxField]:
    return {f.code: f for f in project.fields.all()}


def clause_q(clause: Any, defs: dict[str, SandboxField], depth: int = 0) -> Q:
    if depth > 5 or not isinstance(clause, dict):
        raise Failure("InvalidClause", "The clause is not a valid clause object.")
    kind = clause.get("$type")
    if kind in {"AndClause", "OrClause"}:
        subs = clause.get("Clauses")
        if not isinstance(subs, list) or not subs:
            raise Failure("InvalidClause", f"{kind} needs a non-empty Clauses list.")
        q = clause_q(subs[0], defs, depth + 1)
        for sub in subs[1:]:
            other = clause_q(sub, defs, depth + 1)
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
    if operator in nomenclature.COMPARISONS:
        return _comparison(definition, operator, value)
    lookup = {"Equal": "iexact", "Contains": "icontains", "StartsWith": "istartswith"}[operator]
    return Q(**{f"data__{code}__{lookup}": value})


_COMPARE = {
    "GreaterThan": GreaterThan,
    "GreaterThanOrEqual": GreaterThanOrEqual,
    "LessThan": LessThan,
    "LessThanOrEqual": LessThanOrEqual,
}


def _comparison(definition: SandboxField, operator: str, value: str) -> Q:
    """A number or a date compared as such (the sandbox's operator names, see
    contacts/nomenclature.py COMPARISONS); a contact without a value never matches."""
    types = {SandboxField.DataType.NUMBER, SandboxField.DataType.DATE}
    if definition.data_type not in types:
        raise Failure(
            "InvalidClause", f"{operator} compares numbers and dates; {definition.label} is text."
        )
    reason = _validate_value(definition, value) if value else f"{definition.label}: no value."
    if reason:
        raise Failure("InvalidClause", reason)
    stored = NullIf(KeyTextTransform(definition.code, "data"), Value("", output_field=TextField()))
    if definition.data_type == SandboxField.DataType.NUMBER:
        as_number = Cast(stored, DecimalField(max_digits=38, decimal_places=10))
        return Q(_COMPARE[operator](as_number, Value(Decimal(value))))
    # YYYY.MM.DD strings sort as the dates do.
    return Q(_COMPARE[operator](stored, Value(value, output_field=TextField())))


def contacts_matching(
    project: SandboxProject, clause: Any, id_filter: Any
) -> QuerySet[SandboxContact]:
    defs = fields_of(project)
    qs = project.contacts.all()
    if clause:
        qs = qs.filter(clause_q(clause, defs))
    if id_filter not in (None, ""):
        segment = project.filters.filter(pk=as_int(id_filter)).first()
        if segment is None:
            raise Failure("FilterNotFound", f"Filter {id_filter} does not exist.")
        if segment.clause:
            qs = qs.filter(clause_q(segment.clause, defs))
    return qs


def as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Failure("InvalidRequest", f"{value!r} is not a number.") from None


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


# --- Merging a contact --------------------------------------------------------------------
def merge_one(
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
