"""EngageLab Email's marketing-campaigns API, as the contract describes it.

Contract, in Switchboard's words: docs/providers/engagelab.md (from EngageLab's pages, e.g.
https://www.engagelab.com/docs/email/rest-api/marketing/campaigns). Each method names the
contract section it follows; what EngageLab does not document is in the marked UNPUBLISHED
section. Returns dataclasses; raises `ProviderError`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any, ClassVar
from urllib.parse import urlencode

import requests
from django.utils.translation import gettext, gettext_lazy

from dashboard.capabilities import PartlyPublished, Unpublished
from dashboard.providers import ProviderClient, ProviderError, int_or_none

PAGE_SIZE = 100  # the list endpoint's maximum `limit`
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S%z"  # "2022-09-27T16:36:32+0800"
# EngageLab's default time zone: its timestamps and its daily statistics count in UTC+8.
STATS_TIME_ZONE = "+8"
STATS_TZINFO = dt_timezone(timedelta(hours=8))


def stats_today(now: datetime) -> date:
    """The day EngageLab's daily statistics are counting at `now` (an aware datetime): from
    16:00 UTC it is already tomorrow in UTC+8."""
    return now.astimezone(STATS_TZINFO).date()


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(str(value), TIMESTAMP_FORMAT)
    except ValueError:
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            return None


@dataclass
class Campaign:
    """ "Campaign object" in the contract."""

    campaign_id: int
    campaign_type: int
    name: str
    status: int
    audience_type: str = ""
    audience_values: list[str] = field(default_factory=list)
    template_invoke_name: str = ""
    subject: str = ""
    reply_to: str = ""
    from_email: str = ""
    from_name: str = ""
    sender_id: int | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    run_time: datetime | None = None
    complete_time: datetime | None = None
    time_zone: str = "+8"
    google_track: dict | None = None
    warm_up: list | None = None
    ab_test: dict | None = None
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_api(cls, data: dict) -> Campaign:
        to = data.get("to") or []
        # The documented responses show `to` both as an array of one item and as a bare object.
        first = to[0] if isinstance(to, list) and to else to if isinstance(to, dict) else {}
        time_zone = str(data.get("time_zone") if data.get("time_zone") is not None else "+8")
        if time_zone and time_zone[0] not in "+-":
            time_zone = f"+{time_zone}"
        return cls(
            campaign_id=int(data["campaign_id"]),
            campaign_type=int(data.get("campaign_type") or 2),
            name=data.get("name") or "",
            status=int(data.get("status") or 0),
            audience_type=first.get("type") or "",
            audience_values=[str(v) for v in first.get("value") or []],
            template_invoke_name=data.get("template_invoke_name") or "",
            subject=data.get("subject") or "",
            reply_to=data.get("reply_to") or "",
            from_email=data.get("from_email") or "",
            from_name=data.get("from_name") or "",
            sender_id=int_or_none(data.get("sender_id")),
            create_time=parse_time(data.get("create_time")),
            update_time=parse_time(data.get("update_time")),
            run_time=parse_time(data.get("run_time")),
            complete_time=parse_time(data.get("complete_time")),
            time_zone=time_zone,
            google_track=data.get("google_track") or None,
            warm_up=data.get("warm_up") or None,
            ab_test=data.get("ab_test") or None,
            raw=data,
        )


@dataclass
class CampaignPage:
    campaigns: list[Campaign]
    total: int


@dataclass
class Sender:
    sender_id: int
    name: str
    email: str
    domain_name: str = ""


@dataclass
class Template:
    template_invoke_name: str
    name: str
    subject: str = ""
    template_id: int | None = None


@dataclass
class Tag:
    name: str
    tag_id: int | None = None


@dataclass
class Segment:
    segment_id: int | None
    name: str


@dataclass
class StatsRow:
    """A row of "Statistics → GET /v1/stats_day"."""

    send_date: date
    domain: str
    sent: int
    delivered: int
    invalid_email: int
    soft_bounce: int
    total_opens: int
    opens: int
    total_clicks: int
    clicks: int
    unsubscribe: int
    report_spam: int
    raw: dict = field(default_factory=dict)


# The counts of a `StatsRow`, each read as a number.
STAT_COUNTS = tuple(
    f.name for f in fields(StatsRow) if f.name not in {"send_date", "domain", "raw"}
)


class EngageLabClient(PartlyPublished, ProviderClient):
    provider = "engagelab"
    rate_per_second = 10.0
    # "Rate limits": statistics allow 60 calls a minute per account. A burst of one, then one
    # call every 60/59 s: no 60-second span holds more than 1 + 59, however many processes.
    path_limits = {"/v1/stats_day": (59 / 60, 1)}

    def prepare(self, credentials: dict[str, str]) -> None:
        # "Transport → Auth": Basic base64(api_user:api_key) on every call.
        token = base64.b64encode(
            f"{credentials.get('api_user', '')}:{credentials.get('api_key', '')}".encode()
        ).decode()
        self.session.headers["Authorization"] = f"Basic {token}"
        self.session.headers["Content-Type"] = "application/json; charset=utf-8"

    # "Transport → Errors": non-2xx with {"code", "message"}; any code shows its message.
    def error_from(self, response: requests.Response, body: Any) -> ProviderError | None:
        code = message = None
        if isinstance(body, dict):
            code, message = body.get("code"), body.get("message")
        if response.ok:
            if code is not None and not {"result", "count", "total"} & set(body):
                # An error shape inside a 200: still an error.
                return ProviderError(
                    gettext("EngageLab: %(message)s (code %(code)s)")
                    % {"message": message or gettext("the call failed"), "code": code},
                    provider=self.provider,
                    status=response.status_code,
                    code=code,
                    provider_message=message,
                )
            return None
        error = self.http_error(response, code=code, provider_message=message)
        if response.status_code == 401 or code == 30000:
            # A persistent 30000 usually means the credentials belong to the other data center.
            error.message = gettext(
                "EngageLab refused Switchboard's credentials (code 30000). Check the API user "
                "and key, and that ENGAGELAB_BASE_URL is the data center they belong to."
            )
            error.args = (error.message,)
        return error

    # --- Endpoints → create -----------------------------------------------------------
    def campaign_create(self, payload: dict) -> Campaign:
        """Endpoints → create: `POST /v1/marketing/campaigns` → `{"result": <campaign>}`."""
        _, body = self.request("POST", "/v1/marketing/campaigns", json=payload)
        result = self._result(body)
        self.required_int(result, "campaign_id", what=gettext("the campaign"))
        # An answer that does not repeat the campaign's type is read with the type Switchboard
        # asked for (an A/B test is not mirrored as a regular campaign until the next sync).
        if result.get("campaign_type") is None and "campaign_type" in payload:
            result = {**result, "campaign_type": payload["campaign_type"]}
        with self.reading(gettext("a campaign")):
            return Campaign.from_api(result)

    # --- Endpoints → list ---------------------------------------------------------------
    def campaign_list_page(
        self,
        *,
        campaign_type: int | None = None,
        status: int | None = None,
        name: str | None = None,
        limit: int = PAGE_SIZE,
        offset: int = 0,
    ) -> CampaignPage:
        """Endpoints → list: one page, `limit` 1–100, `offset` ≥ 0."""
        query: dict[str, Any] = {"limit": limit, "offset": offset}
        if campaign_type is not None:
            query["campaign_type"] = campaign_type
        if status is not None:
            query["status"] = status
        if name:
            query["name"] = name
        _, body = self.request("GET", f"/v1/marketing/campaigns?{urlencode(query)}")
        rows = self._rows(body)
        for row in rows:
            self._promised(row, what=gettext("a campaign"))
        # Without the total, the walk could not know it has every page: a listing taken for
        # whole would remove the campaigns of the pages it never asked for.
        listing = gettext("a campaign list")
        total = self.required_int(body, "total", what=listing, write=False, minimum=0)
        with self.reading(listing):
            campaigns = [Campaign.from_api(r) for r in rows]
        return CampaignPage(campaigns, total)

    def campaign_list(
        self,
        *,
        campaign_type: int | None = None,
        status: int | None = None,
        name: str | None = None,
    ) -> list[Campaign]:
        """Endpoints → list, walking every page until `total` is reached."""
        campaigns: list[Campaign] = []
        offset = 0
        while True:
            page = self.campaign_list_page(
                campaign_type=campaign_type, status=status, name=name, offset=offset
            )
            campaigns += page.campaigns
            offset += len(page.campaigns)
            if not page.campaigns or offset >= page.total:
                return campaigns

    # --- Endpoints → detail / update / delete ------------------------------------------
    def campaign_get(self, campaign_id: int) -> Campaign:
        """Endpoints → detail: `GET /v1/marketing/campaigns/{campaign_id}`."""
        _, body = self.request("GET", f"/v1/marketing/campaigns/{int(campaign_id)}")
        result = self._result(body)
        self._promised(result, what=gettext("the campaign"))
        with self.reading(gettext("a campaign")):
            return Campaign.from_api(result)

    def campaign_update(self, campaign_id: int, payload: dict) -> int:
        """Endpoints → update: `PUT …/{campaign_id}` → `{"count": 1}`; 32110 once started."""
        _, body = self.request("PUT", f"/v1/marketing/campaigns/{int(campaign_id)}", json=payload)
        return self.required_int(body, "count", what=gettext("the changes"))

    def campaign_delete(self, campaign_id: int) -> int:
        """Endpoints → delete: `DELETE …/{campaign_id}` → `{"count": 1}`."""
        _, body = self.request("DELETE", f"/v1/marketing/campaigns/{int(campaign_id)}")
        return self.required_int(body, "count", what=gettext("the deletion"))

    # --- Endpoints → tags ----------------------------------------------------------------
    def tag_list(self, *, tag_name: str = "") -> list[Tag]:
        """Endpoints → tags: `GET /v1/marketing/campaigns/tags`, every page."""
        rows = self._walk(
            "/v1/marketing/campaigns/tags", {"tag_name": tag_name} if tag_name else {}
        )
        return [
            Tag(name=r.get("tag_name") or r.get("name") or "", tag_id=r.get("tag_id")) for r in rows
        ]

    def tag_create(self, names: list[str]) -> int:
        """Endpoints → tags: `POST` with `{"tag_names": [...]}` → `{"count": n}`."""
        _, body = self.request("POST", "/v1/marketing/campaigns/tags", json={"tag_names": names})
        return self.required_int(body, "count", what=gettext("the tags"), minimum=0)

    # --- Reference lists a campaign builder needs ---------------------------------------
    def template_list(self) -> list[Template]:
        """Reference lists → templates: `GET /v1/templates`."""
        rows = self._walk("/v1/templates", {})
        with self.reading(gettext("a template list")):
            return [
                Template(
                    template_invoke_name=r["template_invoke_name"],
                    name=r.get("name") or r["template_invoke_name"],
                    subject=r.get("subject") or "",
                    template_id=int_or_none(r.get("template_id")),
                )
                for r in rows
            ]

    # --- Statistics ------------------------------------------------------------------------
    def daily_stat_list(
        self,
        *,
        start_date: str,
        end_date: str,
        time_zone: str = "+8",
        domain_names: list[str] | None = None,
    ) -> list[StatsRow]:
        """Statistics → `GET /v1/stats_day` (range ≤ 3 months, rows per day and domain)."""
        query = {"start_date": start_date, "end_date": end_date, "time_zone": time_zone}
        if domain_names:
            query["domain_names"] = ";".join(domain_names)
        _, body = self.request("GET", f"/v1/stats_day?{urlencode(query)}")
        what = gettext("a statistics row")
        rows = []
        with self.reading(gettext("daily statistics")):
            for r in self._rows(body):
                # A count left out is not a day without opens: the row is refused, not made 0.
                counts = {
                    k: self.required_int(r, k, what=what, write=False, minimum=0)
                    for k in STAT_COUNTS
                }
                day = date.fromisoformat(self.required_text(r, "send_date", what=what))
                domain = self.required_text(r, "domain", what=what)
                rows.append(StatsRow(send_date=day, domain=domain, raw=r, **counts))
        return rows

    # ======================================================================================
    # UNPUBLISHED — what EngageLab does not document publicly.
    # Senders and segments are documented as created with POST; listing them with GET on
    # the same path is inferred, and an account answered 404 to the segment listing. Each is
    # called inside `self.unpublished(name)`: an account that refuses one loses that list
    # alone (the builder says so), and Switchboard asks again after a while
    # (dashboard/capabilities.py). The contract, in Switchboard's words:
    # docs/providers/engagelab.md.
    # ======================================================================================
    UNPUBLISHED: ClassVar[dict[str, Unpublished]] = {
        c.name: c
        for c in (
            Unpublished(
                "engagelab",
                "senders_list",
                gettext_lazy("Listing senders"),
                "GET /v1/marketing/senders",
            ),
            Unpublished(
                "engagelab",
                "segments_list",
                gettext_lazy("Listing segments"),
                "GET /v1/marketing/lists/segments",
            ),
        )
    }

    def sender_list(self) -> list[Sender]:
        """Reference lists → senders (listing with GET is inferred by the contract)."""
        with self.unpublished("senders_list"):
            rows = self._walk("/v1/marketing/senders", {})
        with self.reading(gettext("a sender list")):
            return [
                Sender(
                    sender_id=self.required_int(
                        r, "sender_id", what=gettext("a sender"), write=False
                    ),
                    name=r.get("name") or "",
                    email=r.get("email") or "",
                    domain_name=r.get("domain_name") or "",
                )
                for r in rows
            ]

    def segment_list(self) -> list[Segment]:
        """Reference lists → segments (listing with GET is inferred)."""
        with self.unpublished("segments_list"):
            rows = self._walk("/v1/marketing/lists/segments", {})
        return [
            Segment(segment_id=int_or_none(r.get("segment_id")), name=r.get("segment_name") or "")
            for r in rows
        ]

    # --- helpers ---------------------------------------------------------------------------
    def _promised(self, campaign: Any, *, what: str) -> None:
        """A campaign read from a listing or its detail carries its id, its type and its status
        (both documented for both): one without is refused, never read as a regular campaign
        still pending, which the list would offer to edit and delete."""
        self.required_int(campaign, "campaign_id", what=what, write=False)
        self.required_int(campaign, "campaign_type", what=what, write=False)
        self.required_int(campaign, "status", what=what, write=False, minimum=-1)

    def _walk(self, path: str, query: dict[str, Any]) -> list[dict]:
        """Lists follow `{"result": [...], "count": n, "total": N}` with offset/limit. These
        listings are inferred: without a `total`, a full page is followed by the next one (a
        list cut at its first page would be stored as if the rest had gone)."""
        rows: list[dict] = []
        offset = 0
        while True:
            _, body = self.request(
                "GET", f"{path}?{urlencode({**query, 'offset': offset, 'limit': PAGE_SIZE})}"
            )
            page = self._rows(body)
            rows += page
            offset += len(page)
            total = int_or_none((body or {}).get("total"))
            last = len(page) < PAGE_SIZE if total is None else offset >= total
            if not page or last:
                return rows

    def _result(self, body: Any) -> dict:
        if not isinstance(body, dict) or not isinstance(body.get("result"), dict):
            raise ProviderError(
                gettext("EngageLab answered without the campaign it should describe."),
                provider=self.provider,
            )
        return body["result"]

    def _rows(self, body: Any) -> list[dict]:
        if not isinstance(body, dict) or not isinstance(body.get("result", []), list):
            raise ProviderError(
                gettext("EngageLab answered a list call with something that is not a list."),
                provider=self.provider,
            )
        return [r for r in body.get("result") or [] if isinstance(r, dict)]
