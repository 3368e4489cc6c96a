"""Dialog Insight pages: each view checks the permission, validates with a form, calls one
service (contacts/services/) or selector, and renders; a view's name is its URL's name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from contacts import charts, forms, nomenclature, selectors, services, tasks
from contacts.client import Contact
from contacts.models import ContactImport, Mailing, ProjectField, Segment
from contacts.templatetags.contacts_tags import contact_url
from dashboard.forms import show_as_typed
from dashboard.providers import ProviderError
from dashboard.submissions import (
    AlreadySubmitted,
    Checked,
    Confirmation,
    OutcomeUnknown,
    carried,
    checking,
    confirmed,
    going_back,
    new_token,
    resubmitted,
    submitted_at,
)
from dashboard.sync import SyncResult

VIEW = "dashboard.view_contacts"
CHANGE = "dashboard.change_contacts"
SEND = "dashboard.send_mailings"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _change_form(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A form page (GET shows it, POST saves it) for whoever may change contacts."""
    return require_http_methods(["GET", "POST"])(
        permission_required(CHANGE, raise_exception=True)(view)
    )


def _key(request: HtmxHttpRequest) -> str:
    """The contact's project key when the page passed it: on an account that does not let
    Switchboard open a contact by id, it finds the contact instead (see contacts/client.py)."""
    return (request.POST.get("key") or request.GET.get("key") or "").strip()


def _fragment(request: HtmxHttpRequest, template: str, partial: str) -> str:
    """`template`, or only its `partial` for an htmx request (not a boosted page load)."""
    return f"{template}#{partial}" if request.htmx and not request.htmx.boosted else template


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """To `url`: a client redirect for an htmx request, a plain one otherwise."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


NOUNS = {  # what a create or send whose outcome is unknown made, in the reader's language
    "sending": gettext_lazy("sending"),
    "message": gettext_lazy("message"),
    "segment": gettext_lazy("segment"),
}


def _unknown(noun: str, done: str = "created", **kwargs: Any) -> OutcomeUnknown:
    return OutcomeUnknown(provider="Dialog Insight", noun=NOUNS[noun], done=done, **kwargs)


# What a second submission of the same form is told, by its (noun, done).
ALREADY_SUBMITTED = {
    ("sending", "sent"): gettext_lazy(
        "This sending was already submitted; it was not sent a second time."
    ),
    ("message", "sent"): gettext_lazy(
        "This message was already submitted; it was not sent a second time."
    ),
    ("message", "created"): gettext_lazy(
        "This message was already submitted; it was not created a second time."
    ),
    ("segment", "created"): gettext_lazy(
        "This segment was already submitted; it was not created a second time."
    ),
}


def _not_done(
    request: HtmxHttpRequest,
    error: Exception,
    choices: OutcomeUnknown | None,
    *,
    back: str,
    already: tuple[str, str],
    failed: Callable[[Exception], str],
    form: django_forms.Form | None = None,
) -> tuple[OutcomeUnknown | None, HttpResponse | None]:
    """After a create or send that raised `error`: the two choices (`choices`, told why) when
    Dialog Insight may have done it; a redirect to `back` when the same form's first
    submission did it (said as ALREADY_SUBMITTED[`already`]); else neither, and what
    `failed` says of `error` is shown on `form` (as a message without one)."""
    unknown = choices.after(error) if choices is not None else None
    if unknown is None and choices is not None and isinstance(error, AlreadySubmitted):
        messages.warning(request, ALREADY_SUBMITTED[already])
        return None, _go(request, back)
    if unknown is None and form is None:
        messages.error(request, failed(error))
    elif unknown is None:
        form.add_error(None, failed(error))
    return unknown, None


def _failure(error: ProviderError, *, refused: str, maybe: str) -> str:
    """`refused` when Dialog Insight certainly did nothing, `maybe` when it may have."""
    return f"{maybe if error.outcome_unknown else refused} {error}"


# What a refresh says, by what it refreshed: (done, done in part, failed).
REFRESHED = {
    "Segments": (
        gettext_lazy("Segments refreshed (%(results)s)."),
        gettext_lazy("Segments refreshed, in part. %(notes)s"),
        gettext_lazy("Segments were not refreshed. %(error)s"),
    ),
    "Mailings": (
        gettext_lazy("Mailings refreshed (%(results)s)."),
        gettext_lazy("Mailings refreshed, in part. %(notes)s"),
        gettext_lazy("Mailings were not refreshed. %(error)s"),
    ),
}


def _refreshed(request: HtmxHttpRequest, what: str, results: list[SyncResult]) -> None:
    """Say what a refresh did, and what this account could not give."""
    done, in_part, _failed = REFRESHED[what]
    notes = [note for result in results for note in result.errors]
    if notes:
        messages.warning(request, in_part % {"notes": " ".join(notes)})
    else:
        messages.success(request, done % {"results": "; ".join(map(str, results))})


def _refresh(
    request: HtmxHttpRequest, what: str, refresh: Callable[[], list[SyncResult]], back: str
) -> HttpResponse:
    try:
        results = refresh()
    except ProviderError as error:
        messages.error(request, REFRESHED[what][2] % {"error": error})
    else:
        _refreshed(request, what, results)
    return redirect(back)


def _definition_or_error(request: HtmxHttpRequest) -> list[ProjectField] | None:
    """The project's fields and opt-ins. A GET reads the mirror only (the worker's sync keeps
    it); a POST fetches them if they were never synced."""
    if request.method == "GET":
        if definition := selectors.project_fields():
            return definition
        messages.warning(
            request,
            _(
                "The project's fields have not been loaded from Dialog Insight yet: the "
                "worker's next sync (every two minutes) loads them."
            ),
        )
        return None
    try:
        return services.project_definition()
    except ProviderError as error:
        messages.error(
            request, _("The project's fields could not be loaded. %(error)s") % {"error": error}
        )
        return None


# --- Contacts ---------------------------------------------------------------------------
@require_GET
@permission_required(VIEW, raise_exception=True)
def contact_search(request: HtmxHttpRequest) -> HttpResponse:
    """A search of the project at Dialog Insight, and how many contacts match (counted after
    the results are shown, when there are more than a page); before any search, the contacts
    changed lately through Switchboard (its own record: Dialog Insight lists no recent
    contacts, and a list never waits on a provider)."""
    definition = _definition_or_error(request) or []
    form = forms.SearchForm(request.GET or None)
    context: dict[str, Any] = {
        "form": form,
        "columns": [d for d in definition if d.kind == "field"][:4],
        "optins": [d for d in definition if d.kind == "optin"],
    }
    clause = form.clause() if form.is_bound and form.is_valid() else None
    if clause:
        try:
            results = services.contact_search(
                clause=clause, page=form.cleaned_data.get("page") or 1, per_page=forms.PER_PAGE
            )
        except ProviderError as error:
            context["error"] = str(error)
        else:
            context.update(results=results, **_result_count(results.number, results.total))
            if results.total is None:
                count_url = reverse("contacts:contact_search_count")
                context["counting"] = f"{count_url}?{request.GET.urlencode()}"
    elif not form.errors:
        page = request.GET.get("page")
        context["recent"] = Paginator(selectors.recent_contacts(), 25).get_page(page)
    return render(request, _fragment(request, "contacts/search.html", "results"), context)


def _result_count(page: int, total: int | None, note: str = "") -> dict[str, Any]:
    """What the search says of how many contacts match, on result page `page`."""
    per_page = forms.PER_PAGE
    first = (page - 1) * per_page + 1
    last = min(page * per_page, total) if total is not None else page * per_page
    return {"total": total, "total_note": note, "first": first, "last": last}


@require_GET
@permission_required(VIEW, raise_exception=True)
def contact_search_count(request: HtmxHttpRequest) -> HttpResponse:
    """How many contacts a search matches, asked once its results are on the page (a search
    with more than a page of them)."""
    form = forms.SearchForm(request.GET or None)
    clause = form.clause() if form.is_bound and form.is_valid() else None
    if not clause:
        return HttpResponse("")  # no search, nothing to count
    total, note = services.contact_search_count(clause=clause)
    context = _result_count(form.cleaned_data.get("page") or 1, total, note)
    return render(request, "contacts/search.html#count", context)


def _detail_context(contact: Contact, definition: list[ProjectField]) -> dict[str, Any]:
    rows = [
        (d.label, nomenclature.shown_value(d.data_type, contact.values.get(d.code)), d.data_type)
        for d in definition
        if d.kind == "field"
    ]
    optins = [
        {
            "code": d.code,
            "label": d.label,
            "subscribed": contact.optins.get(d.code, False),
            # Dialog Insight's wall time, shown in the user's zone (the page shows its date).
            "date": nomenclature.shown_datetime(contact.optin_dates.get(d.code)),
        }
        for d in definition
        if d.kind == "optin"
    ]
    return {"contact": contact, "rows": rows, "optins": optins}


def _contact_page(
    request: HtmxHttpRequest, contact_id: int, **context: Any
) -> dict[str, Any] | None:
    """Everything the contact's page shows, with `context` (the send form as typed), or None
    when Dialog Insight no longer has the contact; a failure to read it raises."""
    contact, history, history_note = services.contact_detail(
        contact_id=contact_id, key=_key(request)
    )
    if contact is None:
        return None
    page = _detail_context(contact, selectors.project_fields())
    page.update(
        history=history,
        history_note=history_note,
        activity=selectors.contact_activity(contact_id),
    )
    return {**page, **context}


@require_GET
@permission_required(VIEW, raise_exception=True)
def contact_detail(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    _definition_or_error(request)  # says so when the project's fields are not loaded yet
    send_form = forms.TriggerForm(initial={"token": new_token()})
    try:
        page = _contact_page(
            request, contact_id, trigger_form=send_form if request.user.has_perm(SEND) else None
        )
    except ProviderError as error:
        return render(
            request, "contacts/detail.html", {"error": str(error), "contact_id": contact_id}
        )
    if page is None:
        raise Http404(_("No such contact at Dialog Insight."))
    return render(request, "contacts/detail.html", page)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def contact_optin_set(request: HtmxHttpRequest, contact_id: int, code: str) -> HttpResponse:
    subscribed = request.POST.get("subscribed") == "1"
    try:
        contact = services.contact_optin_set(
            user=request.user,
            contact_id=contact_id,
            code=code,
            subscribed=subscribed,
            key=_key(request),
        )
    except ProviderError as error:
        messages.error(request, str(error))
        if request.htmx:
            return HttpResponse(status=204)
        return redirect(contact_url("contact_detail", contact_id, _key(request)))
    definition = selectors.project_fields()
    label = next((o.label for o in definition if o.code == code), code)
    said = {"contact": contact.key, "optin": label}
    if subscribed:
        messages.success(request, _("%(contact)s subscribed to %(optin)s.") % said)
    else:
        messages.success(request, _("%(contact)s unsubscribed from %(optin)s.") % said)
    if request.htmx:
        return render(request, "contacts/detail.html#optins", _detail_context(contact, definition))
    return redirect(contact_url("contact_detail", contact_id, contact.key))


def _contact_form(request: HtmxHttpRequest, contact_id: int | None) -> HttpResponse:
    """The contact form, new (`contact_id` None) or of the contact `contact_id`."""
    definition = _definition_or_error(request)
    if definition is None:
        return redirect("contacts:contact_search")
    editing = contact_id is not None
    contact = None
    problem = ""
    if editing:
        # Contacts.Merge goes by the project key: on a save too, the key is that of the URL's
        # contact as Dialog Insight has it, never one the browser sends.
        try:
            contact = services.contact_get(contact_id=contact_id, key=_key(request))
        except ProviderError as error:
            if request.method == "GET":
                messages.error(request, str(error))
                return redirect("contacts:contact_search")
            problem = _("Nothing was saved: the contact could not be read. %(error)s") % {
                "error": error
            }
        else:
            if contact is None and request.method == "GET":
                raise Http404(_("No such contact at Dialog Insight."))
            if contact is None:
                problem = _("Dialog Insight no longer has this contact: nothing was saved.")
    initial = forms.ContactForm.initial_from(contact, definition) if contact else {}
    form = forms.ContactForm(definition, request.POST or None, initial=initial, editing=editing)
    if problem:
        form.add_error(None, problem)
    elif request.method == "POST" and form.is_valid():
        try:
            record = services.contact_save(
                user=request.user, key=form.key(), data=form.payload(), creating=not editing
            )
        except ProviderError as error:
            form.add_error(None, str(error))
        else:
            if record.ok:
                done = _("Contact %(key)s updated.") if editing else _("Contact %(key)s created.")
                messages.success(request, done % {"key": form.key()})
                return redirect(contact_url("contact_detail", record.contact_id, form.key()))
            form.add_provider_rejection(record.message or record.validation)
    fields, optins = form.field_groups()
    return render(
        request,
        "contacts/form.html",
        {
            "form": form,
            "fields": fields,
            "optins": optins,
            "editing": editing,
            "contact_id": contact_id,
            "contact": contact,
        },
    )


@_change_form
def contact_create(request: HtmxHttpRequest) -> HttpResponse:
    return _contact_form(request, None)


@_change_form
def contact_edit(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    return _contact_form(request, contact_id)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def contact_delete(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    label = request.POST.get("label") or request.GET.get("label", "")
    if request.method == "POST":
        try:
            deleted = services.contact_delete(user=request.user, contact_id=contact_id, label=label)
        except ProviderError as error:
            messages.error(
                request,
                _failure(
                    error,
                    refused=_("The contact was not deleted."),
                    maybe=_("Dialog Insight may have deleted the contact:"),
                ),
            )
            return redirect(contact_url("contact_detail", contact_id, label))
        if deleted:
            messages.success(
                request,
                _("Contact %(contact)s and its history deleted.")
                % {"contact": label or contact_id},
            )
        else:
            messages.warning(request, _("Dialog Insight had no such contact; nothing was deleted."))
        return redirect("contacts:contact_search")
    try:
        contact = services.contact_get(contact_id=contact_id, key=_key(request) or label)
    except ProviderError as error:
        messages.error(request, str(error))
        return redirect(contact_url("contact_detail", contact_id, _key(request)))
    if contact is None:
        raise Http404(_("No such contact at Dialog Insight."))
    return render(request, "contacts/delete.html", {"contact": contact})


@require_POST
@permission_required(CHANGE, raise_exception=True)
def contact_unsubscribe(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    try:
        contact = services.contact_unsubscribe(
            user=request.user, contact_id=contact_id, key=_key(request)
        )
    except ProviderError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(contact)s unsubscribed from every list; history kept.") % {"contact": contact.key},
        )
    return redirect(contact_url("contact_detail", contact_id, _key(request)))


# --- Segments ---------------------------------------------------------------------------
@require_GET
@permission_required(VIEW, raise_exception=True)
def segment_list(request: HtmxHttpRequest) -> HttpResponse:
    labels = selectors.field_labels()
    page = Paginator(selectors.segments(), 50).get_page(request.GET.get("page"))
    rows = [(s, nomenclature.describe_clause(s.clause, labels)) for s in page]
    return render(
        request,
        "contacts/segments.html",
        {
            "rows": rows,
            "page": page,
            "unavailable": selectors.unavailable("segment_list", "segment_save"),
        },
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def segment_list_refresh(request: HtmxHttpRequest) -> HttpResponse:
    return _refresh(
        request,
        "Segments",
        lambda: [services.segment_list_refresh()],
        reverse("contacts:segment_list"),
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def segment_detail(request: HtmxHttpRequest, segment_id: int) -> HttpResponse:
    segment = get_object_or_404(Segment, provider_id=segment_id)
    definition = selectors.project_fields()
    error = None
    members = []
    try:
        members = services.segment_contact_list(segment=segment)
    except ProviderError as exc:
        error = str(exc)
    return render(
        request,
        "contacts/segment_detail.html",
        {
            "segment": segment,
            "summary": nomenclature.describe_clause(segment.clause, selectors.field_labels()),
            "members": members,
            "error": error,
            "columns": [d for d in definition if d.kind == "field"][:4],
        },
    )


def _conditions(data: Any, definition: list[ProjectField], **kwargs: Any) -> Any:
    """The builder's condition rows, offering what the project's field types and this
    account allow."""
    comparisons = not selectors.comparisons_unavailable()
    return forms.ConditionFormSet(
        data,
        prefix="cond",
        form_kwargs={"definition": definition, "comparisons": comparisons},
        **kwargs,
    )


def _builder_action(data: Any) -> dict[str, Any] | None:
    """How the builder's rows change (`_action` add, remove-N, or refresh after a field or an
    operator was chosen), as RowFormSet.rows_changed's arguments; None on a save."""
    action = data.get("_action", "") if data is not None else ""
    if action in {"add", "refresh"}:
        return {"add": {}} if action == "add" else {}
    index = action.removeprefix("remove-")
    if action.startswith("remove-") and index.isdigit():
        return {"remove": int(index)}
    return None


def _segment_form(request: HtmxHttpRequest, segment: Segment | None) -> HttpResponse:
    """The segment builder, for a new segment (`segment` None) or to edit `segment`."""
    definition = _definition_or_error(request)
    if definition is None:
        return redirect("contacts:segment_list")
    combine, initial_rows = forms.condition_initial(segment.clause if segment else None, definition)
    initial: dict[str, Any] = (
        {"name": segment.name, "combine": combine} if segment else {"token": new_token()}
    )
    data = resubmitted(request.POST) if request.method == "POST" else None
    if (rows := _builder_action(data)) is not None:
        data = forms.ConditionFormSet.rows_changed(data, "cond", **rows)
    form = forms.SegmentForm(data, initial=initial)
    formset = _conditions(data, definition, initial=initial_rows)
    context: dict[str, Any] = {
        "segment": segment,
        "unknown": None,
        "comparisons_unavailable": selectors.comparisons_unavailable(),
    }
    if rows is not None:
        # Rows added or removed, or a field or an operator chosen: nothing was submitted, so
        # the builder comes back as typed, without errors (in place with htmx, else the page).
        show_as_typed(form, formset)
        context.update(form=form, formset=formset)
        template = _fragment(request, "contacts/segment_form.html", "conditions")
        return render(request, template, context)
    if data is not None and segment is None and checking(data):
        form.is_valid(), formset.is_valid()  # the builder as typed
        name = data.get("name", "").strip()

        def find() -> Checked:
            found = services.segment_look_up(name=name)
            if found is None:
                return Checked(
                    _("Dialog Insight, asked just now, has no segment named “%(name)s”.")
                    % {"name": name}
                )
            return Checked(
                _("Dialog Insight has a segment named “%(name)s”:") % {"name": name},
                url=reverse("contacts:segment_detail", args=[found.provider_id]),
                link=_("open “%(name)s”") % {"name": found.name},
            )

        context["unknown"] = _unknown("segment").check(find)
    elif data is not None and form.is_valid() and formset.is_valid():
        try:
            saved = services.segment_save(
                user=request.user,
                name=form.cleaned_data["name"],
                combine=form.cleaned_data["combine"],
                clauses=formset.clauses(),
                segment_id=segment.provider_id if segment else None,
                token=form.cleaned_data.get("token") or "",
            )
        except (AlreadySubmitted, ProviderError) as error:
            context["unknown"], done = _not_done(
                request,
                error,
                _unknown("segment") if segment is None else None,
                back=reverse("contacts:segment_list"),
                already=("segment", "created"),
                form=form,
                failed=lambda error: _failure(
                    error,
                    refused=_("The segment was not saved."),
                    maybe=_(
                        "Dialog Insight may have saved the segment: refresh the Segments "
                        "page and check before saving again."
                    ),
                ),
            )
            if done:
                return done
        else:
            messages.success(request, _("Segment “%(name)s” saved.") % {"name": saved.name})
            return redirect("contacts:segment_detail", segment_id=saved.provider_id)
    context.update(form=form, formset=formset)
    return render(request, "contacts/segment_form.html", context)


@_change_form
def segment_create(request: HtmxHttpRequest) -> HttpResponse:
    return _segment_form(request, None)


@_change_form
def segment_edit(request: HtmxHttpRequest, segment_id: int) -> HttpResponse:
    return _segment_form(request, get_object_or_404(Segment, provider_id=segment_id))


@require_GET
@permission_required(CHANGE, raise_exception=True)
def segment_count(request: HtmxHttpRequest) -> HttpResponse:
    """How many contacts the builder's conditions match now (the builder asks as they
    change): a read, sent only once every condition is complete."""
    formset = _conditions(request.GET, selectors.project_fields())
    count, note = None, _("Complete the conditions to see how many contacts match.")
    if formset.is_valid():
        combine = "OR" if request.GET.get("combine") == "OR" else "AND"
        count, note = services.segment_count(combine=combine, clauses=formset.clauses())
    return render(request, "contacts/segment_form.html#count", {"count": count, "count_note": note})


# --- Imports ------------------------------------------------------------------------------
def _import_page(
    request: HtmxHttpRequest, form: forms.ImportForm | None, definition: list[ProjectField]
) -> HttpResponse:
    """The recent imports, for whoever may view contacts; the upload that starts one, for
    whoever may change them."""
    return render(
        request,
        "contacts/imports.html",
        {"form": form, "jobs": selectors.recent_imports(), "definition": definition},
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def import_list(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.has_perm(CHANGE):
        return _import_page(request, None, [])
    return _import_page(request, forms.ImportForm(), _definition_or_error(request) or [])


@require_POST
@permission_required(VIEW, raise_exception=True)
def import_create(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    definition = _definition_or_error(request) or []
    form = forms.ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_create(user=request.user, filename=upload.name, raw=upload.read())
        except services.ImportFileError as error:
            form.add_error("file", str(error))
        except ProviderError as error:
            form.add_error(None, str(error))
        else:
            tasks.import_run.enqueue(job.pk)
            messages.success(
                request,
                ngettext(
                    "%(count)s contact queued from %(file)s.",
                    "%(count)s contacts queued from %(file)s.",
                    job.total,
                )
                % {"count": job.total, "file": job.filename},
            )
            return redirect("contacts:import_detail", import_id=job.pk)
    return _import_page(request, form, definition)


@require_GET
@permission_required(VIEW, raise_exception=True)
def import_detail(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    job = get_object_or_404(ContactImport, pk=import_id)
    rows = job.rows.exclude(outcome="pending")
    if request.GET.get("outcome") in {"created", "updated", "rejected"}:
        rows = rows.filter(outcome=request.GET["outcome"])
    rows = Paginator(rows, 100).get_page(request.GET.get("page"))
    template = _fragment(request, "contacts/import_detail.html", "progress")
    return render(request, template, {"job": job, "page": rows})


@require_POST
@permission_required(CHANGE, raise_exception=True)
def import_resume(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    job = get_object_or_404(ContactImport, pk=import_id)
    if not (job.status == ContactImport.Status.FAILED or job.stalled):
        messages.info(request, _("This import is not stopped; nothing to resume."))
        return redirect("contacts:import_detail", import_id=job.pk)
    services.import_resume(user=request.user, import_id=job.pk)
    tasks.import_run.enqueue(job.pk)
    messages.info(request, _("Resuming: only the rows not yet merged are sent."))
    return redirect("contacts:import_detail", import_id=job.pk)


@require_GET
@permission_required(VIEW, raise_exception=True)
def import_report(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    job = get_object_or_404(ContactImport, pk=import_id)
    response = HttpResponse(services.import_report(job=job), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response


# --- Mailings ------------------------------------------------------------------------------
@require_GET
@permission_required(VIEW, raise_exception=True)
def mailing_list(request: HtmxHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    mode = request.GET.get("mode", "")
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.mailings(status=status, mode=mode, q=q), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        _fragment(request, "contacts/mailings.html", "results"),
        {
            "page": page,
            "status": status,
            "mode": mode,
            "q": q,
            "statuses": [(s, Mailing.Status(s).label) for s in ("Scheduled", "Sending", "Sent")],
            "unavailable": selectors.unavailable("mailing_statistics_get"),
        },
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def mailing_detail(request: HtmxHttpRequest, mailing_id: int) -> HttpResponse:
    mailing = get_object_or_404(Mailing, provider_id=mailing_id)
    points = selectors.mailing_series([mailing.pk])[mailing.pk]
    return render(
        request,
        _fragment(request, "contacts/mailing_detail.html", "numbers"),
        {
            "mailing": mailing,
            "points": points,
            "figure": charts.mailing_rates_figure(points),
            "unavailable": selectors.unavailable("mailing_statistics_get"),
        },
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def mailing_list_refresh(request: HtmxHttpRequest) -> HttpResponse:
    return _refresh(
        request, "Mailings", services.mailing_list_refresh, reverse("contacts:mailing_list")
    )


@require_http_methods(["GET", "POST"])
@permission_required(SEND, raise_exception=True)
def mailing_send(request: HtmxHttpRequest) -> HttpResponse:
    data = resubmitted(request.POST) if request.method == "POST" else None
    form = forms.SendingForm(data, initial={"segment": request.GET.get("segment")})
    context: dict[str, Any] = {"form": form}
    if data is None or not form.is_valid():
        return render(request, "contacts/mailing_form.html", context)
    chosen = form.cleaned_data
    segment = chosen["segment"]
    choices = _unknown("sending", "sent", anyway=_("Send it anyway…"))  # if the outcome is unknown
    if checking(data):
        since = submitted_at(chosen.get("token") or "")

        def find() -> Checked:
            found = services.mailing_look_up(
                message_id=chosen["message"].provider_id, segment=segment, since=since
            )
            said = {"message": chosen["message"].name, "segment": segment.name if segment else ""}
            if found is None:
                none = (
                    _(
                        "Dialog Insight, asked just now, has no sending of “%(message)s” to "
                        "segment “%(segment)s” since then."
                    )
                    if segment
                    else _(
                        "Dialog Insight, asked just now, has no sending of “%(message)s” to "
                        "everyone in the project since then."
                    )
                )
                return Checked(none % said)
            some = (
                _("Dialog Insight has a sending of “%(message)s” to segment “%(segment)s”:")
                if segment
                else _("Dialog Insight has a sending of “%(message)s” to everyone in the project:")
            )
            return Checked(
                some % said,
                url=reverse("contacts:mailing_detail", args=[found.provider_id]),
                link=_("mailing #%(id)s") % {"id": found.provider_id},
            )

        context["unknown"] = choices.check(find)
    elif going_back(data):
        pass  # back to the choices, as typed
    elif not (confirmed(data) and chosen.get("token")):
        # Say how many contacts it reaches before anything is sent.
        try:
            size = services.mailing_audience_count(
                segment_id=segment.provider_id if segment else None
            )
        except ProviderError as error:
            form.add_error(
                None, _("The audience could not be counted. %(error)s") % {"error": error}
            )
        else:
            if chosen["launch_utc"]:
                label = _("Schedule the sending")
            elif size is None:  # an account that does not count its contacts
                label = _("Send now")
            else:
                label = ngettext(
                    "Send now to %(count)s contact", "Send now to %(count)s contacts", size
                ) % {"count": size}
            context["audience_size"] = size
            context["unavailable"] = selectors.unavailable("contact_count")
            context["confirm"] = Confirmation(carried(data, token=new_token()), label)
    else:
        try:
            mailing = services.mailing_send(
                user=request.user,
                message_id=chosen["message"].provider_id,
                message_name=chosen["message"].name,
                segment=segment,
                launch_at=chosen["launch_utc"],
                token=chosen["token"],
            )
        except (AlreadySubmitted, ProviderError) as error:
            context["unknown"], done = _not_done(
                request,
                error,
                choices,
                back=reverse("contacts:mailing_list"),
                already=("sending", "sent"),
                form=form,
                failed=lambda error: _("Nothing was sent. %(error)s") % {"error": error},
            )
            if done:
                return done
        else:
            done = (
                _("Mailing “%(name)s” scheduled.")
                if chosen["launch_utc"]
                else _("Mailing “%(name)s” launched.")
            )
            messages.success(request, done % {"name": mailing.message_name})
            return redirect(reverse("contacts:mailing_list"))
    return render(request, "contacts/mailing_form.html", context)


# --- Messages -------------------------------------------------------------------------------
@require_POST
@permission_required(SEND, raise_exception=True)
def message_send_one(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    data = resubmitted(request.POST)
    form = forms.TriggerForm(data)
    label = request.POST.get("label", str(contact_id))
    detail = contact_url("contact_detail", contact_id, _key(request))
    choices = _unknown("message", "sent")
    unknown = None
    if checking(data) and form.is_valid():
        message = form.cleaned_data["message"]
        since = submitted_at(form.cleaned_data["token"])

        def find() -> Checked:
            entry = services.message_send_look_up(
                contact_id=contact_id, message_id=message.provider_id, since=since
            )
            said = {"contact": label, "message": message.name}
            if entry is None:
                return Checked(
                    _(
                        "Dialog Insight's history of %(contact)s, asked just now, shows no "
                        "“%(message)s” since then."
                    )
                    % said
                )
            if not entry.sent_at:
                return Checked(
                    _("Dialog Insight's history of %(contact)s shows “%(message)s” sent.") % said
                )
            at = f"{timezone.localtime(entry.sent_at):%Y-%m-%d %H:%M}"
            return Checked(
                _("Dialog Insight's history of %(contact)s shows “%(message)s” sent on %(at)s.")
                % {**said, "at": at}
            )

        unknown = choices.check(find)
    elif form.is_valid():
        message = form.cleaned_data["message"]
        try:
            services.message_send_one(
                user=request.user,
                contact_id=contact_id,
                contact_label=label,
                message_id=message.provider_id,
                message_name=message.name,
                parameters=form.cleaned_data["parameters"],
                token=form.cleaned_data["token"],
            )
        except (AlreadySubmitted, ProviderError) as error:
            unknown, done = _not_done(
                request,
                error,
                choices,
                back=detail,
                already=("message", "sent"),
                failed=lambda error: _("The message was not sent. %(error)s") % {"error": error},
            )
            if done:  # sent by the first submission of this form
                return _sent(request, contact_id, label) if request.htmx else done
        else:
            messages.success(
                request,
                _("“%(message)s” sent to %(contact)s.")
                % {"message": message.name, "contact": label},
            )
            return _sent(request, contact_id, label) if request.htmx else redirect(detail)
    if request.htmx:
        return render(
            request,
            "contacts/detail.html#trigger",
            {"trigger_form": form, "unknown": unknown, "contact": {"id": contact_id, "key": label}},
        )
    # Without JavaScript: the contact's page again, with the form as typed and its errors on
    # their fields (a redirect would lose the parameters the user typed).
    try:
        page = _contact_page(request, contact_id, trigger_form=form, unknown=unknown)
    except ProviderError:
        page = None
    if page is None:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label} {' '.join(errors)}".strip())
        return redirect(detail)
    return render(request, "contacts/detail.html", page, status=200 if form.is_valid() else 422)


def _sent(request: HtmxHttpRequest, contact_id: int, label: str) -> HttpResponse:
    """After a send, in place: a fresh form, and the contact's history and changes read
    again, so that the page shows the message without a reload."""
    history, history_note = services.contact_history(contact_id=contact_id)
    return render(
        request,
        "contacts/detail.html#trigger",
        {
            "trigger_form": forms.TriggerForm(initial={"token": new_token()}),
            "contact": {"id": contact_id, "key": label},
            "sent": True,
            "history": history,
            "history_note": history_note,
            "activity": selectors.contact_activity(contact_id),
        },
    )


@require_GET
@permission_required(SEND, raise_exception=True)
def message_send_one_parameters(request: HtmxHttpRequest, contact_id: int) -> HttpResponse:
    """The send form's inputs for the message chosen, one per placeholder (swapped in when
    the choice changes), keeping the values typed for placeholders of the same name."""
    form = forms.TriggerForm(request.GET)
    show_as_typed(form)
    return render(request, "contacts/detail.html#parameters", {"trigger_form": form})


@require_GET
@permission_required(VIEW, raise_exception=True)
def message_list(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "contacts/messages.html",
        {
            "messages_list": selectors.messages(),
            "unavailable": selectors.unavailable("message_list"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(SEND, raise_exception=True)
def message_create(request: HtmxHttpRequest) -> HttpResponse:
    data = resubmitted(request.POST) if request.method == "POST" else None
    form = forms.MessageForm(data, initial={"token": new_token()})
    choices = _unknown("message")
    unknown = None
    if data is not None and checking(data):
        form.is_valid()  # the form as typed
        name = data.get("name", "").strip()

        def find() -> Checked:
            if services.message_look_up(name=name) is None:
                return Checked(
                    _("Dialog Insight, asked just now, has no message named “%(name)s”.")
                    % {"name": name}
                )
            return Checked(
                _("Dialog Insight has a message named “%(name)s”:") % {"name": name},
                url=reverse("contacts:message_list"),
                link=_("see the messages"),
            )

        unknown = choices.check(find)
    elif data is not None and form.is_valid():
        try:
            message = services.message_create(user=request.user, **form.cleaned_data)
        except (AlreadySubmitted, ProviderError) as error:
            unknown, done = _not_done(
                request,
                error,
                choices,
                back=reverse("contacts:message_list"),
                already=("message", "created"),
                form=form,
                failed=lambda error: _("The message was not created. %(error)s") % {"error": error},
            )
            if done:
                return done
        else:
            messages.success(request, _("Message “%(name)s” created.") % {"name": message.name})
            return redirect("contacts:message_list")
    return render(request, "contacts/message_form.html", {"form": form, "unknown": unknown})
