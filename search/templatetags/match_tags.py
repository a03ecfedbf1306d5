import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_QUOTED = re.compile(r"(“[^”]+”|「[^」]+」)")


@register.filter
def mark_quoted(reason: str) -> SafeString:
    """Highlight the member's own words quoted in a reason (“…” or 「…」)."""
    parts = _QUOTED.split(str(reason))
    return mark_safe(  # noqa: S308 - every part is escaped
        "".join(
            f"<mark>{escape(part)}</mark>" if _QUOTED.fullmatch(part) else escape(part)
            for part in parts
        )
    )


@register.simple_tag
def search_snippet(page, query: str) -> SafeString:
    """A highlighted excerpt of a site-search result."""
    from search.snippets import highlighted_snippet

    return highlighted_snippet(page, query)
