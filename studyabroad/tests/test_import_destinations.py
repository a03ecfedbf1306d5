"""import_destinations: validation with line numbers, idempotency, dry run."""

import datetime
import io

from django.core.management import CommandError, call_command
from django.utils import timezone

import pytest

from studyabroad.models import StudyDestinationPage

pytestmark = pytest.mark.django_db

HEADER = (
    "destination_key,university_en,university_ja,programme_name,degree,country,city,"
    "fields_of_study,teaching_language,ielts_min,toefl_min,cefr_min,tuition_amount,"
    "tuition_currency,tuition_yen,duration_months,intake_month,deadlines,official_url,"
    "partnership_status,staff_dispatched\n"
)


def future(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def row(key="tudelft-msc-civil", **overrides) -> str:
    values = {
        "destination_key": key,
        "university_en": "Delft University of Technology",
        "university_ja": "デルフト工科大学",
        "programme_name": "Civil Engineering",
        "degree": "msc",
        "country": "NL",
        "city": "Delft",
        "fields_of_study": "hydraulic engineering;structural engineering",
        "teaching_language": "en",
        "ielts_min": "6.5",
        "toefl_min": "90",
        "cefr_min": "",
        "tuition_amount": "20000",
        "tuition_currency": "EUR",
        "tuition_yen": "3300000",
        "duration_months": "24",
        "intake_month": "9",
        "deadlines": f"{future(30)}|Round 1;{future(90)}|Round 2",
        "official_url": "https://www.tudelft.nl/",
        "partnership_status": "past_dispatch",
        "staff_dispatched": "3",
    }
    values.update(overrides)
    return ",".join(values.values()) + "\n"


def run(tmp_path, text: str, *args):
    path = tmp_path / "destinations.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_destinations", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_import_is_idempotent_and_updates_changes(directory, tmp_path):
    out, _err, error = run(tmp_path, row() + row("ihe-msc-water", university_en="IHE Delft"))
    again, _err, _error = run(tmp_path, row() + row("ihe-msc-water", university_en="IHE Delft"))
    changed, _err, _error = run(tmp_path, row(tuition_amount="21000"))

    assert error is None
    assert "created 2, updated 0, unchanged 0, failed 0" in out
    assert "created 0, updated 0, unchanged 2" in again and "No changes" in again
    assert "created 0, updated 1, unchanged 0" in changed
    delft = StudyDestinationPage.objects.get(destination_key="tudelft-msc-civil")
    assert delft.live and delft.tuition_amount == 21000
    assert sorted(t.name for t in delft.fields_of_study.all()) == [
        "hydraulic engineering",
        "structural engineering",
    ]
    assert [d.label for d in delft.deadlines.order_by("date")] == ["Round 1", "Round 2"]


def test_bad_rows_are_reported_by_line_and_good_rows_imported(directory, tmp_path):
    text = (
        row("good-one")
        + row("bad-tuition", tuition_amount="-5")
        + row("bad-ielts", ielts_min="10")
        + row("bad-url", official_url="ftp://example.org")
        + row("bad-country", country="XX")
        + row(
            "past-deadline",
            deadlines=(timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        )
        + row("good-two")
    )

    out, err, error = run(tmp_path, text)

    assert error is not None
    assert "created 2, updated 0, unchanged 0, failed 5" in out
    for line in (3, 4, 5, 6, 7):
        assert f"line {line}: " in err
    assert set(StudyDestinationPage.objects.values_list("destination_key", flat=True)) == {
        "good-one",
        "good-two",
    }


def test_dry_run_writes_nothing(directory, tmp_path):
    out, _err, error = run(tmp_path, row(), "--dry-run")

    assert error is None
    assert "would have created 1" in out
    assert not StudyDestinationPage.objects.exists()


def test_non_finite_numbers_are_line_errors_and_later_rows_import(directory, tmp_path):
    out, err, error = run(
        tmp_path,
        row("a", ielts_min="NaN")
        + row("b", tuition_yen="Infinity")
        + row("c", duration_months="12.5")
        + row("d"),
    )

    assert error is not None
    assert all(f"line {line}:" in out + err for line in (2, 3, 4))
    assert list(StudyDestinationPage.objects.values_list("destination_key", flat=True)) == ["d"]
