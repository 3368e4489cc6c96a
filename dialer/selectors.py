"""Reads for the dialer pages, from the local mirror only (never the provider)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Max, Q, QuerySet, Sum
from django.urls import reverse

from dialer import statuses as st
from dialer.models import (
    DialerCampaign,
    DialerContact,
    DialerImport,
    DialerImportRow,
    DialerStatusCount,
)
from dialer.phones import PhoneError, normalise_phone

PAGE_SIZE = 50
# A page number from the query string is capped: beyond SQLite's 64-bit OFFSET a typed-in
# page=99999999999999999999 would be a database error, and no campaign has a million pages.
MAX_PAGE = 1_000_000


@dataclass
class StatusCount:
    status: st.Status
    count: int


@dataclass
class GroupCount:
    group: st.Group
    statuses: list[StatusCount] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.statuses)


@dataclass
class Counts:
    groups: list[GroupCount]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    def of(self, status_name: str) -> int:
        for g in self.groups:
            for s in g.statuses:
                if s.status.name == status_name:
                    return s.count
        return 0

    def bar(self) -> list[tuple[st.Group, int, float]]:
        """(group, count, percent) for the groups with contacts: the compact status bar."""
        total = self.total or 1
        return [(g.group, g.total, round(100 * g.total / total, 2)) for g in self.groups if g.total]


def _counts_from(by_status: dict[str, int]) -> Counts:
    groups = {g.key: GroupCount(g) for g in st.GROUPS}
    for status in st.STATUSES:
        groups[status.group].statuses.append(
            StatusCount(status, max(0, by_status.get(status.name, 0)))
        )
    return Counts(list(groups.values()))


def campaign_counts(campaign: DialerCampaign) -> Counts:
    rows = DialerStatusCount.objects.filter(campaign=campaign).values_list("status", "count")
    return _counts_from(dict(rows))


@dataclass
class CampaignRow:
    campaign: DialerCampaign
    counts: Counts


def last_synced() -> datetime | None:
    return DialerCampaign.objects.aggregate(at=Max("synced_at"))["at"]


def campaign_rows() -> list[CampaignRow]:
    campaigns = list(DialerCampaign.objects.all())
    by_campaign: dict[int, dict[str, int]] = defaultdict(dict)
    for cid, status, count in DialerStatusCount.objects.values_list(
        "campaign_id", "status", "count"
    ):
        by_campaign[cid][status] = count
    return [CampaignRow(c, _counts_from(by_campaign[c.pk])) for c in campaigns]


class KnownCountPaginator(Paginator):
    """A paginator told its count (from the per-status counts table) instead of running a
    COUNT over the campaign's contacts."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


_PHONE_CHARS = set("+-(). 0123456789")


def _phone_prefix(prefix: str) -> Q:
    # A range on the indexed column instead of LIKE 'x%', which SQLite cannot serve from it.
    return Q(phone_e164__gte=prefix, phone_e164__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))


def search(contacts: QuerySet[DialerContact], q: str) -> QuerySet[DialerContact]:
    """Something that looks like a phone is looked up on the normalised number (exact, or the
    digits typed as its beginning); otherwise an external id (exact) if one matches, else the
    name (contains). Each uses an index except the last."""
    digits = "".join(c for c in q if c.isdigit())
    if len(digits) >= 4 and set(q) <= _PHONE_CHARS:
        try:
            return contacts.filter(phone_e164=normalise_phone(q))
        except PhoneError:
            prefix = "+" + digits if q.lstrip().startswith(("+", "00")) else None
            if prefix:
                return contacts.filter(_phone_prefix(prefix.replace("+00", "+", 1)))
            return contacts.filter(phone_e164__contains=digits)
    by_id = contacts.filter(external_unique_id=q)
    if by_id.exists():
        return by_id
    return contacts.filter(name__icontains=q)


class UncountedPage:
    """A page of search results that knows whether a next page exists (one extra row) rather
    than counting every match."""

    paginator = None

    def __init__(self, queryset: QuerySet, number: str | int | None, per_page: int) -> None:
        try:
            self.number = min(MAX_PAGE, max(1, int(number or 1)))
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.object_list = rows[:per_page]
        self._more = len(rows) > per_page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


@dataclass
class Board:
    campaign: DialerCampaign
    counts: Counts
    status: st.Status | None
    q: str
    page: object

    def _query(self, **extra) -> str:
        params: dict[str, object] = {}
        if self.status:
            params["status"] = self.status.slug
        if self.q:
            params["q"] = self.q
        params.update({k: v for k, v in extra.items() if v})
        return urlencode(params)

    @property
    def querystring(self) -> str:
        """This view of the board (filter, search, page): what the live refresh asks for."""
        number = getattr(self.page, "number", 1)
        return self._query(page=number if number > 1 else None)

    @property
    def base_query(self) -> str:
        return self._query()

    @property
    def search_query(self) -> str:
        """The search alone, kept when a status is clicked."""
        return urlencode({"q": self.q}) if self.q else ""


def board(
    campaign: DialerCampaign, *, status_slug: str = "", q: str = "", page: str | None = None
) -> Board:
    counts = campaign_counts(campaign)
    status = st.STATUS_BY_SLUG.get(status_slug or "")
    contacts: QuerySet[DialerContact] = DialerContact.objects.filter(campaign=campaign)
    if status:
        contacts = contacts.filter(status=status.name)
    # NUL cannot be stored or searched on PostgreSQL; it is never part of a real search.
    q = (q or "").replace("\x00", "").strip()[:100]
    if q:
        found = UncountedPage(search(contacts, q).order_by("id"), page, PAGE_SIZE)
        return Board(campaign, counts, status, q, found)
    known = counts.of(status.name) if status else counts.total
    paginator = KnownCountPaginator(contacts.order_by("id"), PAGE_SIZE, count=known)
    return Board(campaign, counts, status, q, paginator.get_page(page))


def import_report(upload: DialerImport, *, shown: int = 100) -> dict:
    """What the check report lists: the first rejected rows (the download has them all) and
    the first valid rows as they will be sent."""
    rows = upload.rows.order_by("line")
    return {
        "rejected": list(rows.exclude(kind=DialerImportRow.Kind.VALID)[:shown]),
        "valid_sample": list(rows.filter(kind=DialerImportRow.Kind.VALID)[:5]),
    }


def recent_imports(campaign: DialerCampaign, limit: int = 5) -> list[DialerImport]:
    return list(DialerImport.objects.filter(campaign=campaign).select_related("created_by")[:limit])


def overview_card() -> dict:
    campaigns = DialerCampaign.objects.count()
    running = DialerCampaign.objects.filter(status__in=DialerCampaign.RUNNING).count()
    contacts = DialerStatusCount.objects.aggregate(n=Sum("count"))["n"] or 0
    importing = DialerImport.objects.filter(state=DialerImport.State.IN_PROGRESS).count()
    return {
        "title": "Dialer",
        "provider": "CCAI Platform",
        "url": reverse("dialer:campaign_list"),
        "stats": [
            ("Campaigns", campaigns),
            ("Dialling now", running),
            ("Contacts", f"{contacts:,}"),
            ("Imports running", importing),
        ],
    }
