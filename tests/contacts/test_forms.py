"""The contact form generated from the project definition, one field type at a time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms as django_forms
from django.utils import timezone

from contacts import nomenclature
from contacts.forms import (
    ConditionForm,
    ConditionFormSet,
    ContactForm,
    SearchForm,
    condition_initial,
)
from contacts.models import ProjectField

pytestmark = pytest.mark.django_db


def make(kind="field", code="X", label="X", data_type="text", required=False, is_key=False):
    return ProjectField.objects.create(
        kind=kind, code=code, label=label, data_type=data_type, required=required,
        is_key=is_key, synced_at=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def definition():
    return [
        make(code="EMail", label="Email", required=True, is_key=True),
        make(code="LastName", label="Last name", required=True),
        make(code="Nickname", label="Nickname"),
        make(code="BirthDate", label="Birth date", data_type="date"),
        make(code="Points", label="Points", data_type="number", required=True),
        make(code="Vip", label="VIP", data_type="boolean"),
        make(kind="optin", code="Newsletter", label="Newsletter", data_type="boolean"),
    ]


def test_each_type_becomes_its_form_field(definition):
    form = ContactForm(definition)
    f = form.fields
    assert isinstance(f["f_EMail"], django_forms.EmailField) and f["f_EMail"].required
    assert isinstance(f["f_LastName"], django_forms.CharField) and f["f_LastName"].required
    assert not f["f_Nickname"].required
    assert isinstance(f["f_BirthDate"], django_forms.DateField)
    assert 'type="date"' in str(form["f_BirthDate"])
    assert isinstance(f["f_Points"], django_forms.DecimalField) and f["f_Points"].required
    assert isinstance(f["f_Vip"], django_forms.BooleanField)
    assert isinstance(f["optin_Newsletter"], django_forms.BooleanField)
    assert f["optin_Newsletter"].label == "Newsletter" and not f["optin_Newsletter"].required


def test_payload_uses_the_provider_names_and_formats(definition):
    form = ContactForm(
        definition,
        {
            "f_EMail": "a@example.com",
            "f_LastName": "Ames",
            "f_BirthDate": "2001-02-03",
            "f_Points": "7.0",
            "f_Vip": "on",
            "optin_Newsletter": "on",
        },
    )
    assert form.is_valid(), form.errors
    assert form.key() == "a@example.com"
    assert form.payload() == {
        "f_LastName": "Ames",
        "f_Nickname": "",
        "f_BirthDate": "2001.02.03",
        "f_Points": "7",
        "f_Vip": "1",
        "optin_Newsletter": "1",
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("f_EMail", "not-an-email", "Enter a valid email address."),
        ("f_BirthDate", "31/02/2001", "Enter a valid date."),
        ("f_Points", "seven", "Enter a number."),
        ("f_LastName", "", "This field is required."),
    ],
)
def test_invalid_values_are_refused_on_their_field(definition, name, value, message):
    data = {"f_EMail": "a@example.com", "f_LastName": "A", "f_Points": "1", name: value}
    form = ContactForm(definition, data)
    assert not form.is_valid()
    assert form.errors[name] == [message]


def test_key_is_locked_when_editing(definition):
    form = ContactForm(definition, editing=True)
    assert form.fields["f_EMail"].disabled


def test_provider_rejection_lands_on_the_field_it_names(definition):
    form = ContactForm(definition, {"f_EMail": "a@example.com", "f_LastName": "A", "f_Points": "1"})
    assert form.is_valid()
    form.add_provider_rejection("Birth date: '3' is not a date in the format YYYY.MM.DD.")
    assert "Birth date" in form.errors["f_BirthDate"][0]
    form.add_provider_rejection("Something else went wrong.")
    assert "Something else" in form.non_field_errors()[0]


def test_initial_values_from_a_provider_contact(definition):
    from contacts.client import Contact

    contact = Contact(
        id=3,
        values={"EMail": "a@example.com", "BirthDate": "2001.02.03", "Points": "7"},
        optins={"Newsletter": True},
        optin_dates={},
    )
    initial = ContactForm.initial_from(contact, definition)
    assert initial["f_BirthDate"] == dt.date(2001, 2, 3)
    assert initial["f_Points"] == Decimal("7")
    assert initial["optin_Newsletter"] is True


def test_search_form_builds_an_or_of_names_and_a_field_clause(definition):
    make(code="FirstName", label="First name")
    form = SearchForm({"q": "ann", "field": "Nickname", "operator": "StartsWith", "value": "A"})
    assert form.is_valid()
    clause = form.clause()
    assert clause["$type"] == "AndClause"
    names = [c["Field"]["Name"] for c in clause["Clauses"][0]["Clauses"]]
    assert names == ["f_EMail", "f_FirstName", "f_LastName"]
    assert clause["Clauses"][1] == nomenclature.field_clause("Nickname", "StartsWith", "A")


def _conditions(definition, *rows, comparisons=True):
    data = {"cond-TOTAL_FORMS": str(len(rows)), "cond-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"cond-{i}-{name}": value for name, value in row.items()})
    kwargs = {"definition": definition, "comparisons": comparisons}
    return ConditionFormSet(data, prefix="cond", form_kwargs=kwargs)


def test_condition_formset_needs_one_condition(definition):
    formset = _conditions(definition, {"field": "", "operator": "Equal", "value": ""})
    assert not formset.is_valid()
    formset = _conditions(definition, {"field": "LastName", "operator": "Equal", "value": "Ames"})
    assert formset.is_valid()
    assert formset.clauses() == [nomenclature.field_clause("LastName", "Equal", "Ames")]
    assert not _conditions(definition).is_valid()  # no row at all


def _offered(form) -> list[str]:
    return [label for _, label in form.fields["operator"].choices]


def test_each_field_type_offers_its_own_operators(definition):
    kwargs = {"definition": definition}
    assert _offered(ConditionForm(initial={"field": "Nickname"}, **kwargs)) == [
        "is", "contains", "starts with",
    ]  # fmt: skip
    assert _offered(ConditionForm(initial={"field": "Points"}, **kwargs)) == [
        "is", "more than", "less than", "between",
    ]  # fmt: skip
    assert _offered(ConditionForm(initial={"field": "BirthDate"}, **kwargs)) == [
        "on", "before", "after", "between",
    ]  # fmt: skip
    assert _offered(ConditionForm(initial={"field": "optin_Newsletter"}, **kwargs)) == [
        "subscribed", "not subscribed",
    ]  # fmt: skip
    assert _offered(ConditionForm(initial={"field": "Vip"}, **kwargs)) == ["is yes", "is no"]
    date = ConditionForm(initial={"field": "BirthDate"}, **kwargs)
    assert 'type="date"' in str(date["value"])
    # An account that refused comparisons: numbers and dates are compared as equal only.
    refused = ConditionForm(initial={"field": "Points"}, comparisons=False, **kwargs)
    assert _offered(refused) == ["is"]


def test_each_condition_becomes_its_clause(definition):
    formset = _conditions(
        definition,
        {"field": "optin_Newsletter", "operator": "No"},
        {"field": "Vip", "operator": "Yes"},
        {"field": "Points", "operator": "GreaterThan", "value": "12.50"},
        {"field": "BirthDate", "operator": "Between", "value": "1980-01-01",
         "value_to": "1989-12-31"},
        {"field": "Nickname", "operator": "StartsWith", "value": " Al "},
    )  # fmt: skip
    assert formset.is_valid(), formset.errors
    assert formset.clauses() == [
        nomenclature.optin_clause("Newsletter", subscribed=False),
        nomenclature.field_clause("Vip", "Equal", "1"),
        nomenclature.field_clause("Points", "GreaterThan", "12.5"),
        nomenclature.between_clause("BirthDate", "1980.01.01", "1989.12.31"),
        nomenclature.field_clause("Nickname", "StartsWith", "Al"),
    ]
    # Read back for editing, the same rows.
    combine, rows = condition_initial(nomenclature.combine("OR", formset.clauses()), definition)
    assert combine == "OR"
    assert rows[0]["operator"] == "No" and rows[1]["operator"] == "Yes"
    assert rows[3] == {"field": "BirthDate", "operator": "Between",
                       "value": dt.date(1980, 1, 1), "value_to": dt.date(1989, 12, 31)}  # fmt: skip


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"field": "Points", "operator": "LessThan", "value": "many"}, "value", "Enter a number."),
        ({"field": "BirthDate", "operator": "Equal", "value": "31/02/1990"}, "value",
         "Enter a date (YYYY-MM-DD)."),
        ({"field": "BirthDate", "operator": "Between", "value": "1990-01-01"}, "value_to",
         "Enter the value to compare with."),
        ({"field": "Points", "operator": "Between", "value": "10", "value_to": "2"}, "value_to",
         "The end of the range comes before its start."),
        ({"field": "Nickname", "operator": "Contains", "value": " "}, "value",
         "Enter the value to compare with."),
        ({"field": "Nickname", "operator": "Between", "value": "a"}, "operator",
         "Choose how to compare Nickname: is, contains, starts with."),
    ],
)  # fmt: skip
def test_a_condition_that_does_not_fit_its_field_is_refused_on_the_input(
    definition, row, field, message
):
    formset = _conditions(definition, row)
    assert not formset.is_valid()
    assert formset.forms[0].errors[field] == [message]
