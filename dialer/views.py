"""The dialer pages: thin views (permission, form, one service or selector call, render)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from dashboard.providers import ProviderError
from dialer import imports, selectors, services
from dialer.forms import ContactForm, ImportMappingForm, ImportUploadForm
from dialer.models import DialerCampaign, DialerContact, DialerImport
from dialer.statuses import GROUPS

VIEW = "dashboard.view_dialer"
CHANGE = "dashboard.change_dialer"


def _fragment(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _posted(request: HttpRequest, data: Any = None) -> Any:
    """The form's data when posted, even an empty POST (htmx sends the CSRF token as a header,
    so a body can be empty): `request.POST or None` would leave the form unbound and silent."""
    if request.method != "POST":
        return None
    return request.POST if data is None else data


# --- Campaigns and the status board ---------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dialer/list.html",
        {
            "rows": selectors.campaign_rows(),
            "groups": GROUPS,
            "synced_at": selectors.last_synced(),
        },
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def campaigns_refresh(request: HttpRequest) -> HttpResponse:
    try:
        summary = services.campaigns_refresh()
    except ProviderError as error:
        messages.error(request, f"Could not refresh from CCAI Platform. {error}")
    else:
        messages.success(request, f"Refreshed from CCAI Platform ({summary}).")
    return redirect("dialer:list")


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_board(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(DialerCampaign, pk=pk)
    board = selectors.board(
        campaign,
        status_slug=request.GET.get("status", ""),
        q=request.GET.get("q", ""),
        page=request.GET.get("page"),
    )
    template = "dialer/board.html"
    if _fragment(request):
        template += "#board"
    return render(
        request,
        template,
        {
            "board": board,
            "campaign": campaign,
            "imports": selectors.recent_imports(campaign),
            "can_change": request.user.has_perm(CHANGE),
        },
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def campaign_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(DialerCampaign, pk=pk)
    try:
        summary = services.campaign_contacts_refresh(campaign=campaign)
    except ProviderError as error:
        messages.error(request, f"Could not refresh from CCAI Platform. {error}")
    else:
        messages.success(request, f"Refreshed from CCAI Platform ({summary}).")
    return redirect("dialer:board", pk=pk)


# --- Contacts -------------------------------------------------------------------------------


def _contact(pk: int, contact_pk: int) -> DialerContact:
    return get_object_or_404(
        DialerContact.objects.select_related("campaign"), pk=contact_pk, campaign_id=pk
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(DialerCampaign, pk=pk)
    form = ContactForm(_posted(request), campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_add(
                user=request.user, campaign=campaign, data=form.cleaned_data
            )
        except ProviderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Added {contact.name} ({contact.phone_number}) to {campaign.name}.",
            )
            return redirect("dialer:board", pk=pk)
    return render(request, "dialer/contact_form.html", {"form": form, "campaign": campaign})


@require_GET
@permission_required(VIEW, raise_exception=True)
def contact_row(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    contact = _contact(pk, contact_pk)
    return render(
        request,
        "dialer/board.html#contact-row",
        {"contact": contact, "can_change": request.user.has_perm(CHANGE)},
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Inline in the board's table with htmx (the row becomes a form), or a page without JS."""
    contact = _contact(pk, contact_pk)
    initial = {
        "name": contact.name,
        "phone_number": contact.phone_number,
        "email": contact.email,
        "external_unique_id": contact.external_unique_id,
    }
    form = ContactForm(
        _posted(request), initial=initial, campaign=contact.campaign, contact=contact
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(user=request.user, contact=contact, data=form.cleaned_data)
        except ProviderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved {contact.name} ({contact.phone_number}).")
            if _fragment(request):
                return render(
                    request,
                    "dialer/board.html#contact-row",
                    {"contact": contact, "can_change": True},
                )
            return redirect("dialer:board", pk=pk)
    context = {"form": form, "contact": contact, "campaign": contact.campaign}
    if _fragment(request):
        return render(request, "dialer/board.html#edit-row", context)
    return render(request, "dialer/contact_form.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def contact_delete(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    contact = _contact(pk, contact_pk)
    if request.method == "POST":
        try:
            outcome = services.contact_delete(user=request.user, contact=contact)
        except ProviderError as error:
            messages.error(request, f"{contact.name} was not deleted. {error}")
        else:
            note = " (CCAI Platform no longer had it)" if outcome == "already gone" else ""
            messages.success(request, f"Deleted {contact.name} ({contact.phone_number}){note}.")
            return redirect("dialer:board", pk=pk)
    return render(
        request, "dialer/contact_delete.html", {"contact": contact, "campaign": contact.campaign}
    )


# --- Bulk import ----------------------------------------------------------------------------


def _import(import_pk: int) -> DialerImport:
    return get_object_or_404(DialerImport.objects.select_related("campaign"), pk=import_pk)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(DialerCampaign, pk=pk)
    form = ImportUploadForm(_posted(request), _posted(request, request.FILES))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            staged = imports.import_upload(
                user=request.user, campaign=campaign, file=upload, file_name=upload.name
            )
        except imports.ImportFileError as error:
            form.add_error("file", f"{upload.name}: {error}")
        else:
            return redirect("dialer:import_map", import_pk=staged.pk)
    return render(request, "dialer/import_upload.html", {"form": form, "campaign": campaign})


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def import_map(request: HttpRequest, import_pk: int) -> HttpResponse:
    upload = _import(import_pk)
    if upload.state not in (DialerImport.State.UPLOADED, DialerImport.State.PREVIEWED):
        return redirect("dialer:import_detail", import_pk=upload.pk)
    form = ImportMappingForm(_posted(request), upload=upload)
    if request.method == "POST" and form.is_valid():
        try:
            imports.import_request_check(upload=upload, mapping=form.mapping())
        except imports.ImportFileError as error:
            form.add_error(None, str(error))
        else:
            return redirect("dialer:import_detail", import_pk=upload.pk)
    sample = list(upload.raw_rows.order_by("line")[:5])
    return render(
        request,
        "dialer/import_map.html",
        {"form": form, "upload": upload, "campaign": upload.campaign, "sample": sample},
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def import_detail(request: HttpRequest, import_pk: int) -> HttpResponse:
    upload = _import(import_pk)
    if upload.state == DialerImport.State.UPLOADED:
        return redirect("dialer:import_map", import_pk=upload.pk)
    return render(
        request,
        "dialer/import_detail.html",
        {
            "upload": upload,
            "campaign": upload.campaign,
            **selectors.import_report(upload),
            "failure": imports.explain_failure(upload) if upload.state == "failed" else "",
            "can_change": request.user.has_perm(CHANGE),
        },
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def import_submit(request: HttpRequest, import_pk: int) -> HttpResponse:
    upload = _import(import_pk)
    try:
        upload = imports.import_submit(user=request.user, upload=upload)
    except imports.ImportOutcomeUnknown as error:
        messages.error(request, str(error))
    except ProviderError as error:
        messages.error(request, f"Nothing was imported. {error}")
    except imports.ImportFileError as error:
        messages.error(request, str(error))
    else:
        if upload.state == DialerImport.State.IN_PROGRESS:
            messages.success(
                request, f"Sent {upload.valid_rows:,} contacts to CCAI Platform; importing now."
            )
    return redirect("dialer:import_detail", import_pk=upload.pk)


@require_GET
@permission_required(VIEW, raise_exception=True)
def import_progress(request: HttpRequest, import_pk: int) -> HttpResponse:
    """The import as last recorded, re-read by its page every second. It asks CCAI nothing and
    changes nothing: the worker's poll (dialer.tasks.poll_imports) moves the import on."""
    upload = _import(import_pk)
    if request.GET.get("checking") and upload.state != DialerImport.State.CHECKING:
        # The check is done: its report is the whole page, not this fragment.
        return HttpResponseClientRefresh()
    return render(
        request,
        "dialer/import_detail.html#progress",
        {
            "upload": upload,
            "campaign": upload.campaign,
            "failure": imports.explain_failure(upload) if upload.state == "failed" else "",
            # An interrupted send comes back here as ready to send again: show its button.
            "can_change": request.user.has_perm(CHANGE),
        },
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def import_rejected(request: HttpRequest, import_pk: int) -> HttpResponse:
    upload = _import(import_pk)
    name = slugify(upload.file_name.rsplit(".", 1)[0]) or "import"
    response = StreamingHttpResponse(imports.rejected_csv(upload), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}-rejected-rows.csv"'
    return response
