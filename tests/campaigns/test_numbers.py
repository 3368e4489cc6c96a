"""Every number a manager reads beside a chart is the chart's own: each table cell equals the
value the chart is drawn from (the figure JSON of the page and of the refresh endpoint) and the
value of the CSV download, all written by one rate rule."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from campaigns.models import DailyDomainStat
from dashboard.numbers import number, rate
from tests.campaigns.test_charts import deliver, ev, mirror
from tests.pages import csv_rows, figures, tables

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(frozen_clock):
    """No test here depends on the hour it runs."""


WARM_UP = [{"domain": "gmail.com", "rate": 1, "upgrade_value": "0.95", "downgrade_value": "0.8"}]


@pytest.fixture(autouse=True)
def on_sandbox(settings):
    settings.SANDBOX = True


def test_rates_are_written_one_way():
    assert rate(0.1) == "10.0%"  # {% widthratio 0.1 0.001 0.1 %} wrote 0
    assert rate(0.30349) == "30.3%" and rate(0.30351) == "30.4%"
    assert rate(1) == "100.0%" and rate(0) == "0.0%" and rate("0.95", 0) == "95%"
    assert rate(None) == "—" and rate("") == "—"


def _two_domains(client):
    """gmail.com: 10 sent and delivered, 1 opens (10.0%); outlook.com: 3 sent, 2 delivered
    (66.7%), 1 opens and clicks (50.0%)."""
    events = []
    for n in range(10):
        events += [ev(n, "sent", 0), ev(n, "delivered", 1)]
    events += [ev(1, "open", 2), ev(1, "open", 3)]
    for n in range(20, 23):
        events.append(ev(n, "sent", 0, domain="outlook.com"))
    events += [ev(n, "delivered", 1, domain="outlook.com") for n in (20, 21)]
    events += [ev(20, "open", 4, domain="outlook.com"), ev(20, "click", 5, domain="outlook.com")]
    deliver(client, events)


def _check_domains(table, figs, csv):
    by_csv = {row["domain"]: row for row in csv}
    rates = {t["name"]: t["y"] for t in figs["domains"]["data"]}
    names = figs["domains"]["data"][0]["x"]
    delivery = dict(
        zip(
            figs["deliverability"]["data"][0]["x"],
            figs["deliverability"]["data"][0]["y"],
            strict=True,
        )
    )
    assert [row[0].replace(" warm-up", "") for row in table] == ["gmail.com", "outlook.com"]
    for i, row in enumerate(table):
        domain = row[0].replace(" warm-up", "")
        sent, delivered, delivery_rate, opens, open_rate, clicks, click_rate = row[1:]
        assert [sent, delivered, opens, clicks] == [
            by_csv[domain][k] for k in ("sent", "delivered", "unique_opens", "unique_clicks")
        ]
        assert delivery_rate == rate(by_csv[domain]["delivered_rate"])
        assert (
            open_rate
            == rate(rates["Unique open rate"][i])
            == rate(by_csv[domain]["unique_open_rate"])
        )
        assert (
            click_rate
            == rate(rates["Unique click rate"][i])
            == rate(by_csv[domain]["unique_click_rate"])
        )
        assert domain in names[i]
        if domain in delivery:
            assert delivery_rate == rate(delivery[domain])
    return table


def test_domain_tables_equal_their_charts_and_the_csv(client, manager):
    mirror(warm_up=WARM_UP)
    _two_domains(client)
    client.force_login(manager)
    page = client.get("/campaigns/42/").content.decode()
    csv = csv_rows(client.get("/campaigns/42/stats.csv?table=domain").content.decode())
    table = _check_domains(
        tables(page)["table-domains"], {k[4:]: v for k, v in figures(page).items()}, csv
    )
    assert table[0][3:6] == ["100.0%", "1", "10.0%"]  # what a manager reads, not 0%
    assert table[1][3:] == ["66.7%", "1", "50.0%", "1", "50.0%"]

    # The refresh endpoint's tables are the same, beside the same figures.
    data = client.get("/campaigns/42/charts/data.json").json()
    figs = {key: {"data": traces} for key, traces in data["figures"].items()}
    assert _check_domains(tables(data["tables"])["table-domains"], figs, csv) == table


def test_the_cumulative_chart_ends_where_the_csv_ends(client, manager):
    mirror()
    _two_domains(client)
    client.force_login(manager)
    page = client.get("/campaigns/42/").content.decode()
    traces = {t["name"]: t["y"] for t in figures(page)["fig-cumulative"]["data"]}
    last = csv_rows(client.get("/campaigns/42/stats.csv?table=timeline").content.decode())[-1]
    assert traces["Unique opens"][-1] == int(last["cumulative_unique_opens"]) == 2
    assert traces["Total opens"][-1] == int(last["cumulative_opens"]) == 3
    assert traces["Unique clicks"][-1] == int(last["cumulative_unique_clicks"]) == 1


def test_overview_table_equals_its_chart_and_the_csv(client, manager):
    mirror(name="Launch")
    _two_domains(client)
    client.force_login(manager)
    fragment = client.get("/campaigns/overview/chart/?period=1h").content.decode()
    csv = csv_rows(
        client.get("/campaigns/overview/data.json?period=1h&format=csv").content.decode()
    )
    for html, traces in (
        (fragment, figures(fragment)["fig-overview"]["data"]),
        *[
            (data["tables"], data["figures"]["overview"])
            for data in [client.get("/campaigns/overview/data.json?period=1h").json()]
        ],
    ):
        by_name = {t["name"]: t["y"][-1] for t in traces}
        [row] = tables(html)["table-overview"]
        assert row == ["Launch", "16.7%", "8.3%"]  # 2 of 12 delivered opened, 1 clicked
        assert row[1] == rate(by_name["Launch — opens"]) == rate(csv[-1]["unique_open_rate"])
        assert row[2] == rate(by_name["Launch — clicks"]) == rate(csv[-1]["unique_click_rate"])


def test_engagelab_daily_report_shows_its_rates(client, manager):
    now = timezone.now()
    for domain, delivered, opens, clicks in (("gmail.com", 150, 20, 5), ("yahoo.com", 50, 0, 3)):
        DailyDomainStat.objects.create(
            day=date(2026, 3, 2), domain=domain, sent=delivered + 10, delivered=delivered,
            opens=opens, clicks=clicks, synced_at=now,
        )  # fmt: skip
    client.force_login(manager)
    fragment = client.get("/campaigns/overview/chart/").content.decode()
    assert tables(fragment)["table-daily"] == [
        ["2026-03-02", "220", "200", "20", "8", "10.0%", "4.0%"]
    ]


def test_latest_sendings_table_equals_its_chart(client, manager):
    from campaigns.models import Campaign

    Campaign.objects.filter(provider_id=42).delete()
    mirror(name="Spring", run_time=timezone.now() - timedelta(hours=1))
    _two_domains(client)
    client.force_login(manager)
    page = client.get("/").content.decode()
    figure = figures(page)["fig-sendings"]["data"]
    [row] = tables(page)["table-sendings"]
    assert row[0] == "Spring" and row[-2:] == ["16.7%", "8.3%"]
    assert row[-2] == rate(figure[0]["x"][0]) and row[-1] == rate(figure[1]["x"][0])


def test_a_started_campaign_no_event_was_counted_for_shows_no_numbers(client, manager):
    from campaigns.models import Campaign

    Campaign.objects.filter(provider_id=42).delete()
    mirror(name="Quiet", run_time=timezone.now() - timedelta(hours=1))
    client.force_login(manager)
    [row] = tables(client.get("/").content.decode())["table-sendings"]
    assert row[0] == "Quiet" and row[3:] == ["—"] * 6  # as the campaign list shows it


# --- the campaign list ----------------------------------------------------------------------
def _list_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/campaigns/").content.decode()
    return len(ctx.captured_queries), body


def test_the_list_shows_sent_and_unique_rates_in_constant_queries(client, manager):
    from campaigns.models import Campaign, CampaignStats

    mirror(name="Spring")
    _two_domains(client)  # 13 sent, 12 delivered, 2 unique opens, 1 unique click
    client.force_login(manager)
    queries_for_one, body = _list_queries(client)
    [row] = tables(body)["table-campaigns"]
    assert row[0] == "Spring #42" and row[5:8] == ["13", "16.7%", "8.3%"]

    for i in range(100, 104):
        mirror(cid=i, name=f"Campaign {i}")
    CampaignStats.objects.create(campaign_id=100, sent=3)  # sent, nothing delivered yet
    five, body = _list_queries(client)
    rows = {r[0]: r[5:8] for r in tables(body)["table-campaigns"]}
    assert rows["Campaign 100 #100"] == ["3", "—", "—"]  # no rate over nothing delivered
    assert rows["Campaign 101 #101"] == ["—", "—", "—"]  # no event yet

    for i in range(200, 245):
        mirror(cid=i, name=f"Campaign {i}")
        CampaignStats.objects.create(campaign_id=i, sent=10, delivered=10, unique_opens=i % 7)
    assert Campaign.objects.count() == 50
    fifty, body = _list_queries(client)
    assert len(tables(body)["table-campaigns"]) == 25  # a page
    assert five == fifty == queries_for_one


def test_the_list_rendered_once_for_everyone_shows_any_change_at_once(client, manager):
    from campaigns.models import Campaign, CampaignStats

    mirror(name="Spring")
    _two_domains(client)
    client.force_login(manager)
    [row] = tables(client.get("/campaigns/").content.decode())["table-campaigns"]
    assert row[2] == "Running" and row[5:8] == ["13", "16.7%", "8.3%"]
    # Written behind any service's back (a queryset update, as a sync or the sender does):
    # the rows are kept under what they show, so the next reader sees the change.
    Campaign.objects.update(status=2)
    CampaignStats.objects.update(unique_opens=6)
    [row] = tables(client.get("/campaigns/").content.decode())["table-campaigns"]
    assert row[2] == "Finished" and row[5:8] == ["13", "50.0%", "8.3%"]
    client.cookies["django_language"] = "fr"
    [row] = tables(client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())[
        "table-campaigns"
    ]
    with translation.override("fr"):
        assert row[2] == gettext("Finished") != "Finished"
        assert row[6] == rate(0.5).replace("\xa0", " ") != "50.0%"  # the table reads spaces


def test_the_filters_rendered_once_per_query_keep_each_readers_own_choice(client, manager):
    client.force_login(manager)
    for query, status in (("", ""), ("status=2", "2"), ("q=spring&status=0", "0"), ("", "")):
        page = client.get(f"/campaigns/?{query}").content.decode()
        filters = page[
            page.index('class="filters"') : page.index("</form>", page.index('class="filters"'))
        ]
        selected = re.findall(
            r'<option value="([^"]*)" selected>', filters[filters.index('name="status"') :]
        )
        assert selected[:1] == [status]
        assert ('value="spring"' in filters) == ("spring" in query)
    client.cookies["django_language"] = "fr"
    page = client.get("/campaigns/?status=2", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    with translation.override("fr"):
        assert f">{gettext('All types')}<" in page and gettext("All types") != "All types"


def test_the_list_counts_its_campaigns_with_the_readers_thousands_separator(client, manager):
    from campaigns.models import Campaign

    now = timezone.now()
    Campaign.objects.bulk_create(
        Campaign(provider_id=i, name=f"C{i}", status=1, campaign_type=2, synced_at=now)
        for i in range(1, 1235)
    )
    client.force_login(manager)
    assert "1,234 campaigns</p>" in client.get("/campaigns/").content.decode()
    client.cookies["django_language"] = "fr"
    page = client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    with translation.override("fr"):
        assert f"{number(1234)} campagnes</p>" in page and number(1234) != "1234"


def test_a_rate_over_nothing_delivered_is_a_dash_not_a_made_up_zero(client, manager):
    """Sent but not delivered yet: the delivery rate is a real 0%, the open and click rates
    over delivered do not exist yet, in the tables, the charts and the CSV alike."""
    mirror(name="Launch", warm_up=WARM_UP)
    events = [ev(n, "sent", 0) for n in range(2)] + [ev(n, "delivered", 1) for n in range(2)]
    events += [ev(1, "open", 2)]
    events += [ev(n, "sent", 0, domain="outlook.com") for n in (20, 21, 22)]
    deliver(client, events)
    mirror(cid=43, name="Fresh")
    deliver(client, [ev(30, "sent", 0, cid=43)])
    client.force_login(manager)

    page = client.get("/campaigns/42/").content.decode()
    csv = csv_rows(client.get("/campaigns/42/stats.csv?table=domain").content.decode())
    table = _check_domains(
        tables(page)["table-domains"], {k[4:]: v for k, v in figures(page).items()}, csv
    )
    assert table[1][1:] == ["3", "0", "0.0%", "0", "—", "0", "—"]
    assert csv[1]["unique_open_rate"] == "" and csv[1]["delivered_rate"] == "0.000000"

    numbers = client.get("/campaigns/43/charts/data.json").json()["numbers"]
    assert numbers["delivered_rate"] == "0.0%"
    assert numbers["unique_open_rate"] == numbers["unique_click_rate"] == "—"

    fragment = client.get("/campaigns/overview/chart/?period=1h").content.decode()
    rows = {row[0]: row[1:] for row in tables(fragment)["table-overview"]}
    assert rows == {"Launch": ["50.0%", "0.0%"], "Fresh": ["—", "—"]}
    traces = {t["name"]: t["y"] for t in figures(fragment)["fig-overview"]["data"]}
    assert traces["Fresh — opens"] == traces["Fresh — clicks"] == [None]  # a gap, not 0
    overview_csv = csv_rows(
        client.get("/campaigns/overview/data.json?period=1h&format=csv").content.decode()
    )
    fresh = [r for r in overview_csv if r["campaign"] == "Fresh"]
    assert [(r["unique_open_rate"], r["unique_click_rate"]) for r in fresh] == [("", "")]
