"""Sample destinations for the demo site: real universities, illustrative figures."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from talenthub import clock

from .models import (
    ApplicationDeadline,
    DispatchProgrammePage,
    ExchangeReportIndexPage,
    StudyDestinationIndexPage,
    StudyDestinationPage,
    TechnicalClassification,
)
from .reference_data import seed_classifications

DEMO_FILE = Path(__file__).resolve().parent / "fixtures" / "demo_destinations.json"
SAMPLE_NOTICE = (
    "<p>サンプルデータです。学費・要件・締切などの数値は例示であり、"
    "実際の募集要項で確認してください。 Sample data: figures are illustrative; check the "
    "university's official admissions pages.</p>"
)


def ensure_report_index(home) -> ExchangeReportIndexPage:
    """The exchange report index under the home page, with the technical classifications."""
    seed_classifications(TechnicalClassification)
    reports = ExchangeReportIndexPage.objects.first()
    if reports is None:
        reports = home.add_child(
            instance=ExchangeReportIndexPage(
                title="海外交流報告 / Exchange reports", slug="reports"
            )
        )
    return reports


def ensure_dispatch_programme(home) -> DispatchProgrammePage:
    """This fiscal year's dispatch programme, open for applications from a week ago."""
    programme = DispatchProgrammePage.objects.first()
    if programme is None:
        now = clock.now()
        fiscal_year = now.year if now.month >= 4 else now.year - 1
        programme = home.add_child(
            instance=DispatchProgrammePage(
                title=f"海外大学院派遣 {fiscal_year} / Dispatch programme FY{fiscal_year}",
                slug="dispatch",
                fiscal_year=fiscal_year,
                application_opens=now - datetime.timedelta(days=7),
                application_closes=now + datetime.timedelta(days=60),
                places=5,
                min_years_of_service=3,
                min_ielts=Decimal("6.0"),
                min_toefl=80,
                min_cefr="B2",
            )
        )
    return programme


def ensure_catalogue(home) -> StudyDestinationIndexPage:
    """The destination catalogue under the home page, curated by the Programme admins group."""
    from .permissions import grant_programme_admins

    catalogue = StudyDestinationIndexPage.objects.first()
    if catalogue is None:
        catalogue = home.add_child(
            instance=StudyDestinationIndexPage(
                title="留学先 / Study destinations", slug="destinations"
            )
        )
    grant_programme_admins(catalogue)
    return catalogue


@transaction.atomic
def load_demo_destinations(catalogue: StudyDestinationIndexPage) -> int:
    """Create or refresh the sample destinations; deadlines are set relative to today."""
    today = clock.today()
    rows = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    for row in rows:
        offsets = row.pop("deadline_offsets_days")
        fields = row.pop("fields_of_study")
        page = StudyDestinationPage.objects.filter(destination_key=row["destination_key"]).first()
        creating = page is None
        page = page or StudyDestinationPage(slug=row["destination_key"])
        for name, value in row.items():
            setattr(page, name, value or ("" if isinstance(value, str) else value))
        page.cefr_min = row["cefr_min"] or ""
        page.title = f"{row['university_en']} — {row['programme_name']}"
        page.is_sample_data = True
        page.description = [{"type": "paragraph", "value": SAMPLE_NOTICE}]
        page.fields_of_study.set(fields)
        page.deadlines = [
            ApplicationDeadline(date=today + datetime.timedelta(days=days), label=f"Round {i + 1}")
            for i, days in enumerate(offsets)
        ]
        if creating:
            catalogue.add_child(instance=page)
        page.save_revision().publish()
    return len(rows)
