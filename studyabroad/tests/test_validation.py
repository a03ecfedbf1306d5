"""Destinations refuse impossible values with clear messages."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

import pytest

from studyabroad.models import ApplicationDeadline, StudyDestinationPage
from talenthub import clock

pytestmark = pytest.mark.django_db


def destination(**overrides) -> StudyDestinationPage:
    fields = {
        "title": "x",
        "slug": "x",
        "destination_key": "x",
        "university_en": "Delft University of Technology",
        "programme_name": "Civil Engineering",
        "degree": "msc",
        "country": "NL",
        "duration_months": 24,
    }
    fields.update(overrides)
    return StudyDestinationPage(**fields)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"tuition_amount": -1, "tuition_currency": "EUR"}, "tuition_amount", "negative"),
        ({"ielts_min": 9.5}, "ielts_min", "0 to 9"),
        ({"toefl_min": 121}, "toefl_min", "0 to 120"),
        ({"official_url": "ftp://example.org/programme"}, "official_url", "http"),
        ({"tuition_amount": 1000}, "tuition_currency", "currency"),
    ],
)
def test_impossible_values_are_refused(overrides, field, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            destination(**overrides).clean()

        assert field in error.value.message_dict
        assert message in " ".join(error.value.message_dict[field])


def test_a_new_deadline_in_the_past_is_refused_in_japanese():
    deadline = ApplicationDeadline(date=timezone.localdate() - datetime.timedelta(days=1))

    with translation.override("ja"), pytest.raises(ValidationError) as error:
        deadline.clean()

    assert "すでに過ぎています" in error.value.message_dict["date"][0]


def errors_of(deadline: ApplicationDeadline) -> dict:
    """The messages validating `deadline` gives, by field ({} when it is accepted)."""
    try:
        deadline.clean()
    except ValidationError as error:
        return error.message_dict
    return {}


def test_deadlines_from_today_on_are_accepted_and_stored_ones_kept():
    today = clock.today()
    yesterday = today - datetime.timedelta(days=1)

    assert errors_of(ApplicationDeadline(date=today)) == {}
    assert errors_of(ApplicationDeadline(date=today + datetime.timedelta(days=1))) == {}
    # A deadline stored earlier may have passed since; only a new one must be in the future.
    assert errors_of(ApplicationDeadline(pk=1, date=yesterday)) == {}
    assert list(errors_of(ApplicationDeadline(date=yesterday))) == ["date"]
