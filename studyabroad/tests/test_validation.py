"""Destinations refuse impossible values with clear messages."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

import pytest

from studyabroad.models import ApplicationDeadline, StudyDestinationPage

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


def test_a_future_deadline_is_accepted():
    ApplicationDeadline(date=timezone.localdate() + datetime.timedelta(days=1)).clean()
