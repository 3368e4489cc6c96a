"""The board's search by a part of a name, an e-mail or an external id when one word of it is
rare among many contacts holding another ("Contact 1042" among 300 "Contact N"): the same
contacts found as by the whole text, in id order, a page at a time, within the status asked
for, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialer import selectors
from dialer.models import DialerCampaign, DialerContact

pytestmark = pytest.mark.django_db

COMMON = selectors.RARE + 50  # contacts named "Contact N": "Contact" is a common word


@pytest.fixture
def campaign():
    campaign = DialerCampaign.objects.create(provider_id=4100, name="Autumn renewals")
    DialerContact.objects.bulk_create(
        DialerContact(
            campaign=campaign,
            provider_id=n,
            name=f"Contact {n}",
            email=f"c{n}@example.com",
            external_unique_id=f"CRM-{n}",
            status="Upcoming",
        )
        for n in range(1000, 1000 + COMMON)
    )
    return campaign


def add(campaign, name, *, status="Upcoming", email="", external_unique_id=""):
    return DialerContact.objects.create(
        campaign=campaign,
        name=name,
        email=email,
        external_unique_id=external_unique_id,
        status=status,
    )


def names(client, campaign, **query) -> list[str]:
    """The names the board lists for a search, top to bottom."""
    url = reverse("dialer:campaign_detail", args=[campaign.provider_id])
    page = client.get(url, query, HTTP_HX_REQUEST="true").content.decode()
    return re.findall(r'<td class="c-name" data-label="Name">([^<]*)</td>', page)


@pytest.fixture
def staff(client, dialer_staff):
    client.force_login(dialer_staff)
    return client


def test_a_rare_word_beside_a_common_one_finds_the_whole_text_only(staff, campaign):
    # "104" is in 1040…1049, 1104, 1204: only the first ten hold "Contact 104".
    assert names(staff, campaign, q="Contact 104") == [f"Contact {n}" for n in range(1040, 1050)]
    assert names(staff, campaign, q="contact 1042") == ["Contact 1042"]  # case aside
    assert names(staff, campaign, q="Contact 1042 ") == ["Contact 1042"]


def test_the_index_is_not_asked_for_the_common_word_with_the_rare_one(staff, campaign):
    # The whole text through the index reads every contact holding "Contact".
    with CaptureQueriesContext(connection) as ctx:
        assert names(staff, campaign, q="Contact 1042") == ["Contact 1042"]
    # SQLite's FTS5 phrase, PostgreSQL's LIKE pattern.
    whole = (': "Contact 1042"', "%Contact 1042%")
    assert not [q["sql"] for q in ctx.captured_queries if any(w in q["sql"] for w in whole)]


def test_a_phrase_across_words_and_columns_is_found_where_it_is_whole(staff, campaign):
    near = add(campaign, "Contact 1042 Riverside")
    add(campaign, "Contact 1042 Lake Riverside")  # both words, not side by side
    add(campaign, "Riverside", email="contact1042@example.org")  # the words in two columns
    by_email = add(campaign, "Bo Lake", email="c1042@riverside.example")
    assert names(staff, campaign, q="1042 Riverside") == [near.name]
    assert names(staff, campaign, q="c1042@riverside") == [by_email.name]
    assert names(staff, campaign, q="CRM-1042") == ["Contact 1042"]


def test_an_underscore_or_a_percent_sign_is_searched_as_typed(staff, campaign):
    add(campaign, "Contact 1042_x")
    add(campaign, "Contact 1042 50%")
    assert names(staff, campaign, q="1042_x") == ["Contact 1042_x"]
    assert names(staff, campaign, q="1042 50%") == ["Contact 1042 50%"]


def test_accented_names_are_found_case_aside(staff, campaign):
    zoe = add(campaign, "Zoë Dupré 1042")
    assert names(staff, campaign, q="DUPRÉ 1042") == [zoe.name]
    assert names(staff, campaign, q="zoë dupré") == [zoe.name]
    assert names(staff, campaign, q="Dupre 1042") == []  # an accent is a letter of its own


def test_a_long_s_is_read_as_the_index_reads_it(staff, campaign):
    """Narrowed by a rare word or read whole from the index, a search finds the same: SQLite's
    trigram index folds ſ to s (so both find it); PostgreSQL's upper() follows its locale,
    the same for both paths."""
    baptiste = add(campaign, "Jean-Baptiſte 1042")
    whole = names(staff, campaign, q="Baptiste")  # the index alone, as before
    assert names(staff, campaign, q="Baptiste 1042") == whole
    if connection.vendor == "sqlite":
        assert whole == [baptiste.name]


def test_a_rare_word_within_a_status_and_a_campaign_only(staff, campaign):
    done = add(campaign, "Contact 1042 Finished", status="Finished")
    other = DialerCampaign.objects.create(provider_id=4101, name="Other")
    add(other, "Contact 1042 Elsewhere")
    assert names(staff, campaign, q="Contact 1042", status="finished") == [done.name]
    assert names(staff, campaign, q="Contact 1042") == ["Contact 1042", done.name]
    assert names(staff, other, q="Contact 1042") == ["Contact 1042 Elsewhere"]


def test_a_rare_word_pages_its_matches_in_id_order(staff, campaign):
    quay = [add(campaign, f"Zed 777{n:02d} Quay").name for n in range(60)]
    first = names(staff, campaign, q="Zed 777")
    assert first == quay[:50]
    assert names(staff, campaign, q="Zed 777", page=2) == quay[50:]
    assert names(staff, campaign, q="Zed 777", page=3) == []


def test_common_words_alone_are_still_found_through_the_index(staff, campaign):
    # "Contact" and "Riverside" are each in more contacts than a rare word is.
    for n in range(selectors.RARE):
        add(campaign, f"Riverside {n}")
    add(campaign, "Contact Riverside")
    assert names(staff, campaign, q="Contact Riverside") == ["Contact Riverside"]
    assert names(staff, campaign, q="Contact 10", page=2) == [
        f"Contact {n}" for n in range(1050, 1100)
    ]


def test_a_common_number_beside_a_rare_name(staff, campaign):
    # "777" is in more contacts than a rare word is: the name narrows the search, or the
    # index reads the whole text.
    for n in range(selectors.RARE):
        add(campaign, f"Order {n}", external_unique_id=f"ORD-777-{n}")
    add(campaign, "Jo Riverside 777")
    assert names(staff, campaign, q="Riverside 777") == ["Jo Riverside 777"]
    assert names(staff, campaign, q="ORD-777-12") == [
        "Order 12",
        *[f"Order {n}" for n in range(120, 130)],
    ]


def test_the_status_chips_speak_each_readers_language_in_turn(client, campaign):
    from dashboard.models import Preferences
    from dashboard.roles import DIALER_STAFF
    from tests.conftest import make_user

    english, french = make_user("en.reader", DIALER_STAFF), make_user("fr.reader", DIALER_STAFF)
    Preferences.objects.update_or_create(user=french, defaults={"language": "fr"})
    url = reverse("dialer:campaign_detail", args=[campaign.provider_id])

    def upcoming(user) -> str:
        client.force_login(user)
        page = client.get(url, {"q": "Contact 1042"}).content.decode()
        chip = re.search(r'id="chip-upcoming".*?</a>', page, re.S).group(0)
        return re.sub(r"<[^>]+>", "|", chip)

    in_english = "|Upcoming|: The contact is next in line to be called.|"
    assert in_english in upcoming(english)
    assert "|À venir|\u00a0: Le contact est le prochain à appeler.|" in upcoming(french)
    assert in_english in upcoming(english)


def test_the_board_lists_its_recent_imports_in_one_query(staff, dialer_staff, campaign, clock):
    # The clock stopped: the imports were made "now" however slowly the page comes.
    from dialer.models import DialerImport

    for name, valid, total in (("autumn.csv", 3, 5), ("late.csv", 1, 1)):
        DialerImport.objects.create(
            campaign=campaign,
            created_by=dialer_staff,
            file_name=name,
            file_format="csv",
            state=DialerImport.State.PREVIEWED,
            valid_rows=valid,
            total_rows=total,
        )
    url = reverse("dialer:campaign_detail", args=[campaign.provider_id])
    with CaptureQueriesContext(connection) as ctx:
        page = staff.get(url, {"q": "Contact 1042"}).content.decode()
    listed = re.search(r'<details class="dialer-imports">.*?</details>', page, re.S).group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", listed))
    assert "Recent imports (2)" in text
    assert "late.csv · Checked: ready to send · 1 valid of 1 · now by dana.dialer" in text
    assert "autumn.csv · Checked: ready to send · 3 valid of 5 · now by dana.dialer" in text
    assert len([q for q in ctx.captured_queries if "dialer_dialerimport" in q["sql"]]) == 1
