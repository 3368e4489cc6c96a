"""The board's 21 statuses, written twice on every rendering: as the picker's options and as
the chips under it. Written here in one pass each rather than by the template's loops, where
each chip's dozen values were looked up and escaped one template variable at a time: the
board's fragment for a search rendered in 2.2-3.2 ms that way, 1.3-1.6 ms with these tags
(measured in turns, same process). The markup is the one the template wrote, to the character
but for blank space; the chips' values are worked out in Python already (`Board.chip_groups`,
dialer/selectors.py). tests/dialer/test_pages.py reads them as a browser and a screen reader
do. Values are escaped as Django's `escape` does: it is this same function, behind a wrapper
for lazy text that costs more than the escaping itself."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from dialer.selectors import Board

register = template.Library()


@register.simple_tag
def status_options(board: Board) -> SafeString:
    """The picker's options, in one group per status group, each with its count."""
    html = []
    for group in board.chip_groups:
        html.append(f'<optgroup label="{escape(group.label)} ({escape(group.total)})">')
        html.extend(
            f'<option value="{escape(chip.slug)}"{" selected" if chip.active else ""}>'
            f"{escape(chip.label)} ({escape(chip.count)})</option>"
            for chip in group.chips
        )
        html.append("</optgroup>")
    return mark_safe("".join(html))  # every value above is escaped


@register.simple_tag
def status_chips(board: Board, board_url: str) -> SafeString:
    """The chips, one list per status group under its heading and total. A chip links to the
    board filtered on its status (the search kept); the active one says so to screen readers."""
    url = escape(board_url)
    html = []
    for group in board.chip_groups:
        html.append(
            f'\n    <div class="dgroup">\n      <h2 class="dgroup-title"><i class="dot '
            f'seg-{escape(group.key)}" aria-hidden="true"></i>{escape(group.label)} '
            f'<span class="dgroup-total">{escape(group.total)}</span></h2>\n      <ul>'
        )
        for chip in group.chips:
            query = escape(chip.query)
            classes = " active" * chip.active + " zero" * chip.empty
            current = ' aria-current="true"' if chip.active else ""
            html.append(
                f'\n        <li><a id="chip-{escape(chip.slug)}" class="chip{classes}" '
                f'href="?{query}" hx-get="{url}?{query}" hx-target="#board" '
                f'hx-swap="outerHTML" hx-push-url="true" title="{escape(chip.description)}" '
                f'data-status="{escape(chip.name)}"{current}>\n          <span class="chip-name">'
                f'{escape(chip.label)}<span class="sr-only">{escape(chip.spoken)}</span></span> '
                f'<b class="chip-count">{escape(chip.count)}</b></a></li>'
            )
        html.append("\n      </ul>\n    </div>")
    return mark_safe("".join(html))  # every value above is escaped
