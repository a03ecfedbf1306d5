"""Exchange reports: what staff learned on an overseas visit or exchange, and who went.

A report is evidence of its participants' expertise: the matching evidence of every member
who took part includes it (search.evidence), and reasons name the report."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from django_countries.fields import CountryField

from profiles.models import LocalisedName
from profiles.privacy import can_see


@register_snippet
class TechnicalClassification(LocalisedName):
    """A technical classification (技術分類) of exchange reports, e.g. 上下水道."""

    class Meta(LocalisedName.Meta):
        verbose_name = _("technical classification")
        verbose_name_plural = _("technical classifications")


class ReportTag(TaggedItemBase):
    """An expertise tag on a report: the same vocabulary as profiles."""

    content_object = ParentalKey(
        "studyabroad.ExchangeReportPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ExchangeReportIndexPage(Page):
    """Every exchange report, filtered by classification, country and year."""

    content_panels = list(Page.content_panels)
    parent_page_types = ["home.HomePage"]
    subpage_types = ["studyabroad.ExchangeReportPage"]
    max_count = 1

    class Meta:
        verbose_name = _("exchange report index")

    def get_context(self, request, *args, **kwargs):
        from ..views import report_listing_context

        context = super().get_context(request, *args, **kwargs)
        context.update(report_listing_context(request, self))
        return context


class ExchangeReportPage(Page):
    """One overseas exchange: where, when, who took part, what was learned and how it is used."""

    report_key = models.CharField(
        _("record number"),
        max_length=64,
        unique=True,
        help_text=_("The number in the exchange records database; imports match on it."),
    )
    classification = models.ForeignKey(
        TechnicalClassification,
        verbose_name=_("technical classification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    country = CountryField(_("country"))
    host_organisation = models.CharField(_("host organisation"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    outcomes = models.TextField(_("outcomes (得られた成果)"), blank=True)
    utilisation_plan = models.TextField(_("utilisation plan (成果の活用方針)"), blank=True)
    report_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("report (PDF)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = ClusterTaggableManager(_("expertise tags"), through=ReportTag, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("report_key"),
        FieldPanel("classification"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("country"), FieldPanel("host_organisation")]),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
            ],
            heading=_("Where and when"),
        ),
        InlinePanel("participants", label=_("Participants")),
        FieldPanel("outcomes"),
        FieldPanel("utilisation_plan"),
        FieldPanel("report_document"),
        FieldPanel("tags"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("host_organisation"),
        index.SearchField("outcomes"),
        index.SearchField("utilisation_plan"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.RelatedFields("classification", [index.SearchField("name_ja")]),
        index.FilterField("start_date"),
    ]

    parent_page_types = ["studyabroad.ExchangeReportIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("exchange report")
        verbose_name_plural = _("exchange reports")
        ordering = ["-start_date"]

    @property
    def year(self) -> int:
        return self.start_date.year

    @property
    def short_label(self) -> str:
        """下水道管きょ更生 (2024, NL): how reasons and lists name the report."""
        return f"{self.title} ({self.year}, {self.country})"

    def participants_seen_by(self, user) -> tuple[list["ReportParticipant"], int]:
        """The participants this viewer may see named, and how many others took part.

        Taking part in an exchange is overseas experience: each member's privacy choice for
        it decides who sees them here. Participants without a profile made no choice."""
        named, unnamed = [], 0
        for participant in self.participants.select_related("profile"):
            profile = participant.profile
            if profile is None or can_see(profile, "experience", user):
                named.append(participant)
            else:
                unnamed += 1
        return named, unnamed

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        named, unnamed = self.participants_seen_by(request.user)
        context.update({"participants": named, "unnamed_participant_count": unnamed})
        return context

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})


class ReportParticipant(Orderable):
    """A member who took part: linked to their profile, or only named (no profile yet)."""

    page = ParentalKey(ExchangeReportPage, on_delete=models.CASCADE, related_name="participants")
    profile = models.ForeignKey(
        "profiles.ProfilePage",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_participations",
    )
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("For participants without a profile.")
    )

    panels = [FieldPanel("profile"), FieldPanel("name")]

    class Meta(Orderable.Meta):
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.profile.display_name if self.profile_id else self.name

    def clean(self):
        super().clean()
        if not self.profile_id and not self.name.strip():
            raise ValidationError(_("Choose a member or write the participant's name."))
