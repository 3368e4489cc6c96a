"""The campaign builder without friction: files chosen once are kept until the campaign is
saved, warm-up thresholds are typed as percentages, and an A/B test neither shows nor sends
the single field its variants replace. Django's test client, EngageLab's sandbox behind it."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.sandbox.models import SandboxCampaign
from campaigns.sync import sync_references
from dashboard.models import KeptUpload
from dashboard.sandbox import set_fault
from tests.campaigns.conftest import digest, received_attachments
from tests.campaigns.test_pages import ab_post, mirror, regular_post
from tests.html_forms import form_data, outcome_choices

pytestmark = pytest.mark.django_db(transaction=True)

TERMS = b"Terms and conditions of the winter sale."
PRICES = b"%PDF-1.4 price list"


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


def page_form(response, **changes) -> dict:
    """The builder as the browser sends it back (files aside), with `changes`."""
    return {**form_data(response.content.decode(), "token"), **changes}


def files(**contents: bytes) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name.replace("_", "."), data) for name, data in contents.items()]


@pytest.fixture
def ready(client, marketer, engagelab):
    sync_references()
    client.force_login(marketer)
    return client


# --- attachments: chosen once ---------------------------------------------------------------
def test_files_are_kept_when_another_field_has_an_error(ready):
    response = ready.post(
        "/campaigns/new/",
        {**regular_post(name="", token="t1"), "attachments": files(terms_txt=TERMS)},
    )
    assert response.status_code == 422
    assert "This field is required." in text(response)  # on the name, the file kept
    assert "Kept: terms.txt (40 bytes) Remove" in text(response)
    assert not SandboxCampaign.objects.exists()
    saved = ready.post("/campaigns/new/", page_form(response, name="Winter newsletter"))
    assert saved.status_code == 302
    assert received_attachments() == {"terms.txt": digest(TERMS)}
    assert Campaign.objects.get().attachments == [{"filename": "terms.txt", "size": 40}]
    assert not KeptUpload.objects.exists()  # sent: nothing left behind


def test_files_chosen_later_are_added_to_those_kept(ready):
    first = ready.post(
        "/campaigns/new/",
        {**regular_post(name="", token="t2"), "attachments": files(terms_txt=TERMS)},
    )
    second = ready.post(
        "/campaigns/new/", {**page_form(first), "attachments": files(prices_pdf=PRICES)}
    )
    assert "Kept: terms.txt" in text(second) and "Kept: prices.pdf" in text(second)
    ready.post("/campaigns/new/", page_form(second, name="Winter newsletter"))
    assert received_attachments() == {"terms.txt": digest(TERMS), "prices.pdf": digest(PRICES)}


def test_a_kept_file_can_be_removed(ready):
    response = ready.post(
        "/campaigns/new/",
        {
            **regular_post(name="", token="t3"),
            "attachments": files(terms_txt=TERMS, prices_pdf=PRICES),
        },
    )
    terms = KeptUpload.objects.get(name="terms.txt")
    removed = ready.post("/campaigns/new/", page_form(response, _action=f"remove_kept-{terms.pk}"))
    assert removed.status_code == 200
    assert "Kept: terms.txt" not in text(removed) and "Kept: prices.pdf" in text(removed)
    assert "errorlist" not in removed.content.decode()  # a row action, not a submission
    ready.post("/campaigns/new/", page_form(removed, name="Winter newsletter"))
    assert received_attachments() == {"prices.pdf": digest(PRICES)}


def test_the_limits_count_the_files_kept(ready):
    six = {f"f{i}_txt": b"x" for i in range(6)}
    response = ready.post(
        "/campaigns/new/", {**regular_post(name="", token="t4"), "attachments": files(**six)}
    )
    assert KeptUpload.objects.count() == 6
    five = {f"g{i}_txt": b"y" for i in range(5)}
    more = ready.post("/campaigns/new/", {**page_form(response), "attachments": files(**five)})
    assert "11 files chosen; EngageLab accepts at most 10." in text(more)
    assert KeptUpload.objects.count() == 6  # what EngageLab would refuse is not kept
    big = ready.post(
        "/campaigns/new/",
        {**page_form(more), "attachments": files(big_bin=b"0" * (10 * 2**20))},
    )
    assert "EngageLab accepts at most 10 MB" in text(big)
    assert KeptUpload.objects.count() == 6


def test_send_now_keeps_the_files_across_going_back(ready):
    first = ready.post(
        "/campaigns/new/",
        {**regular_post(when="now", token="t5"), "attachments": files(terms_txt=TERMS)},
    )
    assert "Attachments: terms.txt." in text(first)
    back = ready.post("/campaigns/new/", {**form_data(first.content.decode(), "confirmed"),
                                          "back": "1"})  # fmt: skip
    assert "Kept: terms.txt" in text(back)
    again = ready.post("/campaigns/new/", page_form(back, _action="save"))
    confirm = {**form_data(again.content.decode(), "confirmed"), "_action": "save"}
    assert ready.post("/campaigns/new/", confirm).status_code == 302
    assert received_attachments() == {"terms.txt": digest(TERMS)}


def test_an_edit_keeps_its_files_too(ready):
    ready.post("/campaigns/new/", regular_post())
    cid = SandboxCampaign.objects.get().id
    form = ready.get(f"/campaigns/{cid}/edit/")
    response = ready.post(
        f"/campaigns/{cid}/edit/",
        {
            **page_form(form, _action="save", send_time="tomorrow"),
            "attachments": files(a_txt=TERMS),
        },
    )
    assert response.status_code == 422 and "Kept: a.txt" in text(response)
    saved = ready.post(f"/campaigns/{cid}/edit/", page_form(response, send_time="2099-12-01T09:30"))
    assert saved.status_code == 302
    assert received_attachments() == {"a.txt": digest(TERMS)}


def test_create_it_anyway_sends_the_files_kept(ready):
    set_fault("engagelab", "timeout", remaining=1)
    response = ready.post(
        "/campaigns/new/", {**regular_post(token="lost"), "attachments": files(terms_txt=TERMS)}
    )
    assert "EngageLab may have created it anyway." in text(response)
    assert "Kept: terms.txt" in text(response)
    SandboxCampaign.objects.all().delete()  # it was not created after all
    anyway = ready.post("/campaigns/new/", {**outcome_choices(response), "_outcome": "retry"})
    assert anyway.status_code == 302
    assert received_attachments() == {"terms.txt": digest(TERMS)}


def test_files_kept_by_an_abandoned_form_go_after_a_day(ready):
    ready.post(
        "/campaigns/new/",
        {**regular_post(name="", token="left"), "attachments": files(old_txt=TERMS)},
    )
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        ready.post(
            "/campaigns/new/",
            {**regular_post(name="", token="new"), "attachments": files(new_txt=TERMS)},
        )
    assert list(KeptUpload.objects.values_list("name", flat=True)) == ["new.txt"]


def test_kept_files_belong_to_their_form(ready):
    ready.post(
        "/campaigns/new/",
        {**regular_post(name="", token="mine"), "attachments": files(terms_txt=TERMS)},
    )
    other = ready.post("/campaigns/new/", regular_post(name="", token="someone-else"))
    assert "Kept:" not in text(other)
    terms = KeptUpload.objects.get()
    ready.post(
        "/campaigns/new/", regular_post(token="someone-else", _action=f"remove_kept-{terms.pk}")
    )
    assert KeptUpload.objects.exists()  # another form cannot remove it


# --- warm-up thresholds: percentages --------------------------------------------------------
def test_thresholds_are_typed_as_percentages_and_sent_as_shares(ready):
    post = regular_post(**{"warmup-0-upgrade_value": "92.5", "warmup-1-downgrade_value": "70 %"})
    assert ready.post("/campaigns/new/", post).status_code == 302
    warm_up = SandboxCampaign.objects.get().data["warm_up"]
    assert [(w["upgrade_value"], w["downgrade_value"]) for w in warm_up] == [
        ("0.925", "0.75"),
        ("0.9", "0.7"),
    ]
    detail = text(ready.get(f"/campaigns/{SandboxCampaign.objects.get().id}/"))
    assert "gmail.com 1 92.5% delivered 75.0% delivered" in detail


def test_the_preview_reads_percentages(ready):
    body = ready.post(
        "/campaigns/new/",
        regular_post(_action="preview", **{"warmup-0-upgrade_value": "95"}),
        headers={"HX-Request": "true", "X-Builder-Partial": "warmup_preview"},
    ).content.decode()
    assert "the rate goes up when at least 95% of messages are delivered" in body
    assert "9500%" not in body


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9500", "Enter a percentage above 0 and at most 100, such as 95."),
        ("0", "Enter a percentage above 0 and at most 100, such as 95."),
        ("ninety", "Enter a percentage such as 95 or 92.5."),
        ("92.55", "Use one decimal at most, such as 92.5."),
    ],
)
def test_a_threshold_typed_wrong_is_kept_with_its_message(ready, typed, message):
    response = ready.post("/campaigns/new/", regular_post(**{"warmup-0-upgrade_value": typed}))
    body = response.content.decode()
    assert response.status_code == 422
    field = re.search(r'<input[^>]*name="warmup-0-upgrade_value"[^>]*>', body).group(0)
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
    assert message in text(response)
    assert "digit" not in text(response)  # never Django's "digits before the decimal point"
    assert not SandboxCampaign.objects.exists()


def test_an_edit_shows_the_thresholds_as_percentages(ready):
    warm_up = [
        {"domain": "gmail.com", "rate": 1, "upgrade_value": "0.925", "downgrade_value": 0.7},
        {"domain": "yahoo.com", "rate": 2, "upgrade_value": 1, "downgrade_value": "0.5"},
    ]
    mirror(5, "Warm", warm_up=warm_up)
    body = ready.get("/campaigns/5/edit/").content.decode()
    for name, value in (
        ("warmup-0-upgrade_value", "92.5"),
        ("warmup-0-downgrade_value", "70"),
        ("warmup-1-upgrade_value", "100"),
        ("warmup-1-downgrade_value", "50"),
    ):
        assert re.search(rf'name="{name}" value="{value}"', body), name
    assert "at least 92.5% of messages are delivered" in body


# --- A/B tests: the field the variants replace ----------------------------------------------
@pytest.mark.parametrize(
    ("dimension", "variants", "not_sent", "detail"),
    [
        ("subjects", ["Hi", "Hello"], "subject", "Subject Each variant's own"),
        ("sender_ids", ["21", "53"], "sender_id", "From Each variant's own"),
        (
            "template_invoke_names",
            ["newsletter", "promo_season"],
            "template_invoke_name",
            "Template Each variant's own",
        ),
    ],
)
def test_an_ab_test_sends_no_single_value_for_what_it_compares(
    ready, dimension, variants, not_sent, detail
):
    post = ab_post(
        ab_dimension=dimension,
        **{"variant-TOTAL_FORMS": "2", "variant-0-value": variants[0]},
        **{"variant-1-value": variants[1]},
    )
    assert ready.post("/campaigns/new/", post).status_code == 302
    sent = SandboxCampaign.objects.get().data
    assert sent["ab_test"][dimension] == variants and not_sent not in sent
    assert detail in text(ready.get(f"/campaigns/{SandboxCampaign.objects.get().id}/"))


def test_what_an_ab_test_hides_cannot_block_it(ready):
    """A subject too long, a UTM source too long: typed for a regular campaign, hidden once
    the form is an A/B test of subjects, so they cannot stop it either."""
    post = ab_post(subject="s" * 300, utm_source="u" * 65)
    assert ready.post("/campaigns/new/", post).status_code == 302
    sent = SandboxCampaign.objects.get().data
    assert "subject" not in sent and not sent.get("google_track")


def test_the_builder_says_why_an_ab_test_has_no_warm_up_or_utm(ready):
    body = text(ready.get("/campaigns/new/"))
    assert (
        "Warm-up and link tracking (UTM) are not offered for an A/B test: EngageLab takes them "
        "for regular campaigns only." in body
    )
    assert "The subject is what the A/B test below compares: each variant has its own." in body


def test_the_other_kinds_builder_is_kept_without_errors(ready):
    """A regular campaign refused for its name: the A/B builder (hidden, not sent) keeps its
    empty variants without telling the user to fill them in; and the other way round."""
    regular = ready.post("/campaigns/new/", regular_post(name=""))
    assert "Fill in this variant or remove it." not in text(regular)
    ab = ready.post(
        "/campaigns/new/",
        ab_post(
            name="", **{"warmup-TOTAL_FORMS": "2", "warmup-0-domain": "", "warmup-1-domain": "x"}
        ),
    )
    assert "Enter a domain or remove this row." not in text(ab)
    assert "Enter a recipient domain such as gmail.com." not in text(ab)
    assert 'value="x"' in ab.content.decode()  # kept as typed
