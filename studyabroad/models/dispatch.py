"""The overseas graduate-school dispatch programme: one page per fiscal year, and the
applications members submit while its window is open."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from profiles.text_checks import SUMMARY_MAX_LENGTH
from profiles.vocabularies import CEFR_CHOICES
from talenthub import (
    clock,
    ids,  # noqa: F401 - registers <id:…>
)

from ..requirements import (
    Requirements,
    Scores,
    language_checks,
    years_of_service_check,
)


class DispatchProgrammePage(RoutablePageMixin, Page):
    """A year's dispatch programme: who may apply, when, and for how many places."""

    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2020), MaxValueValidator(2100)]
    )
    intro = RichTextField(_("introduction"), blank=True)
    application_opens = models.DateTimeField(_("applications open"))
    application_closes = models.DateTimeField(_("applications close"))
    places = models.PositiveSmallIntegerField(_("places"), default=5)
    min_years_of_service = models.PositiveSmallIntegerField(
        _("minimum years of service"), null=True, blank=True
    )
    min_ielts = models.DecimalField(
        _("minimum IELTS"), max_digits=2, decimal_places=1, null=True, blank=True
    )
    min_toefl = models.PositiveSmallIntegerField(_("minimum TOEFL iBT"), null=True, blank=True)
    min_cefr = models.CharField(
        _("minimum CEFR (English)"), max_length=2, choices=CEFR_CHOICES, blank=True
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("fiscal_year"),
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("application_opens"), FieldPanel("application_closes")]),
        FieldPanel("places"),
        MultiFieldPanel(
            [
                FieldPanel("min_years_of_service"),
                FieldRowPanel(
                    [FieldPanel("min_ielts"), FieldPanel("min_toefl"), FieldPanel("min_cefr")]
                ),
            ],
            heading=_("Eligibility (any one of the language scores is enough)"),
        ),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("dispatch programme")
        verbose_name_plural = _("dispatch programmes")

    def clean(self):
        super().clean()
        opens, closes = self.application_opens, self.application_closes
        if opens and closes and closes <= opens:
            raise ValidationError(
                {"application_closes": _("The window must close after it opens.")}
            )

    def window_is_open(self, now=None) -> bool:
        now = now or clock.now()
        return self.application_opens <= now < self.application_closes

    def eligibility(self, profile, scores: Scores) -> Requirements:
        return Requirements(
            [
                years_of_service_check(profile.years_of_service, self.min_years_of_service),
                language_checks(scores, self.min_ielts, self.min_toefl, self.min_cefr),
            ]
        )

    def get_context(self, request, *args, **kwargs):
        from ..dispatch_views import programme_context

        context = super().get_context(request, *args, **kwargs)
        context.update(programme_context(request, self))
        return context

    @path("apply/", name="apply")
    def apply(self, request):
        from ..dispatch_views import apply

        return apply(request, self)

    @path("withdraw/", name="withdraw")
    def withdraw(self, request):
        from ..dispatch_views import withdraw

        return withdraw(request, self)

    @path("destinations/<id:destination_id>/candidates/", name="candidates")
    def candidates(self, request, destination_id):
        from ..dispatch_views import destination_candidates

        return destination_candidates(request, self, destination_id)

    @path("destinations/<id:destination_id>/shortlist/", name="shortlist_csv")
    def shortlist_csv(self, request, destination_id):
        from ..dispatch_views import shortlist_csv

        return shortlist_csv(request, self, destination_id)


class ApplicationField(TaggedItemBase):
    """A field the applicant wants to study: the shared expertise vocabulary."""

    content_object = models.ForeignKey(
        "studyabroad.DispatchApplication", on_delete=models.CASCADE, related_name="tagged_items"
    )


class DispatchApplication(models.Model):
    """A member's application to a year's programme; editable until the window closes."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    programme = models.ForeignKey(
        DispatchProgrammePage, on_delete=models.CASCADE, related_name="applications"
    )
    profile = models.ForeignKey(
        "profiles.ProfilePage", on_delete=models.CASCADE, related_name="dispatch_applications"
    )
    preferred_destinations = models.ManyToManyField(
        "studyabroad.StudyDestinationPage",
        verbose_name=_("preferred destinations"),
        related_name="dispatch_applications",
        blank=True,
    )
    preferred_fields = TaggableManager(
        _("fields you want to study"), through=ApplicationField, blank=True
    )
    statement = models.TextField(_("statement"), max_length=SUMMARY_MAX_LENGTH)
    ielts_score = models.DecimalField(
        _("IELTS"), max_digits=2, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(9)],
    )  # fmt: skip
    toefl_score = models.PositiveSmallIntegerField(
        _("TOEFL iBT"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    cefr_level = models.CharField(
        _("CEFR (English)"), max_length=2, choices=CEFR_CHOICES, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    shortlisted_for = models.ManyToManyField(
        "studyabroad.StudyDestinationPage",
        verbose_name=_("shortlisted for"),
        related_name="shortlisted_applications",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dispatch application")
        verbose_name_plural = _("dispatch applications")
        constraints = [
            models.UniqueConstraint(fields=["programme", "profile"], name="one_application_each")
        ]

    def __str__(self) -> str:
        return f"{self.profile} → {self.programme}"

    @property
    def scores(self) -> Scores:
        return Scores(ielts=self.ielts_score, toefl=self.toefl_score, cefr=self.cefr_level)
