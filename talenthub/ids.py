"""Row ids from URLs and query strings, bounded so that a huge number is "not found", never
an overflow in the database (SQLite and PostgreSQL integers stop at 2**63 - 1)."""

from django.urls import register_converter
from django.urls.converters import IntConverter

# 18 digits always fit a signed 64-bit integer.
ROW_ID_PATTERN = "[0-9]{1,18}"


class RowIdConverter(IntConverter):
    """`<id:name>` in a URL: like `<int:name>`, but at most 18 digits (longer is a 404)."""

    regex = ROW_ID_PATTERN


def parse_row_id(value) -> int | None:
    """A positive row id from user input, or None for anything else (text, huge, negative)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text) or None


# Registered on import: page models with routes import this module before declaring them.
register_converter(RowIdConverter, "id")
