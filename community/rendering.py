"""Members write Markdown; it is rendered and then sanitised to a small set of safe HTML."""

from django.utils.safestring import SafeString, mark_safe

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "img",
    "blockquote",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


def render_markdown(text: str) -> SafeString:
    """Paragraphs, lists, links, bold/italic, code and images; everything else removed."""
    html = markdown.markdown(text or "", extensions=["fenced_code", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
