"""Factories for study destinations."""

import datetime

from django.utils import timezone

import factory
import wagtail_factories

from studyabroad.models import ApplicationDeadline, StudyDestinationPage


class StudyDestinationPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StudyDestinationPage
        skip_postgeneration_save = True

    destination_key = factory.Sequence(lambda n: f"destination-{n}")
    slug = factory.LazyAttribute(lambda page: page.destination_key)
    title = factory.LazyAttribute(lambda page: f"{page.university_en} {page.programme_name}")
    university_en = "Delft University of Technology"
    university_ja = "デルフト工科大学"
    programme_name = "Civil Engineering"
    degree = "msc"
    country = "NL"
    city = "Delft"
    teaching_language = "en"
    duration_months = 24
    live = True

    @factory.post_generation
    def fields(self, create, extracted, **kwargs):
        if create and extracted:
            self.fields_of_study.set(extracted)
            self.save()

    @factory.post_generation
    def deadline_in_days(self, create, extracted, **kwargs):
        if create:
            days = 30 if extracted is None else extracted
            ApplicationDeadline.objects.create(
                page=self, date=timezone.localdate() + datetime.timedelta(days=days)
            )
