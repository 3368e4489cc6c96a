"""The dialer pages: thin views (permission, form, one service or selector call, render)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboard.http import HtmxHttpRequest
from dashboard.providers import ProviderError
from dashboard.views import refreshed
from dialer import imports, selectors, services, tasks
from dialer.forms import (
    ContactForm,
    ImportFormatForm,
    ImportMappingForm,
    ImportRowForm,
    ImportUploadForm,
)
from dialer.models import DialerCampaign, DialerContact, DialerImport, DialerImportRow
from dialer.statuses import GROUPS

VIEW = "dashboard.view_dialer"
CHANGE = "dashboard.change_dialer"


def sent_message(count: int) -> str:
    """What the user reads once an import's contacts are sent."""
    return ngettext(
        "Sent %(count)s contact to CCAI Platform; importing now.",
        "Sent %(count)s contacts to CCAI Platform; importing now.",
        count,
    ) % {"count": number_format(count, force_grouping=True)}


def _fragment(request: HtmxHttpRequest) -> bool:
    """An htmx request for a piece of the page (not a boosted link, nor htmx restoring a page
    of its history, which needs the whole page)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def _posted(request: HtmxHttpRequest, data: Any = None) -> Any:
    """The form's data when posted, even an empty POST (htmx sends the CSRF token as a header,
    so a body can be empty): `request.POST or None` would leave the form unbound and silent."""
    if request.method != "POST":
        return None
    return request.POST if data is None else data


def _campaign(campaign_id: int) -> DialerCampaign:
    return get_object_or_404(DialerCampaign, provider_id=campaign_id)


def _to_board(campaign: DialerCampaign) -> HttpResponse:
    return redirect("dialer:campaign_detail", campaign_id=campaign.provider_id)


def _refreshed(request: HtmxHttpRequest, refresh: Any) -> None:
    """Run a refresh from CCAI and say how it went."""
    refreshed(
        request,
        refresh,
        done=gettext("Refreshed from CCAI Platform (%(summary)s)."),
        failed=gettext("Could not refresh from CCAI Platform. %(error)s"),
    )


# --- Campaigns and the status board ---------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_list(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "dialer/list.html",
        {
            "rows": selectors.campaign_rows(),
            "groups": GROUPS,
            "synced_at": selectors.last_synced(),
        },
    )


# Everyone watching a board re-reads it every few seconds: it is rendered once per version of
# the campaign (and per language, zone and view), and again as soon as anything on it changes.
BOARD_CACHE_SECONDS = 600


def _board(
    campaign: DialerCampaign,
    live: selectors.BoardLive,
    *,
    status: str,
    q: str,
    page: str,
    can_change: bool,
) -> str:
    def rendered() -> str:
        board = selectors.board(campaign, status_slug=status, q=q, page=page or None)
        context = {"board": board, "live": live, "campaign": campaign, "can_change": can_change}
        # Without the request: shared by everyone watching, the board holds nothing of one
        # request's (and the context processors, for the page around it, are not run twice).
        return render_to_string("dialer/board.html#board", context)

    html = cache.get_or_set(live.fragment_key, rendered, BOARD_CACHE_SECONDS)
    return mark_safe(html)  # rendered by the template above, escaped there


@require_POST
@permission_required(VIEW, raise_exception=True)
def campaign_list_refresh(request: HtmxHttpRequest) -> HttpResponse:
    _refreshed(request, services.campaign_list_refresh)
    return redirect("dialer:campaign_list")


@require_GET
@permission_required(VIEW, raise_exception=True)
def campaign_detail(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's status board. Its `#board` partial is what the page re-reads while it is
    open: answered 304 while nothing it shows has changed (the campaign's version stamp), with
    the time CCAI last confirmed it."""
    campaign = _campaign(campaign_id)
    status, q, page = (request.GET.get(k, "") for k in ("status", "q", "page"))
    can_change = request.user.has_perm(CHANGE)
    live = selectors.board_live(campaign, status=status, q=q, page=page, can_change=can_change)
    if _fragment(request):
        unchanged = get_conditional_response(request, etag=live.etag)
        if unchanged is not None:
            return live.headers(unchanged)
    board = _board(campaign, live, status=status, q=q, page=page, can_change=can_change)
    if _fragment(request):
        return live.headers(HttpResponse(board))
    context = {
        "board": board,
        "q": selectors.search_text(q),
        "campaign": campaign,
        "imports": selectors.recent_imports(campaign),
        "can_change": can_change,
    }
    response = render(request, "dialer/board.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@permission_required(VIEW, raise_exception=True)
def campaign_contacts_refresh(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    _refreshed(request, lambda: services.campaign_contacts_refresh(campaign=campaign))
    return _to_board(campaign)


# --- Contacts -------------------------------------------------------------------------------


def _contact(campaign_id: int, contact_id: int) -> DialerContact:
    return get_object_or_404(
        DialerContact.objects.select_related("campaign"),
        pk=contact_id,
        campaign__provider_id=campaign_id,
    )


def _row(request: HtmxHttpRequest, contact: DialerContact, can_change: bool) -> HttpResponse:
    return render(
        request,
        "dialer/board.html#contact-row",
        {"contact": contact, "campaign": contact.campaign, "can_change": can_change},
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def contact_add(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    form = ContactForm(_posted(request), campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_add(
                user=request.user, campaign=campaign, data=form.cleaned_data
            )
        except ProviderError as error:
            form.add_error(None, str(error))
        else:
            # CCAI's answer carries no id: the contacts sync learns it.
            tasks.enqueue(tasks.sync_campaign_contacts, campaign.pk)
            messages.success(
                request,
                gettext("Added %(name)s (%(phone)s) to %(campaign)s.")
                % {"name": contact.name, "phone": contact.phone_display, "campaign": campaign.name},
            )
            return _to_board(campaign)
    return render(request, "dialer/contact_form.html", {"form": form, "campaign": campaign})


@require_GET
@permission_required(VIEW, raise_exception=True)
def contact_row(request: HtmxHttpRequest, campaign_id: int, contact_id: int) -> HttpResponse:
    return _row(request, _contact(campaign_id, contact_id), request.user.has_perm(CHANGE))


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def contact_edit(request: HtmxHttpRequest, campaign_id: int, contact_id: int) -> HttpResponse:
    """Inline in the board's table with htmx (the row becomes a form), or a page without JS."""
    contact = _contact(campaign_id, contact_id)
    initial = {
        "name": contact.name,
        "phone_number": contact.phone_display,
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
            messages.success(
                request,
                gettext("Saved %(name)s (%(phone)s).")
                % {"name": contact.name, "phone": contact.phone_display},
            )
            if _fragment(request):
                return _row(request, contact, can_change=True)
            return _to_board(contact.campaign)
    context = {"form": form, "contact": contact, "campaign": contact.campaign}
    if _fragment(request):
        return render(request, "dialer/board.html#edit-row", context)
    return render(request, "dialer/contact_form.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def contact_delete(request: HtmxHttpRequest, campaign_id: int, contact_id: int) -> HttpResponse:
    contact = _contact(campaign_id, contact_id)
    if request.method == "POST":
        try:
            outcome = services.contact_delete(user=request.user, contact=contact)
        except ProviderError as error:
            messages.error(
                request,
                gettext("%(name)s was not deleted. %(error)s")
                % {"name": contact.name, "error": error},
            )
        else:
            if outcome == "already gone":
                sentence = gettext("Deleted %(name)s (%(phone)s) (CCAI Platform no longer had it).")
            else:
                sentence = gettext("Deleted %(name)s (%(phone)s).")
            messages.success(
                request, sentence % {"name": contact.name, "phone": contact.phone_display}
            )
            return _to_board(contact.campaign)
    return render(
        request, "dialer/contact_delete.html", {"contact": contact, "campaign": contact.campaign}
    )


# --- Bulk import ----------------------------------------------------------------------------


def _import(import_id: int) -> DialerImport:
    return get_object_or_404(DialerImport.objects.select_related("campaign"), pk=import_id)


def _import_context(
    request: HtmxHttpRequest, upload: DialerImport, *, report: bool = True
) -> dict[str, Any]:
    """What the import's page and its polled fragments show (`report`: its rows too)."""
    return {
        "upload": upload,
        "campaign": upload.campaign,
        "failure": imports.explain_failure(upload) if upload.state == "failed" else "",
        # An interrupted send comes back as ready to send again: show its button.
        "can_change": request.user.has_perm(CHANGE),
        "stalled": imports.check_stalled(upload),
        **(selectors.import_report(upload) if report else {}),
    }


def _check_later(upload: DialerImport) -> None:
    if upload.state == DialerImport.State.CHECKING:  # a large file: a worker checks it
        tasks.enqueue(tasks.check_import, upload.pk)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def import_create(request: HtmxHttpRequest, campaign_id: int) -> HttpResponse:
    """Upload a file (step 1)."""
    campaign = _campaign(campaign_id)
    form = ImportUploadForm(_posted(request), _posted(request, request.FILES))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            staged = imports.import_create(
                user=request.user, campaign=campaign, file=upload, file_name=upload.name
            )
        except imports.ImportFileError as error:
            form.add_error(
                "file",
                gettext("%(file)s: %(problem)s") % {"file": upload.name, "problem": error},
            )
        else:
            return redirect("dialer:import_map", import_id=staged.pk)
    return render(request, "dialer/import_upload.html", {"form": form, "campaign": campaign})


def _columns_page(
    request: HtmxHttpRequest,
    upload: DialerImport,
    form: ImportMappingForm | None = None,
    format_form: ImportFormatForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "dialer/import_map.html",
        {
            "form": form or ImportMappingForm(upload=upload),
            "format_form": format_form or ImportFormatForm(upload=upload),
            "upload": upload,
            "campaign": upload.campaign,
            "sample": imports.import_sample(upload),
        },
    )


def _columns_step(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view of step 2 (the columns), given the import while its columns can still be
    chosen; an import past that step goes to its report."""

    @wraps(view)
    def step(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
        upload = _import(import_id)
        if upload.state not in (DialerImport.State.UPLOADED, DialerImport.State.PREVIEWED):
            return redirect("dialer:import_detail", import_id=upload.pk)
        return view(request, upload)

    return step


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
@_columns_step
def import_map(request: HtmxHttpRequest, upload: DialerImport) -> HttpResponse:
    """Choose which column is which, then have the rows checked (step 2)."""
    form = ImportMappingForm(_posted(request), upload=upload)
    if request.method == "POST" and form.is_valid():
        try:
            upload = imports.import_map(upload=upload, mapping=form.mapping())
        except imports.ImportFileError as error:
            form.add_error(None, str(error))
        else:
            _check_later(upload)
            return redirect("dialer:import_detail", import_id=upload.pk)
    return _columns_page(request, upload, form=form)


@require_POST
@permission_required(CHANGE, raise_exception=True)
@_columns_step
def import_reformat(request: HtmxHttpRequest, upload: DialerImport) -> HttpResponse:
    """Read the file again with the encoding and delimiter the user chose (step 2)."""
    form = ImportFormatForm(request.POST, upload=upload)
    if form.is_valid():
        data = form.cleaned_data
        try:
            imports.import_reformat(
                upload=upload,
                encoding=data["encoding"],
                delimiter=data.get("delimiter") or upload.delimiter,
            )
        except imports.ImportFileError as error:
            form.add_error(None, str(error))
        else:
            return redirect("dialer:import_map", import_id=upload.pk)
    return _columns_page(request, upload, format_form=form)


@require_GET
@permission_required(VIEW, raise_exception=True)
def import_detail(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    """The check report, then the import's progress and outcome (steps 3 and 4)."""
    upload = _import(import_id)
    if upload.state == DialerImport.State.UPLOADED:
        return redirect("dialer:import_map", import_id=upload.pk)
    return render(request, "dialer/import_detail.html", _import_context(request, upload))


@require_POST
@permission_required(CHANGE, raise_exception=True)
def import_check_restart(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    upload = imports.import_check_restart(upload=_import(import_id))
    _check_later(upload)
    return redirect("dialer:import_detail", import_id=upload.pk)


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def import_row_fix(request: HtmxHttpRequest, row_id: int) -> HttpResponse:
    """Correct one rejected row on the report and check it again (inline with htmx)."""
    row = get_object_or_404(DialerImportRow.objects.select_related("upload__campaign"), pk=row_id)
    upload = row.upload
    form = ImportRowForm(
        _posted(request),
        initial={
            "name": row.name,
            "phone_number": row.phone_raw,
            "email": row.email,
            "external_unique_id": row.external_unique_id,
            "outbound_number": row.outbound_number,
        },
    )
    context = {**_import_context(request, upload), "row": row, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            row = imports.import_row_fix(upload=upload, row=row, values=form.cleaned_data)
        except imports.ImportFileError as error:
            form.add_error(None, str(error))
        else:
            if not _fragment(request):
                return redirect("dialer:import_detail", import_id=upload.pk)
            upload.refresh_from_db()
            context = {**_import_context(request, upload), "row": row, "fixed": True}
            return render(request, "dialer/import_detail.html#fixed-row", context)
    if not _fragment(request):
        return render(request, "dialer/import_row.html", context)
    part = "rejected-row" if request.GET.get("cancel") else "fix-row"
    return render(request, f"dialer/import_detail.html#{part}", context)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def import_send(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    upload = _import(import_id)
    try:
        upload = imports.import_send(user=request.user, upload=upload)
    except imports.ImportOutcomeUnknown as error:
        messages.error(request, str(error))
    except ProviderError as error:
        messages.error(request, gettext("Nothing was imported. %(error)s") % {"error": error})
    except imports.ImportFileError as error:
        messages.error(request, str(error))
    else:
        if upload.state == DialerImport.State.IN_PROGRESS:
            messages.success(request, sent_message(upload.valid_rows))
    return redirect("dialer:import_detail", import_id=upload.pk)


@require_GET
@permission_required(VIEW, raise_exception=True)
def import_progress(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    """The import as last recorded, re-read by its page every second: the whole report while
    the rows are checked (so that it appears as soon as they are), the progress once sent. It
    asks CCAI nothing and changes nothing: the worker moves the import on."""
    upload = _import(import_id)
    whole = request.GET.get("part") == "body"
    return render(
        request,
        f"dialer/import_detail.html#{'body' if whole else 'progress'}",
        _import_context(request, upload, report=whole),
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def import_rejected(request: HtmxHttpRequest, import_id: int) -> HttpResponse:
    upload = _import(import_id)
    name = slugify(upload.file_name.rsplit(".", 1)[0]) or "import"
    response = StreamingHttpResponse(imports.rejected_csv(upload), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}-rejected-rows.csv"'
    return response
