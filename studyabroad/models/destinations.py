"""Overseas graduate programmes that staff compare and programme admins curate."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from django_countries.fields import CountryField

from profiles.vocabularies import CEFR_CHOICES, cefr_rank, language_choices
from talenthub import clock

from ..blocks import DescriptionBlock

DEGREE_CHOICES = [
    ("msc", "MSc"),
    ("meng", "MEng"),
    ("mpa", "MPA"),
    ("mphil", "MPhil"),
    ("phd", "PhD"),
    ("short", _("Short course")),
]
PARTNERSHIP_CHOICES = [
    ("past_dispatch", _("Past dispatch")),
    ("agreement", _("Agreement")),
    ("candidate", _("Candidate")),
]
MONTH_CHOICES = [(m, m) for m in range(1, 13)]
IELTS_RANGE = (Decimal(0), Decimal(9))
TOEFL_RANGE = (0, 120)


class DestinationTag(TaggedItemBase):
    """A field of study; the same taggit vocabulary as members' expertise tags."""

    content_object = ParentalKey(
        "studyabroad.StudyDestinationPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class StudyDestinationIndexPage(Page):
    """The catalogue: every destination, with filters staff can combine and share."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["studyabroad.StudyDestinationPage"]
    max_count = 1

    class Meta:
        verbose_name = _("study destination catalogue")

    def get_context(self, request, *args, **kwargs):
        from ..views import catalogue_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_context(request, self))
        return context


class StudyDestinationPage(Page):
    """One graduate programme at one university."""

    destination_key = models.SlugField(
        _("stable key"),
        max_length=100,
        unique=True,
        help_text=_("Used by imports to recognise this destination, e.g. tudelft-msc-civil."),
    )
    university_ja = models.CharField(_("university (Japanese)"), max_length=200, blank=True)
    university_en = models.CharField(_("university (English)"), max_length=200)
    programme_name = models.CharField(_("programme"), max_length=200)
    degree = models.CharField(_("degree"), max_length=10, choices=DEGREE_CHOICES)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    fields_of_study = ClusterTaggableManager(
        _("fields of study"), through=DestinationTag, blank=True
    )
    teaching_language = models.CharField(
        _("teaching language"), max_length=2, choices=language_choices, default="en"
    )
    ielts_min = models.DecimalField(
        _("IELTS overall (minimum)"), max_digits=2, decimal_places=1, null=True, blank=True
    )
    toefl_min = models.PositiveSmallIntegerField(_("TOEFL iBT (minimum)"), null=True, blank=True)
    cefr_min = models.CharField(_("CEFR (minimum)"), max_length=2, choices=CEFR_CHOICES, blank=True)
    tuition_amount = models.DecimalField(
        _("tuition"), max_digits=10, decimal_places=0, null=True, blank=True
    )
    tuition_currency = models.CharField(_("currency"), max_length=3, blank=True)
    tuition_yen = models.PositiveIntegerField(_("tuition in yen (estimate)"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), validators=[MinValueValidator(1), MaxValueValidator(72)]
    )
    intake_month = models.PositiveSmallIntegerField(
        _("intake month"), choices=MONTH_CHOICES, null=True, blank=True
    )
    scholarships = models.TextField(_("scholarships"), blank=True)
    official_url = models.URLField(_("official URL"), blank=True)
    partnership_status = models.CharField(
        _("partnership status"), max_length=20, choices=PARTNERSHIP_CHOICES, default="candidate"
    )
    staff_dispatched = models.PositiveSmallIntegerField(_("staff dispatched before"), default=0)
    is_sample_data = models.BooleanField(
        _("sample data"), default=False, help_text=_("Demo entry with illustrative figures.")
    )
    description = StreamField(DescriptionBlock(), verbose_name=_("description"), blank=True)

    content_panels = [
        MultiFieldPanel(
            [
                FieldPanel("destination_key"),
                FieldPanel("university_ja"),
                FieldPanel("university_en"),
                FieldPanel("programme_name"),
                FieldPanel("degree"),
                FieldRowPanel([FieldPanel("country"), FieldPanel("city")]),
                FieldPanel("fields_of_study"),
            ],
            heading=_("Programme"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("teaching_language"),
                FieldRowPanel(
                    [FieldPanel("ielts_min"), FieldPanel("toefl_min"), FieldPanel("cefr_min")]
                ),
            ],
            heading=_("Language requirements"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("tuition_amount"),
                        FieldPanel("tuition_currency"),
                        FieldPanel("tuition_yen"),
                    ]
                ),
                FieldRowPanel([FieldPanel("duration_months"), FieldPanel("intake_month")]),
                FieldPanel("scholarships"),
            ],
            heading=_("Cost and timing"),
        ),
        InlinePanel("deadlines", label=_("Application deadlines"), min_num=1),
        MultiFieldPanel(
            [
                FieldPanel("official_url"),
                FieldPanel("partnership_status"),
                FieldPanel("staff_dispatched"),
                FieldPanel("is_sample_data"),
            ],
            heading=_("Relationship"),
        ),
        FieldPanel("description"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("university_ja"),
        index.SearchField("university_en"),
        index.SearchField("programme_name"),
        index.SearchField("city"),
        index.SearchField("description"),
        index.RelatedFields("fields_of_study", [index.SearchField("name")]),
        # No filter on country: django-countries' Country value is not JSON-serialisable for
        # the OpenSearch backend (the catalogue filters with the ORM instead).
        index.FilterField("degree"),
    ]

    parent_page_types = ["studyabroad.StudyDestinationIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("study destination")
        verbose_name_plural = _("study destinations")

    @property
    def university(self) -> str:
        """The university's name in the active UI language."""
        if (get_language() or "ja").startswith("ja") and self.university_ja:
            return self.university_ja
        return self.university_en

    @property
    def cefr_min_rank(self) -> int:
        return cefr_rank(self.cefr_min)

    def permissions_for_user(self, user):
        """Wagtail's page permissions, except that approving a review publishes (see the tester)."""
        from ..permissions import DestinationPermissionTester

        return DestinationPermissionTester(user, self)

    def upcoming_deadlines(self):
        today = clock.today()
        return [d for d in self.deadlines.all() if d.date >= today]

    def get_context(self, request, *args, **kwargs):
        from profiles.privacy import audience_of

        from ..views import members_with_experience

        context = super().get_context(request, *args, **kwargs)
        today = clock.today()
        deadlines = sorted(self.deadlines.all(), key=lambda d: d.date)
        upcoming = [d for d in deadlines if d.date >= today]
        context.update(
            {
                "deadlines": deadlines,
                "next_deadline": upcoming[0] if upcoming else None,
                "today": today,
                "experienced_members": members_with_experience(self, audience_of(request.user)),
            }
        )
        return context

    def clean(self):
        super().clean()
        errors = {}
        if self.tuition_amount is not None and self.tuition_amount < 0:
            errors["tuition_amount"] = _("Tuition cannot be negative.")
        if self.ielts_min is not None and not IELTS_RANGE[0] <= self.ielts_min <= IELTS_RANGE[1]:
            errors["ielts_min"] = _("IELTS scores range from 0 to 9.")
        if self.toefl_min is not None and not TOEFL_RANGE[0] <= self.toefl_min <= TOEFL_RANGE[1]:
            errors["toefl_min"] = _("TOEFL iBT scores range from 0 to 120.")
        if self.official_url and not self.official_url.lower().startswith(("http://", "https://")):
            errors["official_url"] = _("The official URL must start with http:// or https://.")
        if self.tuition_amount is not None and not self.tuition_currency:
            errors["tuition_currency"] = _("Give the currency of the tuition (e.g. GBP).")
        if errors:
            raise ValidationError(errors)


class ApplicationDeadline(Orderable):
    """One application deadline of a destination (there may be several rounds)."""

    page = ParentalKey(StudyDestinationPage, on_delete=models.CASCADE, related_name="deadlines")
    date = models.DateField(_("deadline"))
    label = models.CharField(_("round"), max_length=100, blank=True)

    panels = [FieldPanel("date"), FieldPanel("label")]

    class Meta(Orderable.Meta):
        verbose_name = _("application deadline")
        verbose_name_plural = _("application deadlines")

    def __str__(self) -> str:
        return f"{self.date} {self.label}".strip()

    def clean(self):
        super().clean()
        # A deadline already stored may have passed; a newly added one must not have.
        if self.pk is None and self.date and self.date < clock.today():
            raise ValidationError(
                {"date": _("This deadline has already passed; add deadlines of a future intake.")}
            )
