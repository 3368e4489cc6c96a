"""Reads for the dialer pages, from the local mirror only (never the provider)."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache, reduce
from operator import or_
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, Lookup, Max, Q, QuerySet, Sum
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import time_format
from django.utils.translation import get_language, gettext

from dashboard.numbers import number
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


# From this many rows in, a page's ids are found first, then only those rows read: PostgreSQL
# skips the rows before the page in the (campaign, id) index alone rather than in the table
# (page 2,000 of 200,000 contacts: 124 → 37 ms in the database).
FAR_PAGE_OFFSET = 1000


class KnownCountPaginator(Paginator):
    """A paginator told its count (from the per-status counts table) instead of running a
    COUNT over the campaign's contacts, reading a far page through its ids."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < FAR_PAGE_OFFSET:
            return super().page(number)
        ids = self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page]
        return self._get_page(list(self.object_list.filter(pk__in=list(ids))), number, self)


_PHONE_CHARS = set("+-(). 0123456789")
TRIGRAM = 3  # the shortest text the trigram indexes can find


def _starting(field: str, prefix: str) -> Q:
    """`field` starting with `prefix`, as a range on the (campaign, field) index: SQLite cannot
    serve LIKE 'x%' from an index."""
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": after})


SEARCHED = ("name", "email", "external_unique_id")
# What a search is narrowed by: one of its words (a run of letters and digits, a word to
# pg_trgm too), long enough for the trigram indexes.
_WORD = re.compile(rf"[^\W_]{{{TRIGRAM},}}")
# A word found in fewer contacts than this (all campaigns) is rare enough to look up alone.
RARE = 250


def _in_text(text: str) -> str:
    """An FTS5 query for `text` in the searched columns of migration 0006's index."""
    return '{name email external_unique_id} : "' + text.replace('"', '""') + '"'


class TextMatches:
    """The contacts of one campaign (and status) whose name, e-mail or external id contains a
    text, in id order, read a page at a time from SQLite's trigram index (see migration 0006):
    the index finds the campaign's matches and stops at the page's end, however many contacts
    the campaign or the table holds."""

    def __init__(self, campaign: DialerCampaign, status: st.Status | None, text: str) -> None:
        self.match = f'campaign : "c{campaign.pk}c" AND {_in_text(text)}'
        self.status = status

    def __getitem__(self, page: slice) -> list[DialerContact]:
        join, params = "", [self.match]
        if self.status:
            join = " JOIN dialer_dialercontact c ON c.id = s.rowid AND c.status = %s"
            params.insert(0, self.status.name)
        params += [page.stop - page.start, page.start]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.rowid FROM dialer_contact_search s{join} "
                "WHERE dialer_contact_search MATCH %s ORDER BY s.rowid LIMIT %s OFFSET %s",
                params,
            )
            ids = [row[0] for row in cursor.fetchall()]
        return list(DialerContact.objects.filter(pk__in=ids).order_by("id"))


def _icontaining(text: str) -> Q:
    """The contacts whose name, e-mail or external id contains `text`, case aside, as Django's
    `icontains` reads it (served by the trigram indexes on PostgreSQL)."""
    return reduce(or_, (Q(**{f"{column}__icontains": text}) for column in SEARCHED))


def _holding(word: str) -> list[int]:
    """The ids of the contacts (any campaign) holding `word`, through the trigram index, up
    to RARE of them, in no order: SQLite's FTS5 reads a common word's matches lazily, so even
    "Contact" costs little; on PostgreSQL, in id order, a word the planner thinks common would
    walk the whole table for them."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM dialer_contact_search WHERE dialer_contact_search MATCH %s "
                f"LIMIT {RARE}",
                [_in_text(word)],
            )
            return [rowid for (rowid,) in cursor.fetchall()]
    holding = DialerContact.objects.filter(_icontaining(word)).order_by()
    return list(holding.values_list("pk", flat=True)[:RARE])


def _narrowed(text: str) -> Q | None:
    """The contacts holding a word of the search that fewer than RARE contacts hold, found
    through the trigram index, for the whole text to be checked on those few only; None when
    no word is known to be rare (the index then looks up the whole text, as before).

    An index lookup of the whole text pays for its commonest word: every trigram of "Contact"
    is in every contact, and both SQLite's FTS5 and PostgreSQL's GIN read those lists through
    to find "Contact 199999". The words likeliest to be rare are tried first: those with a
    digit (an id, a house number: names are common, numbers seldom are), the longest first.
    SQLite tries each word in turn until one is rare. PostgreSQL's GIN reads a word's whole
    lists before its first row (all 200,000 contacts for "Contact"), so there only the first
    word with a digit is tried."""
    words = sorted(
        (word for word in dict.fromkeys(_WORD.findall(text)) if word != text),
        key=lambda word: (not any(c.isdigit() for c in word), -len(word)),
    )
    if connection.vendor == "sqlite":
        # The whole text is then checked by upper() and instr(), which fold ASCII only, as
        # the index folds any case: other text goes to the index whole.
        if not text.isascii():
            return None
    else:
        words = [word for word in words if any(c.isdigit() for c in word)][:1]
    for word in words:
        ids = _holding(word)
        if len(ids) < RARE:
            return Q(pk__in=ids)
    return None


class _Holds(Lookup):
    """A column containing a text, case aside, read on each row: never through an index (on
    PostgreSQL, `icontains` would make the planner read the whole text's trigrams again)."""

    def as_sql(self, compiler, connection):
        column, params = self.process_lhs(compiler, connection)
        text, text_params = self.process_rhs(compiler, connection)
        # Upper-cased as `icontains` reads it.
        return f"POSITION(UPPER({text}) IN UPPER({column})) > 0", [*text_params, *params]

    def as_sqlite(self, compiler, connection):
        column, params = self.process_lhs(compiler, connection)
        text, text_params = self.process_rhs(compiler, connection)
        # SQLite's trigram index reads the long s (ſ) as an s; its upper() does not.
        sql = f"INSTR(UPPER(REPLACE({column}, 'ſ', 's')), UPPER({text})) > 0"
        return sql, [*params, *text_params]


def _containing(text: str) -> Q:
    """The contacts whose name, e-mail or external id contains `text`, case aside, checked on
    each row (see `_Holds`)."""
    return reduce(or_, (Q(_Holds(F(column), text)) for column in SEARCHED))


def search(
    campaign: DialerCampaign, contacts: QuerySet[DialerContact], status: st.Status | None, q: str
) -> QuerySet[DialerContact] | TextMatches:
    """Something that looks like a phone is looked up on the normalised number (exact, or the
    digits typed as its beginning) and as the beginning of an external id; anything else in the
    names, e-mails and external ids (a part of one, from three characters; shorter, their
    beginning). Each through an index, in id order."""
    digits = "".join(c for c in q if c.isdigit())
    if len(digits) >= 4 and set(q) <= _PHONE_CHARS:
        try:
            phone = Q(phone_e164=normalise_phone(q))
        except PhoneError:
            prefix = "+" + digits if q.lstrip().startswith(("+", "00")) else None
            if prefix:
                phone = _starting("phone_e164", prefix.replace("+00", "+", 1))
            else:
                phone = Q(phone_e164__contains=digits)
        # Each side through its own index; as one OR, the planner walks the campaign in id order.
        by_ext = contacts.filter(_starting("external_unique_id", q.strip())).order_by()
        return contacts.filter(phone).order_by().union(by_ext).order_by("id")
    if len(q) < TRIGRAM:
        short = Q(name__istartswith=q) | Q(email__istartswith=q)
        return contacts.filter(short | _starting("external_unique_id", q)).order_by("id")
    narrowed = _narrowed(q)
    if narrowed is not None:
        return contacts.filter(narrowed, _containing(q)).order_by("id")
    if connection.vendor == "sqlite":
        return TextMatches(campaign, status, q)
    # PostgreSQL: pg_trgm GIN indexes on UPPER(column) serve these (see migration 0006).
    return contacts.filter(_icontaining(q)).order_by("id")


class UncountedPage:
    """A page of search results that knows whether a next page exists (one extra row) rather
    than counting every match."""

    paginator = None

    def __init__(
        self, queryset: QuerySet | TextMatches, number: str | int | None, per_page: int
    ) -> None:
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


@dataclass(frozen=True)
class Chip:
    """One status as the board offers it (a chip, an option of the picker): worked out once in
    Python, because the template writes 21 of them twice and resolving each piece there cost
    most of a search's time."""

    name: str  # the provider's value
    slug: str
    label: str
    description: str
    spoken: str  # what a screen reader hears after the label
    count: str  # in the reader's language
    query: str  # the board's query string for this status, the search kept
    active: bool
    empty: bool


@dataclass(frozen=True)
class ChipGroup:
    key: str
    label: str
    total: str
    chips: list[Chip]


@lru_cache(maxsize=8)
def _board_words(language: str) -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
    """What the board writes for each group (its label, by key) and each status (its label,
    its description, what a screen reader hears after the label, by name) in `language`, the
    active one: the same on every rendering, so translated once per language (about 90
    look-ups in the catalogue were a third of a search's status chips)."""
    groups = {g.key: str(g.label) for g in st.GROUPS}
    statuses = {
        s.name: (
            str(s.label),
            str(s.description),
            gettext(": %(description)s") % {"description": s.description},
        )
        for s in st.STATUSES
    }
    return groups, statuses


@dataclass
class Board:
    campaign: DialerCampaign
    counts: Counts
    status: st.Status | None
    q: str
    page: object

    @cached_property
    def chip_groups(self) -> list[ChipGroup]:
        active = self.status.name if self.status else None
        search = {"q": self.q} if self.q else {}
        group_words, status_words = _board_words(get_language())
        return [
            ChipGroup(
                g.group.key,
                group_words[g.group.key],
                number(g.total),
                [
                    Chip(
                        s.status.name,
                        s.status.slug,
                        *status_words[s.status.name],
                        count=number(s.count),
                        query=urlencode({"status": s.status.slug, **search}),
                        active=s.status.name == active,
                        empty=not s.count,
                    )
                    for s in g.statuses
                ],
            )
            for g in self.counts.groups
        ]

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

    @cached_property
    def base_query(self) -> str:
        return self._query()

    @cached_property
    def search_query(self) -> str:
        """The search alone, kept when a status is clicked."""
        return urlencode({"q": self.q}) if self.q else ""


def search_text(q: str | None) -> str:
    """What a board searches for, as typed (NUL, which PostgreSQL refuses, taken out)."""
    return (q or "").replace("\x00", "").strip()[:100]


def board(
    campaign: DialerCampaign, *, status_slug: str = "", q: str = "", page: str | None = None
) -> Board:
    counts = campaign_counts(campaign)
    status = st.STATUS_BY_SLUG.get(status_slug or "")
    contacts: QuerySet[DialerContact] = DialerContact.objects.filter(campaign=campaign)
    if status:
        contacts = contacts.filter(status=status.name)
    # NUL cannot be stored or searched on PostgreSQL; it is never part of a real search.
    q = search_text(q)
    if q:
        found = UncountedPage(search(campaign, contacts, status, q), page, PAGE_SIZE)
        return Board(campaign, counts, status, q, found)
    known = counts.of(status.name) if status else counts.total
    paginator = KnownCountPaginator(contacts.order_by("id"), PAGE_SIZE, count=known)
    return Board(campaign, counts, status, q, paginator.get_page(page))


@dataclass
class BoardLive:
    """How an open board stays current: its ETag (the campaign's version stamp and what the
    board is showing), how often it asks (quickly while the campaign is dialled), and when CCAI
    last confirmed what it shows."""

    etag: str
    poll_seconds: int
    as_of: str
    stale: bool

    @property
    def fragment_key(self) -> str:
        """The rendered board's cache key: what the ETag names (the campaign's version stamp,
        what the board shows and in which language and zone), at the time CCAI confirmed it."""
        return f"dialer:board:{self.etag}:{self.as_of}:{self.poll_seconds}"

    def headers(self, response: HttpResponse) -> HttpResponse:
        response["ETag"] = self.etag
        response["X-Board-As-Of"] = self.as_of
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ["HX-Request"])
        return response


LIVE_POLL_SECONDS = 3
IDLE_POLL_SECONDS = 10
# Past this without news from CCAI (the worker polls every few seconds), the board says so.
STALE_AFTER = timedelta(minutes=2)


def board_live(
    campaign: DialerCampaign, *, status: str, q: str, page: str, can_change: bool
) -> BoardLive:
    confirmed = campaign.synced_at
    stale = confirmed is None or confirmed < timezone.now() - STALE_AFTER
    # The same board in another language or time zone is another answer.
    shown_as = f"{get_language()}|{timezone.get_current_timezone_name()}"
    view = hashlib.sha1(f"{status}|{q}|{page}|{can_change}|{shown_as}".encode()).hexdigest()[:12]
    return BoardLive(
        etag=f'"{campaign.pk}.{campaign.version}.{int(stale)}.{view}"',
        poll_seconds=LIVE_POLL_SECONDS if campaign.is_running else IDLE_POLL_SECONDS,
        as_of=time_format(timezone.localtime(confirmed), "H:i:s") if confirmed else "",
        stale=stale,
    )


def import_report(upload: DialerImport, *, shown: int = 100) -> dict:
    """What the check report lists: the first rejected rows (the download has them all) and
    the first valid rows as they will be sent."""
    rows = upload.rows.order_by("line")
    return {
        "rejected": list(rows.exclude(kind=DialerImportRow.Kind.VALID)[:shown]),
        "valid_sample": list(rows.filter(kind=DialerImportRow.Kind.VALID)[:5]),
    }


def recent_imports(campaign: DialerCampaign, limit: int = 5) -> list[DialerImport]:
    """The board's list of recent imports, read for what it shows of each (all 27 fields of
    an import and 11 of its creator's took 1.4 ms to read)."""
    shown = ("file_name", "state", "valid_rows", "total_rows", "created_at")
    imports = DialerImport.objects.filter(campaign=campaign).select_related("created_by")
    return list(imports.only(*shown, "created_by__username")[:limit])


def overview_card() -> dict:
    campaigns = DialerCampaign.objects.count()
    running = DialerCampaign.objects.filter(status__in=DialerCampaign.RUNNING).count()
    contacts = DialerStatusCount.objects.aggregate(n=Sum("count"))["n"] or 0
    importing = DialerImport.objects.filter(state=DialerImport.State.IN_PROGRESS).count()
    return {
        "title": gettext("Dialer"),
        "provider": "CCAI Platform",
        "url": reverse("dialer:campaign_list"),
        "stats": [
            (gettext("Campaigns"), campaigns),
            (gettext("Dialling now"), running),
            (gettext("Contacts"), number(contacts)),
            (gettext("Imports running"), importing),
        ],
    }
