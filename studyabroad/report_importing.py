"""import_exchange_records: the exchange records database (CSV) as ExchangeReportPages,
upserted by record number; each row validated and written on its own, like import_members.

Columns: record_id, title, classification (Japanese or English name), country (ISO 3166-1
alpha-2), host_organisation, start_date and end_date (YYYY-MM-DD or YYYY-MM), participants
(`;`-separated staff numbers or names of people without a profile), outcomes,
utilisation_plan, tags (`;`-separated), report_pdf (a PDF path relative to the CSV file).
"""

import datetime
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.documents import get_document_model
from wagtail.utils.file import hash_filelike

from django_countries import countries

from profiles.importing import (
    ImportReport,
    RowError,
    add_published_page,
    count_rows,
    import_each_row,
    page_indexing_deferred,
)
from profiles.models import ProfilePage
from search.sync import sync_profiles

from .importing import read_destination_rows, split_list
from .models import (
    ExchangeReportIndexPage,
    ExchangeReportPage,
    ReportParticipant,
    TechnicalClassification,
)

STAFF_NUMBER = re.compile(r"^[A-Za-z]{0,2}\d{4,}$")
TEXT_FIELDS = ("title", "host_organisation", "outcomes", "utilisation_plan")


def _date(row: dict, key: str, required: bool) -> datetime.date | None:
    value = str(row.get(key) or "").strip()
    if not value:
        if required:
            raise RowError(_("%(field)s is missing") % {"field": key})
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return datetime.date.fromisoformat(value + "-01")
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise RowError(
            _("%(field)s %(value)r is not a date (YYYY-MM-DD)") % {"field": key, "value": value}
        ) from None


def _file_hash(path: Path) -> str:
    """The hash Wagtail stores for a document (Document.file_hash) of this file."""
    with path.open("rb") as handle:
        return hash_filelike(handle)


class ReportImporter:
    """Validates and saves rows; remembers which members' evidence must be rebuilt."""

    def __init__(self, index: ExchangeReportIndexPage, base_dir: Path, dry_run: bool = False):
        self.index = index
        self.base_dir = base_dir
        self.dry_run = dry_run
        self.report = ImportReport()
        self.touched_profiles: set[int] = set()
        self.written_page_ids: list[int] = []
        self.existing = {
            page.report_key: page
            for page in ExchangeReportPage.objects.prefetch_related(
                "participants", "tags"
            ).select_related("classification", "report_document")
        }
        self.profiles = dict(ProfilePage.objects.values_list("external_id", "pk"))
        self.classifications = {}
        for item in TechnicalClassification.objects.all():
            self.classifications[item.name_ja.casefold()] = item
            if item.name_en:
                self.classifications[item.name_en.casefold()] = item
        self.seen: dict[str, int] = {}

    def validate(self, row: dict) -> dict:
        key = str(row.get("record_id") or "").strip()
        if not key:
            raise RowError(_("%(field)s is missing") % {"field": "record_id"})
        if not str(row.get("title") or "").strip():
            raise RowError(_("%(field)s is missing") % {"field": "title"})
        country = str(row.get("country") or "").strip().upper()
        if country not in countries:
            raise RowError(
                _("unknown country code %(code)r (ISO 3166-1 alpha-2 expected)") % {"code": country}
            )
        classification = None
        name = str(row.get("classification") or "").strip()
        if name:
            classification = self.classifications.get(name.casefold())
            if classification is None:
                raise RowError(
                    _("unknown technical classification %(value)r; add it as a snippet first")
                    % {"value": name}
                )
        start, end = _date(row, "start_date", True), _date(row, "end_date", False)
        if end and end < start:
            raise RowError(_("end_date is before start_date"))
        participants = []
        for entry in split_list(row.get("participants")):
            if STAFF_NUMBER.match(entry):
                if entry not in self.profiles:
                    raise RowError(_("unknown staff number %(value)s") % {"value": entry})
                participants.append(("profile", self.profiles[entry]))
            else:
                participants.append(("name", entry))
        if not participants:
            raise RowError(_("%(field)s is missing") % {"field": "participants"})
        pdf = str(row.get("report_pdf") or "").strip()
        pdf_path = (self.base_dir / pdf) if pdf else None
        if pdf_path is not None:
            if not pdf_path.is_file():
                raise RowError(_("report_pdf %(path)s was not found") % {"path": pdf})
            if not pdf_path.read_bytes()[:5] == b"%PDF-":
                raise RowError(_("report_pdf %(path)s is not a PDF file") % {"path": pdf})
        return {
            "report_key": key,
            **{name: str(row.get(name) or "").strip() for name in TEXT_FIELDS},
            "classification": classification.pk if classification else None,
            "country": country,
            "start_date": start,
            "end_date": end,
            "participants": participants,
            "tags": sorted(split_list(row.get("tags")), key=str.casefold),
            # Wagtail stores each document's SHA-1, so an unchanged PDF is not uploaded again.
            "report_pdf": _file_hash(pdf_path) if pdf_path else None,
            "_pdf_path": pdf_path,
        }

    @staticmethod
    def snapshot(page: ExchangeReportPage) -> dict:
        document = page.report_document
        return {
            "report_key": page.report_key,
            **{name: getattr(page, name) for name in TEXT_FIELDS},
            "classification": page.classification_id,
            "country": str(page.country),
            "start_date": page.start_date,
            "end_date": page.end_date,
            "participants": [
                ("profile", p.profile_id) if p.profile_id else ("name", p.name)
                for p in page.participants.all()
            ],
            "tags": sorted((t.name for t in page.tags.all()), key=str.casefold),
            "report_pdf": document.get_file_hash() if document else None,
        }

    def import_row(self, line_number: int, row: dict) -> None:
        values = self.validate(row)
        key = values["report_key"]
        if key in self.seen:
            raise RowError(
                _("record_id %(key)s already appeared on line %(line)s")
                % {"key": key, "line": self.seen[key]}
            )
        self.seen[key] = line_number
        page = self.existing.get(key)
        comparable = {k: v for k, v in values.items() if not k.startswith("_")}
        if page is not None and self._same(self.snapshot(page), comparable):
            self.report.unchanged += 1
            return
        if page is None:
            self.report.created += 1
        else:
            self.report.updated += 1
            self.touched_profiles |= {p.profile_id for p in page.participants.all() if p.profile_id}
        if not self.dry_run:
            saved = self._save(page, values)
            self.existing[key] = saved
            self.written_page_ids.append(saved.pk)
            self.touched_profiles |= {v for kind, v in values["participants"] if kind == "profile"}

    @staticmethod
    def _same(old: dict, new: dict) -> bool:
        def folded(values: dict) -> dict:
            return {**values, "tags": [t.casefold() for t in values["tags"]]}

        return folded(old) == folded(new)

    def _save(self, page, values: dict) -> ExchangeReportPage:
        creating = page is None
        page = page or ExchangeReportPage(
            slug=re.sub(r"[^a-z0-9-]+", "-", values["report_key"].lower())
        )
        for name in (*TEXT_FIELDS, "country", "start_date", "end_date"):
            setattr(page, name, values[name])
        page.report_key = values["report_key"]
        page.classification_id = values["classification"]
        page.participants = [
            ReportParticipant(profile_id=value)
            if kind == "profile"
            else ReportParticipant(name=value)
            for kind, value in values["participants"]
        ]
        page.tags.set(values["tags"])
        with transaction.atomic():
            document = page.report_document
            if values["_pdf_path"] and (
                not document or document.get_file_hash() != values["report_pdf"]
            ):
                with values["_pdf_path"].open("rb") as handle:
                    document = get_document_model()(title=values["title"])
                    document.file.save(values["_pdf_path"].name, File(handle), save=False)
                    document.save()
                    document.get_file_hash()  # stored, so the next import can compare
                page.report_document = document
            elif values["_pdf_path"] is None:
                page.report_document = None
            try:
                if creating:
                    add_published_page(self.index, page)
                else:
                    page.save_revision(log_action=True).publish()
            except ValidationError as error:
                raise RowError("; ".join(error.messages)) from error
        return page


def import_exchange_records(
    path: Path, index: ExchangeReportIndexPage, dry_run: bool = False, progress_factory=None
) -> ImportReport:
    """Import every row; members' matching evidence is rebuilt once at the end."""
    importer = ReportImporter(index, path.resolve().parent, dry_run=dry_run)
    progress = progress_factory(count_rows(path)) if progress_factory else None
    try:
        with page_indexing_deferred(ExchangeReportPage, importer.written_page_ids):
            import_each_row(
                read_destination_rows(path), importer.import_row, importer.report, progress
            )
    finally:
        if progress is not None:
            progress.close()
    if not dry_run:
        sync_profiles(importer.touched_profiles)
    return importer.report
