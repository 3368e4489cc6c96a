"""A builder's rows, added and removed before anything is submitted (dashboard/forms.py): shown
again as typed, without errors, with no more rows than the builder allows."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.http import QueryDict

from dashboard.forms import RowFormSet, as_typed


class Row(forms.Form):
    domain = forms.CharField(max_length=20)
    rate = forms.IntegerField(min_value=1)


class Head(forms.Form):
    name = forms.CharField()
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])


Rows = formset_factory(Row, formset=RowFormSet, extra=0, max_num=3, absolute_max=3)


def _posted(rows: list[tuple[str, str]], total: str | None = None) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update({"row-TOTAL_FORMS": total or str(len(rows)), "row-INITIAL_FORMS": "0"})
    for i, (domain, rate) in enumerate(rows):
        data.update({f"row-{i}-domain": domain, f"row-{i}-rate": rate})
    return data


def test_a_row_added_keeps_what_was_typed_and_shows_no_error():
    bound = Rows(_posted([("gmail.com", "zero"), ("", "")]), prefix="row")
    shown = bound.changed(add=True)
    assert not shown.is_bound and shown.total_form_count() == 3
    html = str(shown)
    assert 'value="gmail.com"' in html and 'value="zero"' in html
    assert "errorlist" not in html and 'name="row-2-domain"' in html
    # Submitted as shown, every row counts: the empty ones are errors to fix, not dropped.
    again = Rows(_posted([("gmail.com", "2"), ("", ""), ("", "")]), prefix="row")
    assert not again.is_valid()
    assert [bool(f.errors) for f in again.forms] == [False, True, True]


def test_a_row_removed_moves_the_later_rows_up():
    bound = Rows(_posted([("a.com", "1"), ("b.com", "2"), ("c.com", "3")]), prefix="row")
    shown = bound.changed(remove=1)
    assert [f.initial["domain"] for f in shown.forms] == ["a.com", "c.com"]
    assert 'name="row-1-domain"' in str(shown) and 'value="c.com"' in str(shown)


def test_rows_never_exceed_what_the_builder_allows():
    full = Rows(_posted([("a.com", "1"), ("b.com", "2"), ("c.com", "3")]), prefix="row")
    assert full.changed(add=True).total_form_count() == 3
    crafted = Rows(_posted([("a.com", "1")], total="99999"), prefix="row")
    assert len(crafted.forms) == 3  # not 99,999 rows built
    assert crafted.changed(add=True).total_form_count() == 3
    junk = Rows(_posted([], total="abc"), prefix="row")
    assert junk.changed(add=True).total_form_count() == 1


def test_a_form_as_typed_renders_without_errors():
    bound = Head({"name": "", "kind": "b"})
    assert not bound.is_valid()
    shown = as_typed(bound)
    assert not shown.is_bound and shown.errors == {}
    assert 'value="b" selected' in str(shown)
