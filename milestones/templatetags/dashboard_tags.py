"""Presentation helpers for the review pages.

matrix_rows renders the dashboard's units x steps rows in Python: the same markup a
template loop would give, at a fraction of the cost (a page has hundreds of cells).
Every value taken from data is escaped.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kpi_tracker.lib import thai

register = template.Library()


@register.simple_tag
def matrix_rows(rows) -> SafeString:
    # html.escape on every value that comes from data; plain string building (no format_html per
    # cell) because a page has hundreds of cells and this is the dashboard's hottest loop.
    late = f' <span class="badge text-bg-warning">{escape(_("ส่งหลังกำหนด"))}</span>'
    extended = f' <span class="badge text-bg-info">{escape(_("ขยายเวลา"))}</span>'
    requested = f' <span class="badge text-bg-light">{escape(_("ขอขยายเวลา"))}</span>'
    flagged = ' class="flagged"'
    html = []
    for a in rows:
        cells = "".join(
            f'<td class="cell status-{escape(c.status)}" title="{escape(c.title)}">{escape(c.mark)}</td>'
            for c in a.cells
        )
        deadline = thai.thai_date(a.effective_deadline, short=True) + extended if a.effective_deadline else ""
        html.append(
            f"<tr{flagged if a.flagged else ''}><td>{escape(a.unit.code)}</td>"
            f'<td><a href="{escape(reverse("assessment-detail", args=[a.pk]))}">{escape(a.unit.name)}</a>'
            f"{late if a.late else ''}</td>{cells}"
            f'<td class="text-end">{a.level}</td><td class="text-end">{a.weighted_score:.4f}</td>'
            f'<td class="small">{deadline}{requested if a.pending_extension else ""}</td></tr>\n'
        )
    return mark_safe("".join(html))  # noqa: S308 - every interpolated value is escaped above


@register.simple_tag
def unit_links(pairs) -> SafeString:
    """Comma-separated links to units' pages from (assessment pk, unit code) pairs."""
    return format_html_join(
        ", ", '<a href="{}">{}</a>', ((reverse("assessment-detail", args=[pk]), code) for pk, code in pairs)
    )
