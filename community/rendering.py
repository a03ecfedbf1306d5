"""Members write Markdown; it is rendered and then sanitised to a small set of safe HTML.

Images come only from the site itself: an image from another host (or a data: URI) would make
every reader's browser load something the site does not control. A Markdown image from outside
becomes a plain link to it; any other outside <img> loses its src when sanitised.
"""

import re
from urllib.parse import urlsplit

from django.utils.safestring import SafeString, mark_safe

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

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

# Browsers remove tabs and newlines anywhere in a URL, strip leading and trailing control
# characters and spaces, and read "\" as "/", so "/\evil.example" means "//evil.example".
TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
CONTROL_OR_SPACE = "".join(chr(code) for code in range(0x21))


def is_site_url(url: str) -> bool:
    """True for a URL a browser resolves on this site: relative, or a path with one "/"."""
    url = TAB_OR_NEWLINE.sub("", url).strip(CONTROL_OR_SPACE).replace("\\", "/")
    return not url.startswith("//") and not urlsplit(url).scheme


class OutsideImagesAsLinks(Treeprocessor):
    """Turns `![alt](https://elsewhere/…)` into a link to the image, which loads nothing."""

    def run(self, root) -> None:
        for element in root.iter("img"):
            src = element.get("src", "")
            if not is_site_url(src):
                text = element.get("alt") or src
                element.tag = "a"
                element.attrib.clear()
                element.set("href", src)
                element.text = text


class SiteImagesOnly(Extension):
    def extendMarkdown(self, md) -> None:  # the name Markdown calls
        # After "inline" (priority 20), which turns image syntax into <img> elements.
        md.treeprocessors.register(OutsideImagesAsLinks(md), "outside_images_as_links", 15)


def _drop_outside_image_src(tag: str, attribute: str, value: str) -> str | None:
    # The guarantee for raw HTML <img> tags, which Markdown passes through untouched.
    if tag == "img" and attribute == "src" and not is_site_url(value):
        return None
    return value


def render_markdown(text: str) -> SafeString:
    """Paragraphs, lists, links, bold/italic, code and site images; everything else removed."""
    html = markdown.markdown(text or "", extensions=["fenced_code", "sane_lists", SiteImagesOnly()])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_drop_outside_image_src,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
