"""Bulk import: reading files, checking rows (a table of cases), and the whole flow against the
sandbox over HTTP: preview, send, progress, outcome, rejected rows."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dashboard.models import AuditEvent
from dashboard.sandbox import set_fault
from dialer import imports, selectors
from dialer.imports import ImportFileError, check_row
from dialer.models import DialerCampaign, DialerContact, DialerImport, DialerImportRow
from dialer.sandbox.models import SandboxContact, SandboxImportJob
from tests.campaigns.test_sync import FROZEN_INSTANTS
from tests.dialer.conftest import follow_job, make_contact, worker_poll
from tests.plans import plans_without_table_scans

HEADER = "name,phone,email,external_id\n"
FILES = Path(__file__).resolve().parent.parent / "files"


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
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "c.csv", "This is not a CSV or JSON file"),
        (b"", "c.json", "The file is empty."),
        (b'{"name": "Ana"}', "c.json", "must hold an array"),
        (b'[{"name": "Ana"}, {"name": ', "c.json", "Item 2 of the JSON is malformed"),
        (b'[{"name": "Ana"} {"name": "Bo"}]', "c.json", "malformed after item 1"),
        (b'[{"name": "Ana"}', "c.json", "ends before its array is closed"),
        (b"[]", "c.json", "no contacts"),
        (b'["Ana", ["Bo"]]', "c.json", "holds no contact objects"),
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
    assert (staged.encoding, staged.delimiter) == ("utf-8", ";")
    assert staged.mapping == {"name": "Nom", "phone_number": "Téléphone", "email": "Courriel"}
    staged = upload(campaign, (HEADER + "Ana,+15145550101,a@ex.com,C1\n").encode())
    assert staged.mapping == {
        "name": "name",
        "phone_number": "phone",
        "email": "email",
        "external_unique_id": "external_id",
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_json_columns_are_every_key_and_a_bad_item_is_a_rejected_row(campaign, encoding):
    rows: list = [
        {"Name": f"P {i}", "Phone": f"+1514555{i:04d}", "Mail": f"p{i}@ex.com"} for i in range(50)
    ]
    rows[3]["Extra"] = {"nested": True}
    rows[7] = "P 7"  # not an object: that row is left out, not the file
    staged = upload(campaign, json.dumps(rows, indent=2).encode(encoding), "c.json")
    assert (staged.total_rows, staged.encoding) == (50, encoding)
    assert staged.columns == ["Name", "Phone", "Mail", "Extra"]
    fourth = imports.import_sample(staged)[3]
    assert fourth.cells == ["P 3", "+15145550003", "p3@ex.com", '{"nested": true}']
    report = imports.import_map(
        upload=staged, mapping={"name": "Name", "phone_number": "Phone", "email": "Mail"}
    )
    assert (report.valid_rows, report.invalid_rows) == (49, 1)
    bad = report.rows.get(kind="invalid")
    assert bad.line == 8
    assert bad.problem == 'This item is a value ("P 7"), not a contact object.'


def test_missing_columns_are_refused(campaign):
    staged = upload(campaign, b"name,email\nAna,a@ex.com\n")
    with pytest.raises(ImportFileError) as caught:
        imports.import_map(upload=staged, mapping={"name": "name", "email": "email"})
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
    report = imports.import_map(
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


def test_a_phone_already_in_the_campaign_is_neither_valid_nor_a_repeat(campaign, monkeypatch):
    """However its rows fall into the check's batches, a phone the campaign has is "already in
    the campaign" on every row, before any "same phone as line …"; another campaign's
    contacts do not count."""
    from dialer.models import DialerCampaign

    monkeypatch.setattr(imports, "CHUNK", 2)
    other = DialerCampaign.objects.create(provider_id=78, name="Other", status="paused")
    DialerContact.objects.create(campaign=campaign, name="Old", phone_e164="+15145550104")
    DialerContact.objects.create(campaign=other, name="Elsewhere", phone_e164="+15145550101")
    content = (
        HEADER
        + "Ana,+1 514 555 0104,ana@ex.com,C1\n"
        + "Bo,+1 514 555 0101,bo@ex.com,C2\n"
        + "Cy,+15145550104,cy@ex.com,C3\n"
        + "Di,+1 (514) 555-0101,di@ex.com,C4\n"
        + "Ed,+1 514 555 0104,,C5\n"
    ).encode()
    mapping = {"name": "name", "phone_number": "phone", "email": "email"}
    report = imports.import_map(upload=upload(campaign, content), mapping=mapping)
    rows = {r.line: (r.kind, r.problem) for r in report.rows.all()}
    assert rows == {
        2: ("dup_campaign", "This phone is already in the campaign."),
        3: ("valid", ""),
        4: ("dup_campaign", "This phone is already in the campaign."),
        5: ("dup_file", "Same phone as line 3."),
        6: ("invalid", "Email is missing."),
    }
    assert (report.valid_rows, report.invalid_rows) == (1, 1)
    assert (report.duplicate_in_file, report.duplicate_in_campaign) == (1, 2)


def test_each_distinct_number_is_checked_once_and_every_row_still_says_what_it_is(
    campaign, monkeypatch
):
    """A file repeats its outbound number on every row, and a bad or duplicated phone on
    several: each distinct number is parsed once per check, and each row gets its answer."""
    parsed = []
    real = imports.normalise_phone

    def counting(raw: str) -> str:
        parsed.append(raw)
        return real(raw)

    monkeypatch.setattr(imports, "normalise_phone", counting)
    content = (
        b"name,phone,email,outbound\n"
        b"Ana,+1 514 555 0101,ana@ex.com,+1 514 555 0199\n"
        b"Bo,call me,bo@ex.com,+1 514 555 0199\n"
        b" , ,\t, \n"
        b"Cy,+1 514 555 0101,cy@ex.com,+1 514 555 0199\n"
        b"Di,call me,di@ex.com,+1 514 555 0199\n"
        b"Ed,+1 514 555 0102,ed@ex.com,+1 514 555 0199\n"
    )
    staged = upload(campaign, content)
    assert staged.total_rows == 5  # the row of blanks is no contact
    mapping = {"name": "name", "phone_number": "phone", "email": "email"}
    report = imports.import_map(upload=staged, mapping={**mapping, "outbound_number": "outbound"})
    assert sorted(parsed) == ["+1 514 555 0101", "+1 514 555 0102", "+1 514 555 0199", "call me"]
    rows = {r.line: (r.kind, r.problem, r.phone_e164, r.outbound_number) for r in report.rows.all()}
    outbound = "+15145550199"
    assert rows == {
        2: ("valid", "", "+15145550101", outbound),
        3: ("invalid", "'call me' is not a phone number.", "", outbound),
        5: ("dup_file", "Same phone as line 2.", "+15145550101", outbound),
        6: ("invalid", "'call me' is not a phone number.", "", outbound),
        7: ("valid", "", "+15145550102", outbound),
    }
    assert (report.valid_rows, report.invalid_rows, report.duplicate_in_file) == (2, 2, 1)


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
    staged.refresh_from_db()
    return staged


def follow_progress(client, clock, upload_pk) -> str:
    """The progress fragment as the page polls it until it stops polling, the worker's poll
    running in between, a second apart."""
    url = reverse("dialer:import_progress", args=[upload_pk])

    def polled() -> str | None:
        worker_poll()
        page = client.get(url).content.decode()
        return page if "every 1s" not in page else None

    return follow_job(clock, polled)


@pytest.mark.django_db(transaction=True)
def test_import_preview_send_progress_and_board(client, dialer_staff, synced, clock):
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
    final = follow_progress(client, clock, staged.pk)
    assert "Completed." in final and "2 contacts imported into Spring renewals" in final
    assert set(SandboxContact.objects.values_list("phone_number", flat=True)) >= {
        "+14385550101",
        "+14385550102",
    }
    board = client.get(
        reverse("dialer:campaign_detail", args=[synced.provider_id]), {"q": "Cy Diaz"}
    ).content.decode()
    assert "+1 438-555-0101" in board
    assert AuditEvent.objects.filter(object_type="contact import", username="dana.dialer").exists()
    download = client.get(reverse("dialer:import_rejected", args=[staged.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Bad phone" in text and "Ana twin" in text and "Cy Diaz" not in text


@pytest.mark.django_db(transaction=True)
def test_import_failing_on_a_duplicate_at_the_provider_is_explained(
    client, dialer_staff, synced, clock
):
    client.force_login(dialer_staff)
    staged = checked(client, synced, HEADER + "Cy,+1 438 555 0101,cy@ex.com,C1\n")
    # Someone adds the same phone at CCAI after Switchboard's check.
    from dialer.sandbox.models import SandboxCampaign

    make_contact(SandboxCampaign.objects.get(pk=synced.provider_id), "+14385550101")
    client.post(reverse("dialer:import_send", args=[staged.pk]))
    final = follow_progress(client, clock, staged.pk)
    assert "Failed." in final
    assert "at least one phone number is already in the campaign" in final
    assert "DuplicateContactPhoneOnCampaign" in final
    staged.refresh_from_db()
    assert staged.state == "failed"


@pytest.mark.django_db(transaction=True)
def test_send_failure_keeps_the_import_ready_to_resend(client, dialer_staff, synced, clock):
    client.force_login(dialer_staff)
    staged = checked(client, synced, HEADER + "Cy,+1 438 555 0101,cy@ex.com,C1\n")
    set_fault("ccai", "error", status=503, remaining=1)
    page = client.post(reverse("dialer:import_send", args=[staged.pk]), follow=True)
    text = page.content.decode()
    assert "Nothing was imported. CCAI Platform is having trouble (HTTP 503)" in text
    assert "Import 1 contact" in text
    client.post(reverse("dialer:import_send", args=[staged.pk]))
    assert "Completed." in follow_progress(client, clock, staged.pk)


@pytest.mark.django_db(transaction=True)
def test_malformed_upload_shows_the_message_on_the_form(client, dialer_staff, synced):
    client.force_login(dialer_staff)
    response = post_file(client, synced, b"PK\x03\x04\x14\x00\x06\x00" * 40, "contacts.xlsx")
    assert response.status_code == 200
    assert "This is not a CSV or JSON file: it looks like an Excel workbook" in (
        response.content.decode()
    )
    response = post_file(client, synced, b'[{"name": "Ana",', "broken.json")
    assert "malformed" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_worker_finishes_an_import_nobody_watches(client, dialer_staff, synced, clock):
    client.force_login(dialer_staff)
    staged = checked(client, synced, HEADER + "Cy,+1 438 555 0101,cy@ex.com,C1\n")
    client.post(reverse("dialer:import_send", args=[staged.pk]))

    def finished() -> bool:
        worker_poll()
        return DialerImport.objects.get().finished

    follow_job(clock, finished)
    assert DialerImport.objects.get().state == "completed"
    assert DialerContact.objects.filter(phone_e164="+14385550101", provider_id=None).exists()
    done = AuditEvent.objects.get(action="completed", object_type="contact import")
    assert done.username == "dana.dialer" and done.detail == "1 contact imported."


@pytest.mark.parametrize("instant", FROZEN_INSTANTS)
def test_abandoned_uploads_are_cleaned(campaign, instant):
    with time_machine.travel(instant, tick=False) as clock:
        staged = upload(campaign, (HEADER + "Ana,+15145550101,a@ex.com,C1\n").encode())
        clock.shift(timedelta(hours=23, minutes=59))
        assert imports.clean_old_imports() == 0
        clock.shift(timedelta(minutes=2))
        assert imports.clean_old_imports() == 2  # the import and its file
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
    assert staged.chunks.count() == -(-len(content) // imports.FILE_CHUNK)  # kept as it came
    *_, last = imports.import_records(staged)
    assert (last.line, last.cells[0]) == (60_001, "Person 59999")


@pytest.mark.parametrize("instant", FROZEN_INSTANTS)
def test_an_interrupted_send_is_offered_again_once_its_lease_expires(campaign, instant):
    with time_machine.travel(instant, tick=False) as clock:
        staged = upload(campaign, (HEADER + "Ana,+15145550101,a@ex.com,C1\n").encode())
        imports.import_map(upload=staged, mapping=MAPPING)
        # The request sending it died (its process was killed) before CCAI answered.
        lease = imports._send_lease()
        DialerImport.objects.filter(pk=staged.pk).update(
            state="submitting", submitted_at=timezone.now(), lease_until=timezone.now() + lease
        )
        staged.refresh_from_db()
        assert imports.import_refresh(upload=staged).state == "submitting"  # maybe still going
        clock.shift(lease.total_seconds() + 1)
        recovered = imports.import_refresh(upload=staged)
    assert lease <= timedelta(minutes=1)
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
    client, dialer_staff, synced, monkeypatch, clock
):
    monkeypatch.setattr(imports, "INLINE_CHECK_ROWS", 1)
    client.force_login(dialer_staff)
    staged = checked(client, synced, TWO_ROWS)
    page = client.get(reverse("dialer:import_detail", args=[staged.pk])).content.decode()
    poll = re.search(r'id="import-body" hx-get="([^"]+)"', page).group(1)
    # The page's polls only read: the check waits for the worker.
    progress = client.get(poll, HTTP_HX_REQUEST="true").content.decode()
    assert "Checking 0 of 2 rows" in progress
    assert worker_poll() == 1 and DialerImport.objects.get().state == "checking"  # queued
    clock.shift(imports.UNCLAIMED_CHECK.total_seconds() + 1)
    worker_poll()
    # The page's next poll brings the whole report, and stops polling.
    report = client.get(poll, HTTP_HX_REQUEST="true").content.decode()
    assert "Check before sending" in report and "Import 2 contacts" in report
    assert "<dt>Valid, to import</dt><dd>2</dd>" in report
    assert "every 1s" not in report


# --- Reading the file another way ----------------------------------------------------------


def test_the_user_corrects_how_the_file_is_read(client, dialer_staff, campaign):
    client.force_login(dialer_staff)
    excel = (FILES / "excel-windows-1252-semicolon.csv").read_bytes()
    staged = upload(campaign, excel, "export.csv")
    url = reverse("dialer:import_map", args=[staged.pk])
    page = client.get(url).content.decode()
    assert (
        "Read as <strong" in page and "Windows-1252 (Excel on Windows), semicolon-separated" in page
    )
    reformat = reverse("dialer:import_reformat", args=[staged.pk])
    # Read as Mac Roman, comma-separated: one garbled column.
    client.post(reformat, {"encoding": "mac_roman", "delimiter": ","})
    staged.refresh_from_db()
    assert staged.columns == ["Nom;PrÈnom;TÈlÈphone;Courriel;Identifiant"]
    assert staged.mapping == {}
    # Back to what the file is: the columns, and their mapping, are right again.
    response = client.post(reformat, {"encoding": "cp1252", "delimiter": ";"})
    assert response["Location"] == url
    staged.refresh_from_db()
    assert staged.columns == ["Nom", "Prénom", "Téléphone", "Courriel", "Identifiant"]
    assert staged.mapping["phone_number"] == "Téléphone"
    assert "Lévesque" in client.get(url).content.decode()


def test_a_file_that_cannot_be_read_so_keeps_its_columns_and_says_why(
    client, dialer_staff, campaign
):
    client.force_login(dialer_staff)
    staged = upload(campaign, "name;phone\nZoé;+33612345678\n".encode("cp1252"))
    response = client.post(
        reverse("dialer:import_reformat", args=[staged.pk]),
        {"encoding": "utf-16", "delimiter": ";"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "cannot be read as UTF-16" in page
    staged.refresh_from_db()
    assert (staged.encoding, staged.columns) == ("cp1252", ["name", "phone"])


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Nom complet", "name"),
        ("FULL_NAME", "name"),
        ("No de téléphone", "phone_number"),
        ("Téléphone cellulaire", None),
        ("TEL", "phone_number"),
        ("Cellulaire", "phone_number"),
        ("Adresse courriel", "email"),
        ("E-mail", "email"),
        ("e_mail", "email"),
        ("Identifiant", "external_unique_id"),
        ("ID client", "external_unique_id"),
        ("Numéro sortant", "outbound_number"),
        ("Caller ID", "outbound_number"),
    ],
)
def test_usual_headers_in_english_and_french_are_recognised(header, field):
    mapping = imports.guess_mapping([header])
    assert mapping == ({field: header} if field else {})


# --- Correcting a rejected row on the report ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_rejected_row_is_corrected_in_place_and_sent(client, dialer_staff, synced, clock):
    client.force_login(dialer_staff)
    staged = checked(
        client,
        synced,
        HEADER + "Cy,+1 438 555 0101,cy@ex.com,C1\nDee,438 555 0102,dee@ex.com,C2\n",
    )
    assert (staged.valid_rows, staged.invalid_rows) == (1, 1)
    dee = staged.rows.get(line=3)
    url = reverse("dialer:import_row_fix", args=[dee.pk])
    page = client.get(reverse("dialer:import_detail", args=[staged.pk])).content.decode()
    assert f'hx-get="{url}"' in page and "438 555 0102 has no country code" in page
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert form.lstrip().startswith(f'<tr id="row-{dee.pk}" class="editing"')
    assert 'value="438 555 0102"' in form
    # The same phone as line 2 first: still left out, and why.
    fields = {"name": "Dee", "email": "dee@ex.com", "external_unique_id": "C2"}
    row = client.post(url, {**fields, "phone_number": "+1 438 555 0101"}, HTTP_HX_REQUEST="true")
    assert "Same phone as line 2." in row.content.decode()
    row = client.post(url, {**fields, "phone_number": "+1 438 555 0102"}, HTTP_HX_REQUEST="true")
    fixed = row.content.decode()
    assert "Corrected" in fixed and "Valid: it will be imported." in fixed
    # The report's counts and its button follow, out of band.
    assert 'id="report-counts" class="stats report" hx-swap-oob="true"' in fixed
    assert "<dt>Valid, to import</dt><dd>2</dd>" in fixed and "Import 2 contacts" in fixed
    staged.refresh_from_db()
    assert (staged.valid_rows, staged.invalid_rows, staged.duplicate_in_file) == (2, 0, 0)
    client.post(reverse("dialer:import_send", args=[staged.pk]))
    assert "Completed." in follow_progress(client, clock, staged.pk)
    assert SandboxContact.objects.filter(phone_number="+14385550102", name="Dee").exists()
    # Once sent, a row can no longer change.
    late = client.post(url, {**fields, "phone_number": "+1 438 555 0199"}, HTTP_HX_REQUEST="true")
    assert "can no longer change" in late.content.decode()


# --- A check interrupted by a crash ----------------------------------------------------------


class Killed(BaseException):
    """The worker's process dying in the middle of a write (what SIGKILL does to it)."""


def big_file(rows: int) -> bytes:
    lines = [HEADER] + [
        f"Person {n},+1 438 {200 + n // 10000:03d} {n % 10000:04d},p{n}@example.com,E{n}\n"
        for n in range(rows)
    ]
    return "".join(lines).encode()


@pytest.fixture
def crashed_check(client, dialer_staff, synced, clock, monkeypatch):
    """A 25,000-row import whose worker died while writing its second batch of checked rows."""
    from dialer import tasks

    client.force_login(dialer_staff)
    post_file(client, synced, big_file(25_000))
    staged = DialerImport.objects.get()
    client.post(reverse("dialer:import_map", args=[staged.pk]), MAPPING)
    written = []

    def dies_on_the_second_batch(model, names, rows):
        if written:
            raise Killed
        written.append(len(rows))
        original(model, names, rows)

    original = imports.insert_many
    monkeypatch.setattr(imports, "insert_many", dies_on_the_second_batch)
    with pytest.raises(Killed):
        tasks.check_import.func(staged.pk)
    monkeypatch.setattr(imports, "insert_many", original)
    return staged


@pytest.mark.django_db(transaction=True)
def test_a_check_killed_midway_is_resumed_by_the_next_worker(client, crashed_check, clock):
    staged = crashed_check
    url = reverse("dialer:import_detail", args=[staged.pk])
    page = client.get(url).content.decode()
    assert "Checking 2,000 of 25,000 rows" in page and "Restart the check" in page
    assert "has stopped moving" not in page
    worker_poll()  # its lease still runs: nobody takes it over yet
    assert DialerImport.objects.get().checked_rows == 2000
    clock.shift(imports.CHECK_LEASE.total_seconds() + 1)
    assert "has stopped moving" in client.get(url).content.decode()
    worker_poll()  # the lease expired: the worker's poll goes on from row 2,001
    staged.refresh_from_db()
    assert (staged.state, staged.checked_rows, staged.valid_rows) == ("previewed", 25_000, 25_000)
    assert staged.rows.count() == 25_000  # none written twice
    assert imports.CHECK_LEASE + timedelta(seconds=5) < timedelta(minutes=1)
    assert "Import 25,000 contacts" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_user_restarts_a_stuck_check_at_once(client, crashed_check):
    from dialer import tasks

    staged = crashed_check
    response = client.post(reverse("dialer:import_check_restart", args=[staged.pk]))
    assert response["Location"] == reverse("dialer:import_detail", args=[staged.pk])
    # A file this large is checked by a worker: the restart queued it.
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path="dialer.tasks.check_import")
    assert queued.count() == 2
    assert tasks.check_import.func(staged.pk) is True
    staged.refresh_from_db()
    assert (staged.state, staged.valid_rows, staged.rows.count()) == ("previewed", 25_000, 25_000)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_on_postgresql_the_report_reads_the_rejected_rows_from_their_own_index(db):
    """A 100,000-row file with a few percent rejected: the report's first 100 of them are read
    from an index of the rejected rows alone, not from every row of the import."""
    campaign = DialerCampaign.objects.create(provider_id=7, name="Spring renewals")
    upload = DialerImport.objects.create(campaign=campaign, file_name="a.csv")
    DialerImportRow.objects.bulk_create(
        DialerImportRow(upload=upload, line=line, kind="invalid" if line % 25 == 0 else "valid")
        for line in range(2, 500)
    )
    report = selectors.import_report(upload)
    assert [row.line for row in report["rejected"]] == list(range(25, 500, 25))
    rejected, valid = plans_without_table_scans(
        lambda: selectors.import_report(upload),
        containing="dialer_dialerimportrow",
        analysed="dialer_dialerimportrow",
    )
    assert "dialer_importrow_rejected" in rejected
    assert "dialer_importrow_kind" in valid
