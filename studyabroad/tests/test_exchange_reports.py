"""Exchange reports: the records import, reports as matching evidence, listing and search."""

import csv
import datetime

from django.core.management import call_command
from django.utils import translation

import pytest

from profiles.models import ProfilePage
from profiles.tests.factories import ProfilePageFactory, UserFactory
from profiles.tests.privacy_fixtures import publish_with_evidence
from studyabroad.demo import ensure_report_index
from studyabroad.models import ExchangeReportPage, ReportParticipant, TechnicalClassification
from studyabroad.report_importing import import_exchange_records

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """Import messages in English, as an operator with an English locale reads them."""
    with translation.override("en"):
        yield


COLUMNS = [
    "record_id",
    "title",
    "classification",
    "country",
    "host_organisation",
    "start_date",
    "end_date",
    "participants",
    "outcomes",
    "utilisation_plan",
    "tags",
    "report_pdf",
]
COUNTRIES = ["NL", "DE", "GB", "US", "SG", "FR"]
CLASSIFICATIONS = ["上下水道", "道路・橋梁", "Ports and coasts", "環境・廃棄物"]


@pytest.fixture
def report_index(directory):
    return ensure_report_index(directory.get_parent().specific)


@pytest.fixture
def staff(directory):
    """Ten members with profiles (R00000–R00009), no expertise of their own."""
    pages = []
    for number in range(10):
        page = ProfilePageFactory(
            parent=directory, external_id=f"R{number:05d}", bio_ja="", bio_en=""
        )
        publish_with_evidence(page)
        pages.append(page)
    return pages


def record(number: int, **overrides) -> dict:
    start = datetime.date(2023, 1, 10) + datetime.timedelta(days=number * 3)
    row = {
        "record_id": f"EX-{number:04d}",
        "title": f"海外技術交流 第{number}回",
        "classification": CLASSIFICATIONS[number % len(CLASSIFICATIONS)],
        "country": COUNTRIES[number % len(COUNTRIES)],
        "host_organisation": "Rijkswaterstaat",
        "start_date": start.isoformat(),
        "end_date": (start + datetime.timedelta(days=5)).isoformat(),
        "participants": f"R{number % 10:05d};外部 参加者",
        "outcomes": "視察で得た知見を共有。",
        "utilisation_plan": "設計基準の改定に活用。",
        "tags": "技術交流",
        "report_pdf": "",
    }
    row.update(overrides)
    return row


def write_csv(path, rows) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


BAD_ROWS = {
    12: ({"participants": "R99999"}, "unknown staff number R99999"),
    40: ({"start_date": "2024/04/01"}, "start_date '2024/04/01' is not a date"),
    77: ({"country": "XX"}, "unknown country code 'XX'"),
    150: ({"title": ""}, "title is missing"),
    201: ({"end_date": "2020-01-01"}, "end_date is before start_date"),
    250: ({"classification": "宇宙開発"}, "unknown technical classification '宇宙開発'"),
    300: ({"report_pdf": "missing.pdf"}, "report_pdf missing.pdf was not found"),
    320: ({"record_id": "EX-0005"}, "record_id EX-0005 already appeared on line 7"),
}


def test_import_of_330_records_reports_bad_rows_by_line(tmp_path, report_index, staff):
    rows = [record(n, **BAD_ROWS.get(n, ({}, ""))[0]) for n in range(330)]
    path = tmp_path / "records.csv"
    write_csv(path, rows)

    dry = import_exchange_records(path, report_index, dry_run=True)
    assert ExchangeReportPage.objects.count() == 0 and dry.created == 330 - len(BAD_ROWS)

    first = import_exchange_records(path, report_index)
    again = import_exchange_records(path, report_index)

    assert first.created == 330 - len(BAD_ROWS)
    errors = dict(first.errors)
    for number, (_overrides, message) in BAD_ROWS.items():
        assert message in errors[number + 2], (number, errors.get(number + 2))  # header = line 1
    assert (again.created, again.updated, again.unchanged) == (0, 0, 330 - len(BAD_ROWS))
    report = ExchangeReportPage.objects.get(report_key="EX-0001")
    assert report.live and str(report.country) == "DE"
    assert [str(p) for p in report.participants.all()][1] == "外部 参加者"
    assert report.participants.first().profile.external_id == "R00001"
    assert report.classification.name_ja == "道路・橋梁"


def test_changed_rows_update_and_a_pdf_is_attached_once(tmp_path, report_index, staff):
    (tmp_path / "ex-1.pdf").write_bytes(b"%PDF-1.4\n% test report\n%%EOF\n")
    (tmp_path / "fake.pdf").write_bytes(b"not a pdf")
    path = tmp_path / "records.csv"
    write_csv(path, [record(1, report_pdf="ex-1.pdf"), record(2, report_pdf="fake.pdf")])

    first = import_exchange_records(path, report_index)
    write_csv(
        path,
        [record(1, report_pdf="ex-1.pdf", outcomes="新しい成果"), record(2, report_pdf="fake.pdf")],
    )
    second = import_exchange_records(path, report_index)

    assert first.created == 1 and "is not a PDF file" in dict(first.errors)[3]
    assert second.updated == 1
    report = ExchangeReportPage.objects.get(report_key="EX-0001")
    assert report.outcomes == "新しい成果" and report.report_document.file_hash
    from wagtail.documents import get_document_model

    assert get_document_model().objects.count() == 1


def test_command_prints_a_summary_and_fails_on_bad_rows(tmp_path, report_index, staff, capsys):
    path = tmp_path / "records.csv"
    write_csv(path, [record(1), record(2, country="ZZ")])

    with pytest.raises(Exception, match="1 row\\(s\\) failed"):
        call_command("import_exchange_records", str(path))

    captured = capsys.readouterr()
    assert "created 1" in captured.out and "line 3: unknown country code 'ZZ'" in captured.err


@pytest.fixture
def sewer_report(tmp_path, report_index, staff):
    """R00003 took part in a Dutch sewer rehabilitation study; nothing else says so."""
    path = tmp_path / "records.csv"
    write_csv(
        path,
        [
            record(
                3,
                title="下水道管きょ更生",
                classification="上下水道",
                country="NL",
                start_date="2024-05-13",
                end_date="2024-05-20",
                participants="R00003",
                outcomes="オランダの管きょ更生工法と維持管理の仕組みを調査した。",
                tags="",
            )
        ],
    )
    import_exchange_records(path, report_index)
    return ExchangeReportPage.objects.get(report_key="EX-0003")


@pytest.mark.parametrize(
    "backend", ["database", pytest.param("opensearch", marks=pytest.mark.engine)]
)
def test_a_report_is_evidence_with_a_reason_naming_it(request, client, sewer_report, backend):
    if backend == "opensearch":
        request.getfixturevalue("engine")
        call_command("rebuild_match_index")
    client.force_login(UserFactory())

    response = client.post(
        "/api/v1/match/",
        {"text": "sewer pipe rehabilitation project"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()

    assert response["backend"] == backend
    top = response["results"][0]
    assert top["external_id"] == "R00003"
    assert any("report: 下水道管きょ更生 (2024, NL)" in reason for reason in top["reasons"])


def test_taking_a_member_off_a_report_removes_the_evidence(
    client, sewer_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sewer_report.participants = [ReportParticipant(name="外部 参加者")]
        sewer_report.save_revision().publish()
    client.force_login(UserFactory())

    found = client.get("/api/v1/experts/", {"q": "管きょ更生"}).json()

    assert "R00003" not in [r["external_id"] for r in found["results"]]


def test_listing_filters_profile_and_site_search(client, tmp_path, report_index, staff):
    path = tmp_path / "records.csv"
    write_csv(path, [record(n) for n in range(12)])
    import_exchange_records(path, report_index)
    client.force_login(UserFactory())

    listing = client.get(report_index.url, {"country": "NL"})
    water = TechnicalClassification.objects.get(name_ja="上下水道")
    by_class = client.get(report_index.url, {"classification": water.pk, "year": "2023"})
    profile = client.get(ProfilePage.objects.get(external_id="R00001").url).content.decode()
    found = client.get("/search/", {"query": "Rijkswaterstaat"}).content.decode()

    assert listing.context["reports"].paginator.count == 2  # records 0 and 6
    assert {f["label"] for f in listing.context["facets"]["year"]} == {"2023"}
    assert by_class.context["reports"].paginator.count == 3  # records 0, 4 and 8
    assert "海外技術交流 第1回" in profile and "海外技術交流 第11回" in profile
    assert "海外技術交流 第" in found
