"""A builder's rows, added and removed before anything is submitted (dashboard/forms.py): shown
again as typed, without errors, with no more rows than the builder allows."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.http import QueryDict

from dashboard.forms import RowFormSet, show_as_typed


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


def _changed(data: QueryDict, **change) -> Rows:
    """The rows after the builder's "Add" or "Remove", as the page shows them."""
    rows = Rows(Rows.rows_changed(data, "row", **change), prefix="row")
    show_as_typed(rows)
    return rows


def test_a_row_added_keeps_what_was_typed_and_shows_no_error():
    shown = _changed(_posted([("gmail.com", "zero"), ("", "")]), add={"rate": "1"})
    assert shown.total_form_count() == 3 and not any(f.errors for f in shown.forms)
    html = str(shown)
    assert 'value="gmail.com"' in html and 'value="zero"' in html
    assert "errorlist" not in html and 'name="row-2-domain"' in html
    assert 'name="row-2-rate" value="1"' in html  # the new row's own starting values
    # Submitted as shown, every row counts: the empty ones are errors to fix, not dropped.
    again = Rows(_posted([("gmail.com", "2"), ("", ""), ("", "")]), prefix="row")
    assert not again.is_valid()
    assert [bool(f.errors) for f in again.forms] == [False, True, True]


def test_a_row_removed_moves_the_later_rows_up():
    shown = _changed(_posted([("a.com", "1"), ("b.com", "2"), ("c.com", "3")]), remove=1)
    assert [f["domain"].value() for f in shown.forms] == ["a.com", "c.com"]
    assert 'name="row-1-domain"' in str(shown) and 'value="c.com"' in str(shown)
    assert 'name="row-2-domain"' not in str(shown)


def test_rows_never_exceed_what_the_builder_allows():
    full = _posted([("a.com", "1"), ("b.com", "2"), ("c.com", "3")])
    assert _changed(full, add={}).total_form_count() == 3
    crafted = _posted([("a.com", "1")], total="99999")
    assert len(Rows(crafted, prefix="row").forms) == 3  # not 99,999 rows built
    assert _changed(crafted, add={}).total_form_count() == 3
    assert _changed(crafted, remove=0).total_form_count() == 3
    junk = _posted([], total="abc")
    assert _changed(junk, add={}).total_form_count() == 1


def test_a_form_as_typed_renders_without_errors():
    bound = Head({"name": "", "kind": "b"})
    assert not bound.is_valid()
    show_as_typed(bound)
    assert bound.errors == {} and "errorlist" not in str(bound)
    assert 'value="b" selected' in str(bound)
