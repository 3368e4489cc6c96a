"""One reader for every upload: the files colleagues actually send (tests/files/: Excel's
Windows-1252 with semicolons, CSV UTF-8 with a byte-order mark, "Unicode text" in UTF-16 with
tabs, plain UTF-8, a JSON array, a picture picked by mistake) read the same way by the dialer's
import and the contacts' bulk sync."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import ContactImport
from dashboard import uploads
from dialer.models import DialerImport
from tests.contacts.conftest import project  # noqa: F401 (fixture)
from tests.dialer.conftest import ccai, synced  # noqa: F401, F811 (fixtures)

FILES = Path(__file__).resolve().parent.parent / "files"
HEADER = ["Nom", "Prénom", "Téléphone", "Courriel", "Identifiant"]
FIRST = ["Lévesque", "Hélène", "+1 514 555 0111", "helene.levesque@example.com", "CRM-1001"]
LAST = ["Müller", "Jürgen", "+49 30 12345678", "jurgen.muller@example.de", "CRM-1004"]
# (file, encoding, delimiter, what the columns page says it read)
CSV_FILES = [
    ("excel-windows-1252-semicolon.csv", "cp1252", ";", "Windows-1252 (Excel on Windows)"),
    ("excel-utf8-bom-comma.csv", "utf-8", ",", "UTF-8"),
    ("excel-unicode-text-utf16le-tab.txt", "utf-16", "\t", "UTF-16 (Excel “Unicode text”)"),
    ("plain-utf8-comma.csv", "utf-8", ",", "UTF-8"),
]
NOT_CSV = "This is not a CSV or JSON file: it looks like a PNG image."


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


@pytest.mark.parametrize(("name", "encoding", "delimiter", "label"), CSV_FILES)
def test_each_spreadsheet_export_is_detected_and_read(name, encoding, delimiter, label):
    file = io.BytesIO(read(name))
    fmt = uploads.detect(file, name)
    assert (fmt.kind, fmt.encoding, fmt.delimiter) == ("csv", encoding, delimiter)
    rows = [cells for _, cells in uploads.read_csv(file, fmt)]
    assert rows[0] == HEADER and rows[1] == FIRST and rows[-1] == LAST
    assert len(rows) == 5


def test_a_json_array_is_read_item_by_item_with_its_stray_value():
    file = io.BytesIO(read("contacts-array.json"))
    fmt = uploads.detect(file, "contacts-array.json")
    assert (fmt.kind, fmt.encoding) == ("json", "utf-8")
    items = list(uploads.read_json(file, fmt))
    assert [n for n, _ in items] == [1, 2, 3, 4, 5]
    assert items[0][1]["Prénom"] == "Hélène"
    assert items[2][1] == "Côté, François (doublon)"


def test_a_binary_file_is_not_a_csv_or_json_file():
    with pytest.raises(uploads.UploadError) as caught:
        uploads.detect(io.BytesIO(read("photo.png")), "contacts.csv")
    assert str(caught.value) == NOT_CSV


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a;b;c\n1;2;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ('name,note\n"Roy; Ana","x"\n', ","),
        ("phone\n+15145550101\n", ","),
        ("a|b\n1|2", "|"),
    ],
)
def test_the_delimiter_is_what_the_lines_agree_on(text, delimiter):
    assert uploads.sniff_delimiter(text) == delimiter


# --- The same files through both upload pages -------------------------------------------------


def upload_to_dialer(client, campaign, name: str):
    return client.post(
        reverse("dialer:import_create", args=[campaign.provider_id]),
        {"file": SimpleUploadedFile(name, read(name))},
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("name", "encoding", "delimiter", "label"), CSV_FILES)
def test_the_dialer_imports_each_export(
    client,
    dialer_staff,
    synced,  # noqa: F811
    name,
    encoding,
    delimiter,
    label,
):
    client.force_login(dialer_staff)
    response = upload_to_dialer(client, synced, name)
    staged = DialerImport.objects.get()
    assert response["Location"] == reverse("dialer:import_map", args=[staged.pk])
    page = client.get(response["Location"]).content.decode()
    assert label in page and "Lévesque" in page and "Jürgen" in page
    # The French headers map themselves; every row is valid.
    assert staged.mapping == {
        "name": "Nom",
        "phone_number": "Téléphone",
        "email": "Courriel",
        "external_unique_id": "Identifiant",
    }
    client.post(response["Location"], staged.mapping)
    staged.refresh_from_db()
    assert (staged.state, staged.valid_rows, staged.invalid_rows) == ("previewed", 4, 0)
    assert staged.rows.get(line=2).name == "Lévesque"


@pytest.mark.django_db(transaction=True)
def test_the_dialer_imports_the_json_export_leaving_out_its_stray_value(
    client,
    dialer_staff,
    synced,  # noqa: F811
):
    client.force_login(dialer_staff)
    upload_to_dialer(client, synced, "contacts-array.json")
    staged = DialerImport.objects.get()
    client.post(reverse("dialer:import_map", args=[staged.pk]), staged.mapping)
    staged.refresh_from_db()
    assert (staged.total_rows, staged.valid_rows, staged.invalid_rows) == (5, 4, 1)
    page = client.get(reverse("dialer:import_detail", args=[staged.pk])).content.decode()
    assert "This item is a value (&quot;Côté, François (doublon)&quot;), not a contact" in page


@pytest.fixture
def french_project(project):  # noqa: F811
    """The Dialog Insight project of a French-speaking team: its fields' labels are the
    spreadsheet's headers (Courriel is the key)."""
    from contacts.sandbox.models import SandboxField, SandboxProject
    from contacts.sync import sync_project

    sandbox = SandboxProject.objects.get()
    labels = {"EMail": "Courriel", "FirstName": "Prénom", "LastName": "Nom"}
    for code, label in labels.items():
        SandboxField.objects.filter(project=sandbox, code=code).update(label=label)
    for code, label in (("Phone", "Téléphone"), ("CustomerId", "Identifiant")):
        SandboxField.objects.create(project=sandbox, code=code, label=label, position=50)
    sync_project()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("name", "encoding", "delimiter", "label"), CSV_FILES)
def test_the_contacts_import_reads_each_export(
    client, marketer, french_project, name, encoding, delimiter, label
):  # noqa: E501
    client.force_login(marketer)
    response = client.post(
        reverse("contacts:import_create"), {"file": SimpleUploadedFile(name, read(name))}
    )
    assert response.status_code == 302, response.content.decode()
    job = ContactImport.objects.get()
    assert job.total == 4
    first = job.rows.order_by("line").first()
    assert first.key == "helene.levesque@example.com"
    assert first.data["f_FirstName"] == "Hélène" and first.data["f_Phone"] == "+1 514 555 0111"


@pytest.mark.django_db(transaction=True)
def test_both_refuse_a_picture_saying_what_it_is(client, superuser, synced, project):  # noqa: F811
    client.force_login(superuser)
    # The wrong file picked in the dialog, or a picture renamed: the name says CSV.
    picture = read("photo.png")
    page = client.post(
        reverse("dialer:import_create", args=[synced.provider_id]),
        {"file": SimpleUploadedFile("contacts.csv", picture)},
    ).content.decode()
    assert NOT_CSV in page
    page = client.post(
        reverse("contacts:import_create"), {"file": SimpleUploadedFile("contacts.csv", picture)}
    ).content.decode()
    assert NOT_CSV in page
    assert not DialerImport.objects.exists() and not ContactImport.objects.exists()
