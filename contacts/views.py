from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from contacts import charts, forms, selectors, services
from contacts.models import BulkSync, Mailing, Segment
from contacts.templatetags.contacts_tags import contact_url
from dashboard.providers import ProviderError
from dashboard.submissions import (
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

VIEW = "dashboard.view_contacts"
CHANGE = "dashboard.change_contacts"
SEND = "dashboard.send_mailings"


def _key(request) -> str:
    """The contact's project key when the page passed it: on an account that does not let
    Switchboard open a contact by id, it finds the contact instead (see contacts/client.py)."""
    return (request.POST.get("key") or request.GET.get("key") or "").strip()


def _unknown(noun: str, done: str = "created", **kwargs) -> OutcomeUnknown:
    return OutcomeUnknown(provider="Dialog Insight", noun=noun, done=done, **kwargs)


def _definition_or_error(request) -> list | None:
    """The project's fields and opt-ins. A GET reads the mirror only (the worker's sync keeps
    it); a POST fetches them if they were never synced."""
    if request.method == "GET":
        if definition := selectors.project_fields():
            return definition
        messages.warning(
            request,
            "The project's fields have not been loaded from Dialog Insight yet: the worker's "
            "next sync (every two minutes) loads them.",
        )
        return None
    try:
        return services.project_definition()
    except ProviderError as error:
        messages.error(request, f"The project's fields could not be loaded. {error}")
        return None


# --- Contacts ---------------------------------------------------------------------------
@require_GET
@permission_required(VIEW, raise_exception=True)
def contact_search(request):
    definition = _definition_or_error(request)
    form = forms.SearchForm(request.GET or None)
    results = error = None
    if form.is_bound and form.is_valid() and form.clause():
        try:
            results = services.contact_search(
                clause=form.clause(), page=form.cleaned_data.get("page") or 1
            )
        except ProviderError as exc:
            error = str(exc)
    template = "contacts/search.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    columns = [d for d in (definition or []) if d.kind == "field"][:4]
    optins = [d for d in (definition or []) if d.kind == "optin"]
    return render(
        request,
        template,
        {"form": form, "results": results, "error": error, "columns": columns, "optins": optins},
    )


def _detail_context(contact, definition) -> dict:
    rows = [
        (d.label, contact.values.get(d.code), d.data_type) for d in definition if d.kind == "field"
    ]
    optins = [
        {
            "code": d.code,
            "label": d.label,
            "subscribed": contact.optins.get(d.code, False),
            "date": contact.optin_dates.get(d.code) or "",
        }
        for d in definition
        if d.kind == "optin"
    ]
    return {"contact": contact, "rows": rows, "optins": optins}


@require_GET
@permission_required(VIEW, raise_exception=True)
def contact_detail(request, id_contact: int):
    definition = _definition_or_error(request) or []
    try:
        contact, history, history_note = services.contact_detail(
            id_contact=id_contact, key=_key(request)
        )
    except ProviderError as error:
        return render(
            request, "contacts/detail.html", {"error": str(error), "id_contact": id_contact}
        )
    if contact is None:
        raise Http404("No such contact at Dialog Insight.")
    context = _detail_context(contact, definition)
    context.update(history=history, history_note=history_note)
    context["activity"] = selectors.contact_activity(id_contact)
    if request.user.has_perm(SEND):
        context["trigger_form"] = forms.TriggerForm(initial={"token": new_token()})
        context["parameterised"] = selectors.messages_with_parameters()
    return render(request, "contacts/detail.html", context)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def contact_optin(request, id_contact: int, code: str):
    subscribed = request.POST.get("subscribed") == "1"
    try:
        contact = services.contact_set_optin(
            user=request.user,
            id_contact=id_contact,
            code=code,
            subscribed=subscribed,
            key=_key(request),
        )
    except ProviderError as error:
        messages.error(request, str(error))
        if request.htmx:
            return HttpResponse(status=204)
        return redirect(contact_url("detail", id_contact, _key(request)))
    label = next((o.label for o in selectors.project_fields() if o.code == code), code)
    messages.success(
        request, f"{contact.key} {'subscribed to' if subscribed else 'unsubscribed from'} {label}."
    )
    if request.htmx:
        context = _detail_context(contact, selectors.project_fields())
        return render(request, "contacts/detail.html#optins", context)
    return redirect(contact_url("detail", id_contact, contact.key))


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def contact_form(request, id_contact: int | None = None):
    definition = _definition_or_error(request)
    if definition is None:
        return redirect("contacts:search")
    editing = id_contact is not None
    contact = None
    problem = ""
    if editing:
        # Contacts.Merge goes by the project key: on a save too, the key is that of the URL's
        # contact as Dialog Insight has it, never one the browser sends.
        try:
            contact = services.contact_get(id_contact=id_contact, key=_key(request))
        except ProviderError as error:
            if request.method == "GET":
                messages.error(request, str(error))
                return redirect("contacts:search")
            problem = f"Nothing was saved: the contact could not be read. {error}"
        else:
            if contact is None and request.method == "GET":
                raise Http404("No such contact at Dialog Insight.")
            if contact is None:
                problem = "Dialog Insight no longer has this contact: nothing was saved."
    initial = forms.ContactForm.initial_from(contact) if contact else {}
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
                verb = "updated" if editing else "created"
                messages.success(request, f"Contact {form.key()} {verb}.")
                return redirect(contact_url("detail", record.id_record, form.key()))
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
            "id_contact": id_contact,
            "contact": contact,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def contact_delete(request, id_contact: int):
    label = request.POST.get("label") or request.GET.get("label", "")
    if request.method == "POST":
        try:
            deleted = services.contact_delete(user=request.user, id_contact=id_contact, label=label)
        except ProviderError as error:
            messages.error(
                request,
                services.failure_sentence(
                    error,
                    refused="The contact was not deleted.",
                    maybe="Dialog Insight may have deleted the contact:",
                ),
            )
            return redirect(contact_url("detail", id_contact, label))
        if deleted:
            messages.success(request, f"Contact {label or id_contact} and its history deleted.")
        else:
            messages.warning(request, "Dialog Insight had no such contact; nothing was deleted.")
        return redirect("contacts:search")
    try:
        contact = services.contact_get(id_contact=id_contact, key=_key(request) or label)
    except ProviderError as error:
        messages.error(request, str(error))
        return redirect(contact_url("detail", id_contact, _key(request)))
    if contact is None:
        raise Http404("No such contact at Dialog Insight.")
    return render(request, "contacts/delete.html", {"contact": contact})


@require_POST
@permission_required(CHANGE, raise_exception=True)
def contact_unsubscribe(request, id_contact: int):
    try:
        contact = services.contact_unsubscribe_all(
            user=request.user, id_contact=id_contact, key=_key(request)
        )
    except ProviderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{contact.key} unsubscribed from every list; history kept.")
    return redirect(contact_url("detail", id_contact, _key(request)))


# --- Segments ---------------------------------------------------------------------------
@require_GET
@permission_required(VIEW, raise_exception=True)
def segment_list(request):
    labels = selectors.field_labels()
    page = Paginator(selectors.segments(), 50).get_page(request.GET.get("page"))
    rows = [(s, services.nomenclature.describe_clause(s.clause, labels)) for s in page]
    return render(
        request,
        "contacts/segments.html",
        {
            "rows": rows,
            "page": page,
            "unavailable": selectors.unavailable("segments_list", "segment_save"),
        },
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def segment_refresh(request):
    try:
        result = services.sync.sync_segments()
    except ProviderError as error:
        messages.error(request, f"Segments were not refreshed. {error}")
    else:
        _refreshed(request, "Segments", [result])
    return redirect("contacts:segments")


def _refreshed(request, what: str, results: list) -> None:
    """Say what a refresh did, and what this account could not give."""
    notes = [note for result in results for note in result.errors]
    if notes:
        messages.warning(request, f"{what} refreshed, in part. {' '.join(notes)}")
    else:
        messages.success(request, f"{what} refreshed ({'; '.join(map(str, results))}).")


@require_GET
@permission_required(VIEW, raise_exception=True)
def segment_detail(request, id_filter: int):
    segment = get_object_or_404(Segment, id_filter=id_filter)
    definition = selectors.project_fields()
    error = None
    members = []
    try:
        members = services.segment_contacts(segment=segment)
    except ProviderError as exc:
        error = str(exc)
    return render(
        request,
        "contacts/segment_detail.html",
        {
            "segment": segment,
            "summary": services.nomenclature.describe_clause(
                segment.clause, selectors.field_labels()
            ),
            "members": members,
            "error": error,
            "columns": [d for d in definition if d.kind == "field"][:4],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def segment_form(request, id_filter: int | None = None):
    if _definition_or_error(request) is None:
        return redirect("contacts:segments")
    segment = get_object_or_404(Segment, id_filter=id_filter) if id_filter else None
    initial_rows: list = []
    initial = {}
    if segment is not None:
        combine, initial_rows = forms.condition_initial(segment.clause)
        initial = {"name": segment.name, "combine": combine}
    else:
        initial = {"token": new_token()}
    data = resubmitted(request.POST) if request.method == "POST" else None
    form = forms.SegmentForm(data, initial=initial)
    formset = forms.ConditionFormSet(data, initial=initial_rows, prefix="cond")
    unknown = None
    if data is not None and segment is None and checking(data):
        form.is_valid(), formset.is_valid()  # the builder as typed
        name = data.get("name", "").strip()

        def find() -> Checked:
            found = services.segment_look_up(name=name)
            if found is None:
                return Checked(f"Dialog Insight, asked just now, has no segment named “{name}”.")
            return Checked(
                f"Dialog Insight has a segment named “{name}”:",
                url=reverse("contacts:segment", args=[found.id_filter]),
                link=f"open “{found.name}”",
            )

        unknown = _unknown("segment").check(find)
    elif request.method == "POST" and "add_condition" in request.POST:
        # Add a row without validating (the builder works without JavaScript).
        data = request.POST.copy()
        rows = data.get("cond-TOTAL_FORMS", "1")
        rows = int(rows) if rows.isascii() and rows.isdigit() else 1
        # The formset caps the rows it builds; a crafted count must not build thousands.
        data["cond-TOTAL_FORMS"] = str(min(rows + 1, forms.ConditionFormSet.max_num))
        form = forms.SegmentForm(data)
        formset = forms.ConditionFormSet(data, prefix="cond")
        form.errors.clear()
        for f in formset.forms:
            f._errors = {}
        formset._non_form_errors = formset.error_class()
    elif request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.segment_save(
                user=request.user,
                name=form.cleaned_data["name"],
                combine=form.cleaned_data["combine"],
                clauses=formset.clauses(),
                id_filter=id_filter,
                token=form.cleaned_data.get("token") or "",
            )
        except (services.AlreadySubmitted, ProviderError) as error:
            unknown = _unknown("segment").after(error) if segment is None else None
            if unknown is None and isinstance(error, services.AlreadySubmitted):
                messages.warning(
                    request, "This segment was already submitted; it was not created a second time."
                )
                return redirect("contacts:segments")
            if unknown is None:
                form.add_error(
                    None,
                    services.failure_sentence(
                        error,
                        refused="The segment was not saved.",
                        maybe="Dialog Insight may have saved the segment: refresh the Segments "
                        "page and check before saving again.",
                    ),
                )
        else:
            messages.success(request, f"Segment “{saved.name}” saved.")
            return redirect("contacts:segment", id_filter=saved.id_filter)
    return render(
        request,
        "contacts/segment_form.html",
        {"form": form, "formset": formset, "segment": segment, "unknown": unknown},
    )


# --- Bulk sync ---------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@permission_required(VIEW, raise_exception=True)
def bulk_sync(request):
    """The recent bulk syncs, for whoever may view contacts; the upload that starts one, for
    whoever may change them."""
    if not request.user.has_perm(CHANGE):
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "contacts/bulk_sync.html", {"jobs": selectors.bulk_syncs()})
    definition = _definition_or_error(request) or []
    form = forms.BulkSyncForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.bulk_sync_create(
                user=request.user, filename=upload.name, raw=upload.read()
            )
        except services.BulkSyncFileError as error:
            form.add_error("file", str(error))
        except ProviderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{job.total} contacts queued from {job.filename}.")
            return redirect("contacts:bulk_sync_detail", job_id=job.pk)
    return render(
        request,
        "contacts/bulk_sync.html",
        {"form": form, "jobs": selectors.bulk_syncs(), "definition": definition},
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def bulk_sync_detail(request, job_id: int):
    job = get_object_or_404(BulkSync, pk=job_id)
    rows = job.rows.exclude(outcome="pending")
    if request.GET.get("outcome") in {"created", "updated", "rejected"}:
        rows = rows.filter(outcome=request.GET["outcome"])
    rows = Paginator(rows, 100).get_page(request.GET.get("page"))
    template = "contacts/bulk_sync_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#progress"
    return render(request, template, {"job": job, "page": rows})


@require_POST
@permission_required(CHANGE, raise_exception=True)
def bulk_sync_resume(request, job_id: int):
    job = get_object_or_404(BulkSync, pk=job_id)
    if not (job.status == BulkSync.Status.FAILED or job.stalled):
        messages.info(request, "This bulk sync is not stopped; nothing to resume.")
        return redirect("contacts:bulk_sync_detail", job_id=job.pk)
    services.bulk_sync_resume(user=request.user, job_id=job.pk)
    messages.info(request, "Resuming: only the rows not yet merged are sent.")
    return redirect("contacts:bulk_sync_detail", job_id=job.pk)


@require_GET
@permission_required(VIEW, raise_exception=True)
def bulk_sync_report(request, job_id: int):
    job = get_object_or_404(BulkSync, pk=job_id)
    response = HttpResponse(services.bulk_sync_report(job=job), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="bulk-sync-{job.pk}-report.csv"'
    return response


# --- Mailings (issue 7) ------------------------------------------------------------------
@require_GET
@permission_required(VIEW, raise_exception=True)
def mailing_list(request):
    status = request.GET.get("status", "")
    mode = request.GET.get("mode", "")
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.mailings(status=status, mode=mode, q=q), 50).get_page(
        request.GET.get("page")
    )
    template = "contacts/mailings.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(
        request,
        template,
        {
            "page": page,
            "status": status,
            "mode": mode,
            "q": q,
            "statuses": ["Scheduled", "Sending", "Sent"],
            "unavailable": selectors.unavailable("statistics"),
        },
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def mailing_detail(request, id_batch: int):
    mailing = get_object_or_404(Mailing, id_batch=id_batch)
    points = selectors.mailing_series([mailing.pk])[mailing.pk]
    template = "contacts/mailing_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#numbers"
    return render(
        request,
        template,
        {
            "mailing": mailing,
            "points": points,
            "figure": charts.mailing_rates_figure(points),
            "unavailable": selectors.unavailable("statistics"),
        },
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def mailing_refresh(request):
    try:
        results = [services.sync.sync_messages(), services.sync.sync_mailings()]
    except ProviderError as error:
        messages.error(request, f"Mailings were not refreshed. {error}")
    else:
        _refreshed(request, "Mailings", results)
    return redirect("contacts:mailings")


@require_http_methods(["GET", "POST"])
@permission_required(SEND, raise_exception=True)
def mailing_new(request):
    data = resubmitted(request.POST) if request.method == "POST" else None
    form = forms.SendingForm(data, initial={"segment": request.GET.get("segment")})
    context: dict = {"form": form}
    if data is None or not form.is_valid():
        return render(request, "contacts/mailing_form.html", context)
    chosen = form.cleaned_data
    segment = chosen["segment"]
    choices = _unknown("sending", "sent", anyway="Send it anyway…")  # if the outcome is unknown
    if checking(data):
        since = submitted_at(chosen.get("token") or "")
        audience = f"segment “{segment.name}”" if segment else "everyone in the project"

        def find() -> Checked:
            found = services.mailing_look_up(
                id_message=chosen["message"].id_message, segment=segment, since=since
            )
            what = f"sending of “{chosen['message'].name}” to {audience}"
            if found is None:
                return Checked(f"Dialog Insight, asked just now, has no {what} since then.")
            return Checked(f"Dialog Insight has a {what}:", url=reverse("contacts:mailing",
                           args=[found.id_batch]), link=f"mailing #{found.id_batch}")  # fmt: skip

        context["unknown"] = choices.check(find)
    elif going_back(data):
        pass  # back to the choices, as typed
    elif not (confirmed(data) and chosen.get("token")):
        # Say how many contacts it reaches before anything is sent.
        try:
            size = services.mailing_audience_size(id_filter=segment.id_filter if segment else None)
        except ProviderError as error:
            form.add_error(None, f"The audience could not be counted. {error}")
        else:
            if chosen["launch_utc"]:
                label = "Schedule the sending"
            elif size is None:  # an account that does not count its contacts
                label = "Send now"
            else:
                label = f"Send now to {size} contact{pluralize(size)}"
            context["audience_size"] = size
            context["unavailable"] = selectors.unavailable("contacts_count")
            context["confirm"] = Confirmation(carried(data, token=new_token()), label)
    else:
        try:
            mailing = services.mailing_send(
                user=request.user,
                id_message=chosen["message"].id_message,
                message_name=chosen["message"].name,
                segment=segment,
                launch_at=chosen["launch_utc"],
                token=chosen["token"],
            )
        except (services.AlreadySubmitted, ProviderError) as error:
            context["unknown"] = choices.after(error)
            if context["unknown"] is None and isinstance(error, services.AlreadySubmitted):
                messages.warning(
                    request, "This sending was already submitted; it was not sent a second time."
                )
                return redirect(reverse("contacts:mailings"))
            if context["unknown"] is None:
                form.add_error(None, f"Nothing was sent. {error}")
        else:
            verb = "scheduled" if chosen["launch_utc"] else "launched"
            messages.success(request, f"Mailing “{mailing.message_name}” {verb}.")
            return redirect(reverse("contacts:mailings"))
    return render(request, "contacts/mailing_form.html", context)


@require_POST
@permission_required(SEND, raise_exception=True)
def contact_trigger(request, id_contact: int):
    data = resubmitted(request.POST)
    form = forms.TriggerForm(data)
    label = request.POST.get("label", str(id_contact))
    unknown = None
    if checking(data) and form.is_valid():
        message = form.cleaned_data["message"]
        since = submitted_at(form.cleaned_data["token"])

        def find() -> Checked:
            entry = services.trigger_look_up(
                id_contact=id_contact, id_message=message.id_message, since=since
            )
            if entry is None:
                return Checked(
                    f"Dialog Insight's history of {label}, asked just now, shows no "
                    f"“{message.name}” since then."
                )
            at = f" on {timezone.localtime(entry.sent_at):%Y-%m-%d %H:%M}" if entry.sent_at else ""
            return Checked(f"Dialog Insight's history of {label} shows “{message.name}” sent{at}.")

        unknown = _unknown("message", "sent").check(find)
    elif form.is_valid():
        message = form.cleaned_data["message"]
        try:
            services.message_trigger(
                user=request.user,
                id_contact=id_contact,
                contact_label=label,
                id_message=message.id_message,
                message_name=message.name,
                parameters=form.cleaned_data["parameters"],
                token=form.cleaned_data["token"],
            )
        except (services.AlreadySubmitted, ProviderError) as error:
            unknown = _unknown("message", "sent").after(error)
            if unknown is None and isinstance(error, services.AlreadySubmitted):
                messages.warning(
                    request, "This message was already submitted; it was not sent a second time."
                )
                if request.htmx:
                    return HttpResponseClientRedirect(
                        contact_url("detail", id_contact, _key(request))
                    )
                return redirect(contact_url("detail", id_contact, _key(request)))
            if unknown is None:
                messages.error(request, f"The message was not sent. {error}")
        else:
            messages.success(request, f"“{message.name}” sent to {label}.")
            if request.htmx:
                return HttpResponseClientRedirect(contact_url("detail", id_contact, _key(request)))
            return redirect(contact_url("detail", id_contact, _key(request)))
    if request.htmx:
        return render(
            request,
            "contacts/detail.html#trigger",
            {
                "trigger_form": form,
                "unknown": unknown,
                "contact": {"id": id_contact, "key": label},
                "parameterised": selectors.messages_with_parameters(),
            },
        )
    # Without JavaScript: the contact's page again, with the form as typed and its errors on
    # their fields (a redirect would lose the parameters the user typed).
    try:
        contact, history, history_note = services.contact_detail(
            id_contact=id_contact, key=_key(request)
        )
    except ProviderError:
        contact, history, history_note = None, [], ""
    if contact is None:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label} {' '.join(errors)}".strip())
        return redirect(contact_url("detail", id_contact, _key(request)))
    context = _detail_context(contact, selectors.project_fields())
    context.update(
        history=history,
        history_note=history_note,
        activity=selectors.contact_activity(id_contact),
        trigger_form=form,
        unknown=unknown,
        parameterised=selectors.messages_with_parameters(),
    )
    return render(request, "contacts/detail.html", context, status=200 if form.is_valid() else 422)


@require_GET
@permission_required(VIEW, raise_exception=True)
def message_list(request):
    return render(
        request,
        "contacts/messages.html",
        {
            "messages_list": selectors.messages(),
            "unavailable": selectors.unavailable("messages_list"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(SEND, raise_exception=True)
def message_new(request):
    data = resubmitted(request.POST) if request.method == "POST" else None
    form = forms.MessageForm(data, initial={"token": new_token()})
    unknown = None
    if data is not None and checking(data):
        form.is_valid()  # the form as typed
        name = data.get("name", "").strip()

        def find() -> Checked:
            if services.message_look_up(name=name) is None:
                return Checked(f"Dialog Insight, asked just now, has no message named “{name}”.")
            return Checked(
                f"Dialog Insight has a message named “{name}”:",
                url=reverse("contacts:messages"),
                link="see the messages",
            )

        unknown = _unknown("message").check(find)
    elif data is not None and form.is_valid():
        try:
            message = services.message_create(user=request.user, **form.cleaned_data)
        except (services.AlreadySubmitted, ProviderError) as error:
            unknown = _unknown("message").after(error)
            if unknown is None and isinstance(error, services.AlreadySubmitted):
                messages.warning(
                    request, "This message was already submitted; it was not created a second time."
                )
                return redirect("contacts:messages")
            if unknown is None:
                form.add_error(None, f"The message was not created. {error}")
        else:
            messages.success(request, f"Message “{message.name}” created.")
            return redirect("contacts:messages")
    return render(request, "contacts/message_form.html", {"form": form, "unknown": unknown})
