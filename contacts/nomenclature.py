"""Dialog Insight's field nomenclature, in one place.

The provider names a contact field `f_<Code>`, a project-key field `key_f_<Code>` (used to
identify a contact) and an opt-in `optin_<Code>` (`"1"` subscribes, `"0"` unsubscribes); dates
travel as `YYYY.MM.DD`. See Dialog Insight's "Web Services Presentation → Fields Nomenclature"
and docs/providers/dialog_insight.md. Nothing else in Switchboard glues these prefixes.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext, pgettext, pgettext_lazy

from dashboard import clock

FIELD_PREFIX = "f_"
KEY_PREFIX = "key_f_"
OPTIN_PREFIX = "optin_"
ID_FIELD = "idContact"
DATE_FORMAT = "%Y.%m.%d"
DATETIME_FORMAT = "%Y.%m.%d %H:%M:%S"

# The project key's code. Projects.Get does not say which field is the key (the contract shows
# no flag for it), so Switchboard is told: EMail is the key of a standard project.
PROJECT_KEY_CODE: str = getattr(settings, "DIALOG_INSIGHT_KEY_FIELD", "EMail")

# The fields that name a contact (beside its key), in a standard project.
NAME_CODES = ("FirstName", "LastName")

# Field data types as Switchboard understands them; anything else is handled as text.
TEXT, NUMBER, DATE, BOOLEAN = "text", "number", "date", "boolean"
# Only Equal is documented; Contains and StartsWith are inferred (docs/providers). No public
# page names a comparison of numbers or dates at all: these names are the sandbox's, and the
# client makes every call whose clause holds one as an unpublished capability
# ("clause_comparison", contacts/client.py), so an account that refuses them loses only them.
COMPARISONS = ("GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual")
OPERATORS = ("Equal", "Contains", "StartsWith", *COMPARISONS)
BETWEEN = "Between"  # the builder's: GreaterThanOrEqual AND LessThanOrEqual on one field


def field_name(code: str) -> str:
    return f"{FIELD_PREFIX}{code}"


def key_name(code: str = PROJECT_KEY_CODE) -> str:
    return f"{KEY_PREFIX}{code}"


def optin_name(code: str) -> str:
    return f"{OPTIN_PREFIX}{code}"


def optin_date_name(code: str) -> str:
    # The provider's name for an opt-in's last change date is not public; the sandbox answers
    # it beside the opt-in on each contact record under this name.
    return f"{OPTIN_PREFIX}{code}_dtModified"


def parse_name(name: str) -> tuple[str, str]:
    """`("key"|"field"|"optin"|"other", code)` for a provider field name."""
    if name.startswith(KEY_PREFIX):
        return "key", name[len(KEY_PREFIX) :]
    if name.startswith(FIELD_PREFIX):
        return "field", name[len(FIELD_PREFIX) :]
    if name.startswith(OPTIN_PREFIX):
        return "optin", name[len(OPTIN_PREFIX) :]
    return "other", name


def data_type(provider_type: str | None) -> str:
    value = (provider_type or "").lower()
    if value in {"number", "numeric", "integer", "int", "decimal", "float", "double"}:
        return NUMBER
    if value in {"date", "datetime"}:
        return DATE
    if value in {"boolean", "bool", "yesno"}:
        return BOOLEAN
    return TEXT


def to_provider_date(value: dt.date | None) -> str:
    return value.strftime(DATE_FORMAT) if value else ""


def from_provider_date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(str(value)[:10], DATE_FORMAT).date()
    except ValueError:
        return None


def provider_time_zone() -> ZoneInfo:
    """The zone Dialog Insight's dates are wall times in (`DIALOG_INSIGHT_TIME_ZONE`: the
    provider does not document it)."""
    return ZoneInfo(settings.DIALOG_INSIGHT_TIME_ZONE)


def to_provider_datetime(value: dt.datetime) -> str:
    """An instant as Dialog Insight's wall time (a naive value is taken as one already)."""
    if value.tzinfo is not None:
        value = value.astimezone(provider_time_zone())
    return value.strftime(DATETIME_FORMAT)


def from_provider_datetime(value: Any) -> dt.datetime | None:
    """Dialog Insight's wall time as an instant. A time that happens twice when the clocks go
    back is read as the first of the two."""
    if not value:
        return None
    try:
        wall = dt.datetime.strptime(str(value), DATETIME_FORMAT)
    except ValueError:
        return None
    return wall.replace(tzinfo=provider_time_zone())


def shown_value(kind: str, value: Any) -> Any:
    """A contact's value as people read it: a date in Switchboard's one format (2026-08-28),
    not Dialog Insight's `2026.08.28`."""
    if kind == DATE and value:
        date = from_provider_date(value)
        return date.strftime(clock.DATE) if date else value
    return value


def shown_datetime(value: Any) -> str:
    """Dialog Insight's wall time as the user reads it: `2026-08-28 14:00 EDT`, in their zone
    (a value that is not one is shown as it came)."""
    if instant := from_provider_datetime(value):
        return clock.shown(instant)
    return shown_value(DATE, value) or ""


def to_provider_value(kind: str, value: Any) -> str:
    """A form value as the provider's string."""
    if value is None or value == "":
        return ""
    if kind == DATE and isinstance(value, dt.date):
        return to_provider_date(value)
    if kind == NUMBER:
        # 12.50 → "12.5", 120.0 → "120": the shortest form, never exponent notation.
        return format(Decimal(str(value)).normalize(), "f")
    if kind == BOOLEAN:
        return "1" if value else "0"
    return str(value)


def from_provider_value(kind: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if kind == DATE:
        return from_provider_date(value)
    if kind == NUMBER:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if kind == BOOLEAN:
        return str(value).lower() in {"1", "true"}
    return value


def optin_value(subscribed: bool) -> str:
    return "1" if subscribed else "0"


def is_subscribed(value: Any) -> bool:
    return str(value).lower() in {"1", "true"}


def placeholders(html: str) -> list[str]:
    """The `[[Name]]` placeholders of a message's body: the parameters a send to one contact
    gives values for."""
    return sorted(set(re.findall(r"\[\[(\w+)\]\]", html)))


def field_values(data: dict[str, Any]) -> dict[str, Any]:
    """{code: value} of the contact fields among `data` ({provider name: value})."""
    return {
        code: v for name, v in data.items() for kind, code in [parse_name(name)] if kind == "field"
    }


def display_name(values: dict[str, Any]) -> str:
    """A contact's name from its field values by code (`FirstName LastName`), or ""."""
    return " ".join(str(values[c]).strip() for c in NAME_CODES if values.get(c)).strip()


# --- Clauses (Contacts.Get, Contacts.Delete, segments) ---------------------------------------
def field_clause(code: str, operator: str, value: Any) -> dict[str, Any]:
    if operator not in OPERATORS:
        raise ValueError(f"Unknown operator {operator!r}")
    name = code if code == ID_FIELD else field_name(code)
    return {
        "$type": "FieldClause",
        "Field": {"Name": name},
        "TypeOperator": operator,
        "ComparisonValue": str(value),
    }


def optin_clause(code: str, *, subscribed: bool) -> dict[str, Any]:
    """The contacts subscribed (or not) to the opt-in `code`."""
    return {
        "$type": "FieldClause",
        "Field": {"Name": optin_name(code)},
        "TypeOperator": "Equal",
        "ComparisonValue": optin_value(subscribed),
    }


def id_clause(contact_id: int) -> dict[str, Any]:
    return field_clause(ID_FIELD, "Equal", contact_id)


def combine(kind: str, clauses: list[dict[str, Any]]) -> dict[str, Any]:
    """`AndClause`/`OrClause` of `clauses` (one clause is returned as is)."""
    if len(clauses) == 1:
        return clauses[0]
    kind = kind.upper()
    if kind not in {"AND", "OR"}:
        raise ValueError(f"Unknown combination {kind!r}")
    return {"$type": "AndClause" if kind == "AND" else "OrClause", "Clauses": clauses}


def between_clause(code: str, low: Any, high: Any) -> dict[str, Any]:
    """`code` from `low` to `high`, both included."""
    return combine(
        "AND",
        [
            field_clause(code, "GreaterThanOrEqual", low),
            field_clause(code, "LessThanOrEqual", high),
        ],
    )


def _between(clause: dict[str, Any]) -> tuple[str, str, str] | None:
    """(field name, low, high) when `clause` is a `between_clause`, else None."""
    subs = clause.get("Clauses") or []
    if clause.get("$type") != "AndClause" or len(subs) != 2:
        return None
    if not all(isinstance(c, dict) and c.get("$type") == "FieldClause" for c in subs):
        return None
    names = {(c.get("Field") or {}).get("Name") for c in subs}
    operators = [c.get("TypeOperator") for c in subs]
    if len(names) != 1 or operators != ["GreaterThanOrEqual", "LessThanOrEqual"]:
        return None
    return (
        names.pop(),
        str(subs[0].get("ComparisonValue", "")),
        str(subs[1].get("ComparisonValue", "")),
    )


def clause_compares(clause: Any) -> bool:
    """Whether `clause` compares a number or a date anywhere (see COMPARISONS)."""
    if not isinstance(clause, dict):
        return False
    if clause.get("$type") in {"AndClause", "OrClause"}:
        return any(clause_compares(c) for c in clause.get("Clauses") or [])
    return clause.get("TypeOperator") in COMPARISONS


# How a condition reads, by operator: (for a date, for anything else).
_WORDS = {
    "Equal": (pgettext_lazy("condition", "is"), pgettext_lazy("condition", "is")),
    "Contains": (pgettext_lazy("condition", "contains"), pgettext_lazy("condition", "contains")),
    "StartsWith": (
        pgettext_lazy("condition", "starts with"),
        pgettext_lazy("condition", "starts with"),
    ),
    "GreaterThan": (
        pgettext_lazy("date condition", "after"),
        pgettext_lazy("condition", "more than"),
    ),
    "GreaterThanOrEqual": (
        pgettext_lazy("date condition", "on or after"),
        pgettext_lazy("condition", "at least"),
    ),
    "LessThan": (
        pgettext_lazy("date condition", "before"),
        pgettext_lazy("condition", "less than"),
    ),
    "LessThanOrEqual": (
        pgettext_lazy("date condition", "on or before"),
        pgettext_lazy("condition", "at most"),
    ),
}


def _shown(value: str) -> tuple[str, bool]:
    """A clause's value for people (a date as YYYY-MM-DD), and whether it is a date."""
    date = from_provider_date(value) if len(value) == 10 else None
    return (date.isoformat(), True) if date else (value, False)


def describe_clause(clause: dict[str, Any] | None, labels: dict[str, str] | None = None) -> str:
    """A clause as a sentence for people: `First name contains "an" OR …`."""
    if not clause:
        return gettext("everyone")
    labels = labels or {}
    if between := _between(clause):
        name, low, high = between
        label = labels.get(parse_name(name)[1], parse_name(name)[1])
        return gettext("%(field)s between %(low)s and %(high)s") % {
            "field": label,
            "low": _shown(low)[0],
            "high": _shown(high)[0],
        }
    kind = clause.get("$type")
    if kind in {"AndClause", "OrClause"}:
        joiner = (
            pgettext("conditions", "AND") if kind == "AndClause" else pgettext("conditions", "OR")
        )
        return f" {joiner} ".join(describe_clause(c, labels) for c in clause.get("Clauses", []))
    name = (clause.get("Field") or {}).get("Name", "")
    kind, code = parse_name(name)
    if kind == "optin":
        if is_subscribed(clause.get("ComparisonValue")):
            return gettext("subscribed to %(optin)s") % {"optin": labels.get(code, code)}
        return gettext("not subscribed to %(optin)s") % {"optin": labels.get(code, code)}
    operator = clause.get("TypeOperator", "")
    value, is_date = _shown(str(clause.get("ComparisonValue", "")))
    words = _WORDS.get(operator, (operator, operator))[0 if is_date else 1]
    said = {"field": labels.get(code, code), "operator": words, "value": value}
    if operator in COMPARISONS or is_date:
        return gettext("%(field)s %(operator)s %(value)s") % said
    return gettext('%(field)s %(operator)s "%(value)s"') % said


def flatten_clause(clause: dict[str, Any] | None) -> tuple[str, list[tuple[str, str, str, str]]]:
    """(`AND`|`OR`, [(field, operator, value, value to)]) of a one-level clause, for the
    clause builder: a `between_clause` is one row whose operator is BETWEEN."""
    if not clause:
        return "AND", []
    if between := _between(clause):
        name, low, high = between
        return "AND", [(parse_name(name)[1], BETWEEN, low, high)]
    kind = clause.get("$type")
    if kind in {"AndClause", "OrClause"}:
        rows = []
        for sub in clause.get("Clauses", []):
            rows += flatten_clause(sub)[1]
        return ("AND" if kind == "AndClause" else "OR"), rows
    name = (clause.get("Field") or {}).get("Name", "")
    kind, code = parse_name(name)
    # The builder lists opt-ins under their provider name, fields under their code.
    choice = name if kind == "optin" else code
    operator = clause.get("TypeOperator", "Equal")
    return "AND", [(choice, operator, str(clause.get("ComparisonValue", "")), "")]
