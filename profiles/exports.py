"""Members as CSV for Excel: one row per member, only the fields the downloader may see."""

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from django_countries import countries

from .privacy import can_see

# Excel in Japan reads a CSV as Shift_JIS unless it starts with a UTF-8 byte-order mark.
UTF8_BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); tab and carriage return are read as whitespace before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value) -> str:
    """The cell as text that a spreadsheet shows as text: a leading ' before a formula start."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def member_columns() -> list[str]:
    return [
        _("Staff number"),
        _("Name (Japanese)"),
        _("Name (English)"),
        _("Bureau"),
        _("Job category"),
        _("Position"),
        _("Expertise"),
        _("Email"),
        _("Phone"),
        _("Languages"),
        _("Overseas experience"),
    ]


def member_row(profile, user) -> list[str]:
    """A profile's columns (member_columns), blank where `user` may not see the field."""
    contact = can_see(profile, "contact", user)
    languages = can_see(profile, "languages", user)
    experience = can_see(profile, "experience", user)
    return [
        profile.external_id,
        profile.name_ja,
        profile.name_en,
        profile.bureau.name_ja if profile.bureau_id else "",
        profile.job_category.name_ja if profile.job_category_id else "",
        profile.position,
        ", ".join(tag.name for tag in profile.tags.all()),
        profile.user.email if contact and profile.user_id else "",
        profile.phone if contact else "",
        "; ".join(
            " ".join(
                str(part)
                for part in (
                    item.language_name,
                    item.level,
                    item.test_name,
                    f"{item.score:g}" if item.score is not None else "",
                )
                if part
            )
            for item in profile.languages.all()
        )
        if languages
        else "",
        "; ".join(
            " ".join(
                filter(
                    None, [countries.name(item.country), item.organisation, str(item.year or "")]
                )
            )
            for item in profile.overseas_experiences.all()
        )
        if experience
        else "",
    ]


def profiles_for_export(queryset):
    return queryset.select_related("bureau", "job_category", "user").prefetch_related(
        "tags", "languages", "overseas_experiences"
    )


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """A CSV download (UTF-8 with BOM) of these rows, no cell readable as a formula."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
