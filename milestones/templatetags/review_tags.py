"""Presentation helpers for the review pages.

matrix_rows renders the dashboard's units x steps rows in Python: the same markup a
template loop would give, at a fraction of the cost (a page has hundreds of cells).
Every value is escaped by format_html.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kpi_tracker.lib import thai

register = template.Library()


@register.simple_tag
def matrix_rows(rows) -> SafeString:
    late = format_html(' <span class="badge text-bg-warning">{}</span>', _("ส่งหลังกำหนด"))
    extended = _("ขยายเวลา")
    requested = format_html(' <span class="badge text-bg-light">{}</span>', _("ขอขยายเวลา"))
    html = []
    for a in rows:
        cells = format_html_join(
            "", '<td class="cell status-{}" title="{}">{}</td>', ((c.status, c.title, c.mark) for c in a.cells)
        )
        deadline = ""
        if a.effective_deadline:
            deadline = format_html(
                '{} <span class="badge text-bg-info">{}</span>',
                thai.thai_date(a.effective_deadline, short=True),
                extended,
            )
        html.append(
            format_html(
                '<tr{}><td>{}</td><td><a href="{}">{}</a>{}</td>{}<td class="text-end">{}</td>'
                '<td class="text-end">{}</td><td class="small">{}{}</td></tr>\n',
                mark_safe(' class="flagged"') if a.flagged else "",
                a.unit.code,
                reverse("assessment-detail", args=[a.pk]),
                a.unit.name,
                late if a.late else "",
                cells,
                a.level,
                f"{a.weighted_score:.4f}",
                deadline,
                requested if a.pending_extension else "",
            )
        )
    return mark_safe("".join(html))


@register.simple_tag
def unit_links(pairs) -> SafeString:
    """Comma-separated links to units' pages from (assessment pk, unit code) pairs."""
    return format_html_join(
        ", ", '<a href="{}">{}</a>', ((reverse("assessment-detail", args=[pk]), code) for pk, code in pairs)
    )
