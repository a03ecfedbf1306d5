"""import_destinations: CSV (or JSON Lines) rows upserted by `destination_key`, each validated
and written on its own, like import_members."""

import datetime
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from django_countries import countries

from profiles.importing import (
    ImportReport,
    RowError,
    count_rows,
    finite_decimal,
    import_each_row,
    read_csv_rows,
    read_jsonl,
)
from profiles.vocabularies import CEFR_LEVELS, LANGUAGE_NAMES
from talenthub import clock

from .models import (
    DEGREE_CHOICES,
    PARTNERSHIP_CHOICES,
    ApplicationDeadline,
    StudyDestinationIndexPage,
    StudyDestinationPage,
)

TEXT_FIELDS = ["university_en", "university_ja", "programme_name", "city", "scholarships"]


def read_destination_rows(path: Path):
    """(line number, row dict or RowError) from a CSV file or JSON Lines."""
    if path.suffix.lower() == ".csv":
        yield from read_csv_rows(
            path, lambda row: {k: (v or "").strip() for k, v in row.items() if k}
        )
        return
    # JSON Lines: the member import's reader (each line one JSON object).
    yield from read_jsonl(path)


def split_list(value) -> list[str]:
    """A `;`-separated CSV cell (or a JSON list) as trimmed, non-empty strings."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value or "").split(";") if v.strip()]


def _number(row: dict, key: str, kind=Decimal):
    value = row.get(key)
    if value in (None, ""):
        return None
    number = finite_decimal(value, _("%(field)s must be a number") % {"field": key})
    if kind is int:
        if number != number.to_integral_value() or abs(number) > 10**9:
            raise RowError(_("%(field)s must be a whole number") % {"field": key})
        return int(number)
    return number


def validate_destination(row: dict) -> dict:
    """The row as model values, or RowError naming the first problem."""
    key = str(row.get("destination_key") or "").strip()
    if not key:
        raise RowError(_("%(field)s is missing") % {"field": "destination_key"})
    for required in ("university_en", "programme_name", "degree", "country", "duration_months"):
        if row.get(required) in (None, ""):
            raise RowError(_("%(field)s is missing") % {"field": required})
    degree = str(row["degree"]).lower()
    if degree not in dict(DEGREE_CHOICES):
        raise RowError(_("unknown degree %(value)r") % {"value": row["degree"]})
    country = str(row["country"]).upper()
    if country not in countries:
        raise RowError(
            _("unknown country code %(code)r (ISO 3166-1 alpha-2 expected)") % {"code": country}
        )
    language = str(row.get("teaching_language") or "en").lower()
    if language not in LANGUAGE_NAMES:
        raise RowError(
            _("unknown language code %(code)r (ISO 639-1 expected)") % {"code": language}
        )
    cefr = str(row.get("cefr_min") or "").upper()
    if cefr and cefr not in CEFR_LEVELS:
        raise RowError(_("unknown CEFR level %(level)r (A1–C2)") % {"level": cefr})
    partnership = str(row.get("partnership_status") or "candidate")
    if partnership not in dict(PARTNERSHIP_CHOICES):
        raise RowError(_("unknown partnership status %(value)r") % {"value": partnership})
    deadlines = []
    for entry in split_list(row.get("deadlines")):
        date_text, _sep, label = entry.partition("|")
        try:
            deadlines.append((datetime.date.fromisoformat(date_text.strip()), label.strip()))
        except ValueError:
            raise RowError(
                _("deadline %(value)r is not a date (YYYY-MM-DD)") % {"value": date_text}
            ) from None
    values = {
        "destination_key": key,
        **{name: str(row.get(name) or "").strip() for name in TEXT_FIELDS},
        "degree": degree,
        "country": country,
        "teaching_language": language,
        "cefr_min": cefr,
        "ielts_min": _number(row, "ielts_min"),
        "toefl_min": _number(row, "toefl_min", int),
        "tuition_amount": _number(row, "tuition_amount"),
        "tuition_currency": str(row.get("tuition_currency") or "").upper(),
        "tuition_yen": _number(row, "tuition_yen", int),
        "duration_months": _number(row, "duration_months", int),
        "intake_month": _number(row, "intake_month", int),
        "official_url": str(row.get("official_url") or "").strip(),
        "partnership_status": partnership,
        "staff_dispatched": _number(row, "staff_dispatched", int) or 0,
        "fields_of_study": sorted(split_list(row.get("fields_of_study")), key=str.casefold),
        "deadlines": sorted(deadlines),
    }
    return values


def snapshot(page: StudyDestinationPage) -> dict:
    values = {name: getattr(page, name) for name in TEXT_FIELDS}
    values.update(
        destination_key=page.destination_key,
        degree=page.degree,
        country=str(page.country),
        teaching_language=page.teaching_language,
        cefr_min=page.cefr_min,
        ielts_min=page.ielts_min,
        toefl_min=page.toefl_min,
        tuition_amount=page.tuition_amount,
        tuition_currency=page.tuition_currency,
        tuition_yen=page.tuition_yen,
        duration_months=page.duration_months,
        intake_month=page.intake_month,
        official_url=page.official_url,
        partnership_status=page.partnership_status,
        staff_dispatched=page.staff_dispatched,
        fields_of_study=sorted((t.name for t in page.fields_of_study.all()), key=str.casefold),
        deadlines=sorted((d.date, d.label) for d in page.deadlines.all()),
    )
    return values


def _comparable(values: dict) -> dict:
    result = dict(values)
    for key in ("ielts_min", "tuition_amount"):
        if result[key] is not None:
            result[key] = Decimal(result[key]).normalize()
    result["fields_of_study"] = [f.casefold() for f in result["fields_of_study"]]
    return result


def import_destinations(
    path: Path, catalogue: StudyDestinationIndexPage, dry_run: bool = False, progress_factory=None
) -> ImportReport:
    report = ImportReport()
    existing = {
        page.destination_key: page
        for page in StudyDestinationPage.objects.prefetch_related("fields_of_study", "deadlines")
    }
    seen: dict[str, int] = {}

    def import_row(line_number: int, row: dict) -> None:
        values = validate_destination(row)
        key = values["destination_key"]
        if key in seen:
            raise RowError(
                _("destination_key %(key)s already appeared on line %(line)s")
                % {"key": key, "line": seen[key]}
            )
        seen[key] = line_number
        page = existing.get(key)
        if page is not None and _comparable(snapshot(page)) == _comparable(values):
            report.unchanged += 1
            return
        _check_new_deadlines(page, values["deadlines"])
        saved = _save(page, values, catalogue, dry_run)
        if page is None:
            report.created += 1
            if saved is not None:
                existing[key] = saved
        else:
            report.updated += 1

    progress = progress_factory(count_rows(path)) if progress_factory else None
    try:
        import_each_row(read_destination_rows(path), import_row, report, progress)
    finally:
        if progress is not None:
            progress.close()
    return report


def _check_new_deadlines(page, deadlines) -> None:
    known = {d.date for d in page.deadlines.all()} if page else set()
    today = clock.today()
    for date, _label in deadlines:
        if date not in known and date < today:
            raise RowError(
                _("deadline %(date)s has already passed; add deadlines of a future intake")
                % {"date": date.isoformat()}
            )


def _save(page, values: dict, catalogue, dry_run: bool):
    """Validate the page with the model's own rules and, unless dry-running, publish it."""
    creating = page is None
    page = page or StudyDestinationPage(slug=values["destination_key"])
    for name, value in values.items():
        if name not in ("fields_of_study", "deadlines"):
            setattr(page, name, value)
    page.title = f"{values['university_en']} — {values['programme_name']}"
    try:
        page.clean()
    except ValidationError as error:
        messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise RowError(messages) from error
    if dry_run:
        return None
    page.fields_of_study.set(values["fields_of_study"])
    page.deadlines = [ApplicationDeadline(date=d, label=label) for d, label in values["deadlines"]]
    with transaction.atomic():
        if creating:
            catalogue.add_child(instance=page)
        page.save_revision(log_action=True).publish()
    return page
