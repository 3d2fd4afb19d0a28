from django import template

from desk import links

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number, param="page", anchor="", **also):
    """The current address at another page: its filters and sorting kept, ``param`` set to
    ``number``, plus any non-empty ``also`` values (the tab a paged table lives on)."""
    query = context["request"].GET.copy()
    query[param] = number
    for key, value in also.items():
        if value:
            query[key] = value
    return f"?{query.urlencode()}{'#' + anchor if anchor else ''}"


@register.filter
def link(pk, viewname):
    """``{{ ticket.pk|link:"helpcentre:ticket_detail" }}``: ``{% url viewname pk %}`` for the rows
    of a list, reversed once (``desk.links.by_pk``)."""
    return links.by_pk(viewname, pk)
