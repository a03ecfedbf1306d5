"""Checks on free text that members and imports write: names need a letter, tags need a slug.

A name of only punctuation or emoji (`!!!`, `🎉`) cannot be shown or sorted as a name, and a tag
whose slug is empty (`)`) cannot be linked to, so both are refused with a message instead.
"""

import unicodedata

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext as _

TAG_MAX_LENGTH = 100
BIOGRAPHY_MAX_LENGTH = 20_000  # per language; about ten pages of text
SUMMARY_MAX_LENGTH = 5_000  # a stay abroad, a shortlist note, a dispatch statement
RECORD_TEXT_MAX_LENGTH = 10_000  # an exchange record's outcome or utilisation plan


def has_letter_or_digit(text: str) -> bool:
    """True when the text holds a letter (any script) or a digit."""
    return any(unicodedata.category(char)[0] in {"L", "N"} for char in text)


def tag_has_slug(name: str) -> bool:
    """True when taggit can give the tag a non-empty slug (its URL on the site)."""
    return bool(slugify(name, allow_unicode=True))


def unusable_tags(names) -> list[str]:
    """The names among these that cannot be tags."""
    return [name for name in names if not tag_has_slug(name)]


def validated_tags(tags: list[str], max_tags: int) -> list[str]:
    """Tags from a form, or a ValidationError saying which cannot be tags, or that they are
    too long or too many."""
    bad = unusable_tags(tags)
    if bad:
        raise forms.ValidationError(
            _("These tags have no letter or digit: %(tags)s") % {"tags": ", ".join(bad)},
            code="tag_without_slug",
        )
    if any(len(tag) > TAG_MAX_LENGTH for tag in tags):
        raise forms.ValidationError(
            _("A tag may have at most %(limit)d characters.") % {"limit": TAG_MAX_LENGTH}
        )
    if len(tags) > max_tags:
        raise forms.ValidationError(
            _("Give at most %(limit)d tags.") % {"limit": max_tags}, code="too_many_tags"
        )
    return tags
