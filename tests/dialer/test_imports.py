"""Bulk import: reading files, checking rows (a table of cases), and the whole flow against the
sandbox over HTTP: preview, send, progress, outcome, rejected rows."""

from __future__ import annotations

import io
import json
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dashboard.models import AuditEvent
from dashboard.sandbox import set_fault
from dialer import imports
from dialer.imports import ImportFileError, check_row
from dialer.models import DialerContact, DialerImport
from dialer.sandbox.models import SandboxContact, SandboxImportJob
from tests.dialer.conftest import make_contact, worker_poll

HEADER = "name,phone,email,external_id\n"


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"name": "Ana", "phone_number": "+1 514-555-0101", "email": "a@ex.com"}, None),
        ({"name": "Ana", "phone_number": "+1-(438)-555-0101", "email": "a@ex.com"}, None),
        ({"name": "Ana", "phone_number": "0033 6 12 34 56 78", "email": "a@ex.com"}, None),
        ({"name": "Ana", "phone_number": "911", "email": "a@ex.com"}, "emergency number"),
        ({"name": "Ana", "phone_number": "112", "email": "a@ex.com"}, "emergency number"),
        ({"name": "Ana", "phone_number": "+33 112", "email": "a@ex.com"}, "emergency number"),
        ({"name": "Ana", "phone_number": "5145550101", "email": "a@ex.com"}, "no country code"),
        ({"name": "Ana", "phone_number": "N/A", "email": "a@ex.com"}, "not a phone number"),
        ({"name": "Ana", "phone_number": "+1 111 111 1111", "email": "a@ex.com"}, "not a valid"),
        ({"name": "Ana", "phone_number": "", "email": "a@ex.com"}, "Enter a phone number"),
        ({"name": "", "phone_number": "+15145550101", "email": "a@ex.com"}, "Name is missing"),
        ({"name": "Ana", "phone_number": "+15145550101", "email": ""}, "Email is missing"),
        ({"name": "Ana", "phone_number": "+15145550101", "email": "a@"}, "not an email"),
        (
            {
                "name": "Ana",
                "phone_number": "+15145550101",
                "email": "a@ex.com",
                "outbound_number": "12",
            },
            "Outbound number",
        ),
    ],
)
def test_row_checks(values, problem):
    checked = check_row(values)
    if problem is None:
        assert checked.problems == []
        assert checked.phone_e164.startswith("+")
    else:
        assert problem in " ".join(checked.problems)


@pytest.fixture
def campaign(db):
    from dialer.models import DialerCampaign

    return DialerCampaign.objects.create(provider_id=77, name="Spring renewals", status="paused")


def upload(campaign, content: bytes, name: str = "contacts.csv") -> DialerImport:
    return imports.import_create(
        user=None, campaign=campaign, file=io.BytesIO(content), file_name=name
    )


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "c.csv", "The file is empty."),
        (b"   \n\n", "c.csv", "The file is empty."),
        (HEADER.encode(), "c.csv", "no contacts"),
        ("name,phone\nZoé,+33612345678\n".encode("latin-1"), "c.csv", "not UTF-8"),
        (b"", "c.json", "The file is empty."),
        (b'{"name": "Ana"}', "c.json", "must hold an array"),
        (b'[{"name": "Ana"}, {"name": ', "c.json", "malformed"),
        (b'[{"name": "Ana"} {"name": "Bo"}]', "c.json", "malformed after item 1"),
        (b'[{"name": "Ana"}, "Bo"]', "c.json", "Item 2 of the JSON array is not an object"),
        (b'[{"name": "Ana"}', "c.json", "ends before its array is closed"),
        (b"[]", "c.json", "no contacts"),
        ('[{"name": "Zoé"}]'.encode("utf-16"), "c.json", "not UTF-8"),
    ],
)
def test_unreadable_files_get_a_clear_message_and_leave_nothing(campaign, content, name, message):
    with pytest.raises(ImportFileError) as caught:
        upload(campaign, content, name)
    assert message in str(caught.value)
    assert not DialerImport.objects.exists()


def test_csv_with_semicolons_bom_and_guessed_columns(campaign):
    content = "\ufeffNom;Téléphone;Courriel\nAna Lima;+1 514 555 0101;ana@ex.com\n".encode()
    staged = upload(campaign, content)
    assert staged.columns == ["Nom", "Téléphone", "Courriel"]
    assert staged.mapping == {"name": "Nom", "email": "Courriel"}
    staged = upload(campaign, (HEADER + "Ana,+15145550101,a@ex.com,C1\n").encode())
    assert staged.mapping == {
        "name": "name",
        "phone_number": "phone",
        "email": "email",
        "external_unique_id": "external_id",
    }


def test_json_is_read_in_a_small_window(campaign, monkeypatch):
    rows = [
        {"Name": f"P {i}", "Phone": f"+1514555{i:04d}", "Mail": f"p{i}@ex.com"} for i in range(50)
    ]
    rows[3]["Extra"] = {"nested": True}
    original = imports.json_array_items
    monkeypatch.setattr(imports, "json_array_items", lambda f: original(f, read_size=7))
    staged = upload(campaign, json.dumps(rows, indent=2).encode(), "c.json")
    assert staged.total_rows == 50
    assert staged.columns == ["Name", "Phone", "Mail", "Extra"]
    assert staged.raw_rows.get(line=4).values == [
        "P 3",
        "+15145550003",
        "p3@ex.com",
        '{"nested": true}',
    ]


def test_missing_columns_are_refused(campaign):
    staged = upload(campaign, b"name,email\nAna,a@ex.com\n")
    with pytest.raises(ImportFileError) as caught:
        imports.import_check(upload=staged, mapping={"name": "name", "email": "email"})
    assert "Phone" in str(caught.value)


def test_check_report_counts_and_duplicates(campaign):
    DialerContact.objects.create(campaign=campaign, name="Old", phone_e164="+15145550104")
    content = (
        HEADER
        + "Ana,+1 514 555 0101,ana@ex.com,C1\n"
        + "Bo,+15145550102,bo@ex.com,C2\n"
        + "Ana again,+1 (514) 555-0101,ana2@ex.com,C3\n"
        + "Emergency,911,e@ex.com,C4\n"
        + "Already,+15145550104,al@ex.com,C5\n"
        + "No mail,+15145550105,,C6\n"
        + ",,,\n"
    ).encode()
    staged = upload(campaign, content)
    report = imports.import_check(
        upload=staged,
        mapping={
            "name": "name",
            "phone_number": "phone",
            "email": "email",
            "external_unique_id": "external_id",
        },
    )
    assert (report.total_rows, report.valid_rows, report.invalid_rows) == (6, 2, 2)
    assert (report.duplicate_in_file, report.duplicate_in_campaign) == (1, 1)
    problems = {r.line: r.problem for r in report.rows.exclude(kind="valid")}
    assert problems == {
        4: "Same phone as line 2.",
        5: "911 is an emergency number; the dialer must never call it.",
        6: "This phone is already in the campaign.",
        7: "Email is missing.",
    }
    csv_text = "".join(imports.rejected_csv(report))
    assert "line,reason,Name,Phone,Email,External id,Outbound number" in csv_text
    assert "4,Same phone as line 2.,Ana again,+1 (514) 555-0101,ana2@ex.com,C3," in csv_text


# --- The whole flow, over HTTP --------------------------------------------------------------


def post_file(client, campaign, content: bytes, name="contacts.csv"):
    return client.post(
        reverse("dialer:import_create", args=[campaign.provider_id]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


MAPPING = {
    "name": "name",
    "phone_number": "phone",
    "email": "email",
    "external_unique_id": "external_id",
}


def checked(client, campaign, content: str) -> DialerImport:
    """A CSV uploaded and its columns mapped, as the user does through the pages."""
    post_file(client, campaign, content.encode())
    staged = DialerImport.objects.get()
    client.post(reverse("dialer:import_map", args=[staged.pk]), MAPPING)
    return staged


def follow_progress(client, upload_pk, timeout=6.0) -> str:
    """The progress fragment as the page polls it, the worker's poll running in between."""
    deadline = time.monotonic() + timeout
    while True:
        worker_poll()
        page = client.get(reverse("dialer:import_progress", args=[upload_pk])).content.decode()
        if "every 1s" not in page or time.monotonic() > deadline:
            return page
        time.sleep(0.3)


@pytest.mark.django_db(transaction=True)
def test_import_preview_send_progress_and_board(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    content = (
        HEADER
        + "Cy Diaz,+1 438 555 0101,cy@ex.com,C1\n"
        + "Dee Roy,+1 438 555 0102,dee@ex.com,C2\n"
        + "Bad phone,12345,bad@ex.com,C3\n"
        + "Ana twin,+1 514 555 0101,twin@ex.com,C4\n"
    ).encode()
    response = post_file(client, synced, content)
    staged = DialerImport.objects.get()
    assert response["Location"] == reverse("dialer:import_map", args=[staged.pk])
    response = client.post(response["Location"], MAPPING)
    assert response["Location"] == reverse("dialer:import_detail", args=[staged.pk])
    preview = client.get(response["Location"]).content.decode()
    assert "Import 2 contacts" in preview
    assert "This phone is already in the campaign." in preview
    assert "12345 has no country code" in preview
    assert SandboxImportJob.objects.count() == 0  # nothing sent before the user says so

    client.post(reverse("dialer:import_send", args=[staged.pk]))
    client.post(reverse("dialer:import_send", args=[staged.pk]))  # a double click
    assert SandboxImportJob.objects.count() == 1
    final = follow_progress(client, staged.pk)
    assert "Completed." in final and "2 contacts imported into Spring renewals" in final
    assert set(SandboxContact.objects.values_list("phone_number", flat=True)) >= {
        "+14385550101",
        "+14385550102",
    }
    board = client.get(
        reverse("dialer:campaign_detail", args=[synced.provider_id]), {"q": "Cy Diaz"}
    ).content.decode()
    assert "+14385550101" in board
    assert AuditEvent.objects.filter(object_type="contact import", username="dana.dialer").exists()
    download = client.get(reverse("dialer:import_rejected", args=[staged.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Bad phone" in text and "Ana twin" in text and "Cy Diaz" not in text


@pytest.mark.django_db(transaction=True)
def test_import_failing_on_a_duplicate_at_the_provider_is_explained(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    staged = checked(client, synced, HEADER + "Cy,+1 438 555 0101,cy@ex.com,C1\n")
    # Someone adds the same phone at CCAI after Switchboard's check.
    from dialer.sandbox.models import SandboxCampaign

    make_contact(SandboxCampaign.objects.get(pk=synced.provider_id), "+14385550101")
    client.post(reverse("dialer:import_send", args=[staged.pk]))
    final = follow_progress(client, staged.pk)
    assert "Failed." in final
    assert "at least one phone number is already in the campaign" in final
    assert "DuplicateContactPhoneOnCampaign" in final
    staged.refresh_from_db()
    assert staged.state == "failed"


@pytest.mark.django_db(transaction=True)
def test_send_failure_keeps_the_import_ready_to_resend(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    staged = checked(client, synced, HEADER + "Cy,+1 438 555 0101,cy@ex.com,C1\n")
    set_fault("ccai", "error", status=503, remaining=1)
    page = client.post(reverse("dialer:import_send", args=[staged.pk]), follow=True)
    text = page.content.decode()
    assert "Nothing was imported. CCAI Platform is having trouble (HTTP 503)" in text
    assert "Import 1 contact" in text
    client.post(reverse("dialer:import_send", args=[staged.pk]))
    assert "Completed." in follow_progress(client, staged.pk)


@pytest.mark.django_db(transaction=True)
def test_malformed_upload_shows_the_message_on_the_form(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    response = post_file(client, synced, "name;phone\nZoé;+33612345678\n".encode("cp1252"))
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    response = post_file(client, synced, b'[{"name": "Ana",', "broken.json")
    assert "malformed" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_worker_finishes_an_import_nobody_watches(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    staged = checked(client, synced, HEADER + "Cy,+1 438 555 0101,cy@ex.com,C1\n")
    client.post(reverse("dialer:import_send", args=[staged.pk]))
    deadline = time.monotonic() + 5
    while DialerImport.objects.get().state != "completed" and time.monotonic() < deadline:
        time.sleep(0.3)
        worker_poll()
    assert DialerImport.objects.get().state == "completed"
    assert DialerContact.objects.filter(phone_e164="+14385550101", provider_id=None).exists()
    done = AuditEvent.objects.get(action="completed", object_type="contact import")
    assert done.username == "dana.dialer" and done.detail == "1 contact imported."


def test_abandoned_uploads_are_cleaned(campaign):
    from datetime import timedelta

    from django.utils import timezone

    staged = upload(campaign, (HEADER + "Ana,+15145550101,a@ex.com,C1\n").encode())
    assert imports.clean_old_imports() == 0
    assert imports.clean_old_imports(now=timezone.now() + timedelta(days=2)) >= 2
    assert not DialerImport.objects.filter(pk=staged.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_upload_is_streamed_from_its_temporary_file(client, dialer_staff, synced):
    # Above FILE_UPLOAD_MAX_MEMORY_SIZE Django spools the upload to disk.
    lines = [HEADER] + [
        f"Person {n},+1 438 {200 + n // 10000:03d} {n % 10000:04d},p{n}@example.com,E{n}\n"
        for n in range(60_000)
    ]
    content = "".join(lines).encode()
    assert len(content) > 2_621_440
    client.force_login(dialer_staff)
    response = post_file(client, synced, content, "big.csv")
    staged = DialerImport.objects.get()
    assert response.status_code == 302
    assert staged.total_rows == 60_000
    assert staged.raw_rows.order_by("-line").first().values[0] == "Person 59999"


def test_an_interrupted_send_is_offered_again(campaign):
    from datetime import timedelta

    from django.utils import timezone

    staged = upload(campaign, (HEADER + "Ana,+15145550101,a@ex.com,C1\n").encode())
    DialerImport.objects.filter(pk=staged.pk).update(
        state="submitting", submitted_at=timezone.now() - timedelta(minutes=11)
    )
    staged.refresh_from_db()
    recovered = imports.import_refresh(upload=staged)
    assert recovered.state == "previewed"
    assert "Sending was interrupted" in recovered.error_message


TWO_ROWS = HEADER + "Cy,+1 438 555 0101,cy@ex.com,C1\nDee,+1 438 555 0102,d@ex.com,C2\n"


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_by_the_worker_with_progress(
    client, dialer_staff, synced, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    from dialer import tasks

    monkeypatch.setattr(imports, "INLINE_CHECK_ROWS", 1)
    client.force_login(dialer_staff)
    staged = checked(client, synced, TWO_ROWS)
    page = client.get(reverse("dialer:import_detail", args=[staged.pk])).content.decode()
    assert "Checking 0 of 2 rows…" in page and "Import 2 contacts" not in page
    assert DBTaskResult.objects.filter(task_path="dialer.tasks.check_import").count() == 1
    assert tasks.check_import.func(staged.pk) is True
    assert tasks.check_import.func(staged.pk) is False  # done once
    staged.refresh_from_db()
    assert (staged.state, staged.checked_rows, staged.valid_rows) == ("previewed", 2, 2)


@pytest.mark.django_db(transaction=True)
def test_a_check_whose_task_was_never_taken_is_run_by_the_worker_poll(
    client, dialer_staff, synced, monkeypatch
):
    from datetime import timedelta

    monkeypatch.setattr(imports, "INLINE_CHECK_ROWS", 1)
    monkeypatch.setattr(imports, "UNCLAIMED_CHECK", timedelta(0))
    client.force_login(dialer_staff)
    staged = checked(client, synced, TWO_ROWS)
    page = client.get(reverse("dialer:import_detail", args=[staged.pk])).content.decode()
    poll = re.search(r'hx-get="([^"]+)"', page).group(1)
    # The page's polls only read: the check waits for the worker.
    progress = client.get(poll, HTTP_HX_REQUEST="true")
    assert "Checking 0 of 2 rows" in progress.content.decode()
    assert DialerImport.objects.get().state == "checking"
    worker_poll()
    response = client.get(poll, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"  # the report is the whole page: reload it
    page = client.get(reverse("dialer:import_detail", args=[staged.pk])).content.decode()
    assert "Import 2 contacts" in page
