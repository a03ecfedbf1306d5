"""Highlighted snippets for site-search results: where the query's words occur in a page."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from wagtail.search import index

SNIPPET_RADIUS = 50


def _page_text(page) -> str:
    """The searchable text fields of a page, joined."""
    parts = []
    for field in page.get_search_fields():
        if isinstance(field, index.SearchField) and field.field_name != "title":
            value = getattr(page, field.field_name, "")
            if isinstance(value, str):
                parts.append(re.sub(r"<[^>]+>", " ", value))
    return " … ".join(part.strip() for part in parts if part and part.strip())


def highlighted_snippet(page, query: str) -> SafeString:
    """About a hundred characters around the first occurrence of a query word, words marked."""
    text = _page_text(page)
    words = sorted({w for w in re.split(r"[\s、,，]+", query) if w}, key=len, reverse=True)
    if not text or not words:
        return mark_safe("")
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    if first is None:
        return mark_safe(escape(text[: SNIPPET_RADIUS * 2]))  # noqa: S308 - escaped
    start = max(first.start() - SNIPPET_RADIUS, 0)
    end = min(first.end() + SNIPPET_RADIUS, len(text))
    excerpt = text[start:end]
    marked = []
    position = 0
    for match in pattern.finditer(excerpt):
        marked.append(escape(excerpt[position : match.start()]))
        marked.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    marked.append(escape(excerpt[position:]))
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(marked) + suffix)  # noqa: S308 - every part escaped
