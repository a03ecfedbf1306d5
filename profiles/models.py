"""Staff members: the user account, curated vocabularies and the profile page."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from django_countries import countries
from django_countries.fields import CountryField

from talenthub import clock, ids  # noqa: F401 - ids registers the <id:…> converter

from .privacy import Visibility, audience_sees, can_see
from .text_checks import BIOGRAPHY_MAX_LENGTH, RECORD_TEXT_MAX_LENGTH, SUMMARY_MAX_LENGTH
from .vocabularies import (
    CEFR_CHOICES,
    LANGUAGE_TEST_CHOICES,
    LANGUAGE_TESTS,
    language_choices,
    language_name,
)


class StaffUserManager(UserManager):
    """A user manager for accounts whose login is the email address."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A staff account; the email address is the login, there is no username."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = StaffUserManager()

    def __str__(self) -> str:
        return self.email


class LocalisedName(models.Model):
    """A curated vocabulary entry with a Japanese and an English name."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    panels = [FieldPanel("name_ja"), FieldPanel("name_en"), FieldPanel("sort_order")]

    class Meta:
        abstract = True
        ordering = ["sort_order", "name_ja"]

    def __str__(self) -> str:
        if (get_language() or "ja").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ja


@register_snippet
class Bureau(LocalisedName):
    """A bureau (局) of the metropolitan government, e.g. 建設局."""

    class Meta(LocalisedName.Meta):
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")


@register_snippet
class JobCategory(LocalisedName):
    """A technical job category (職種), e.g. 土木."""

    class Meta(LocalisedName.Meta):
        verbose_name = _("job category")
        verbose_name_plural = _("job categories")


class ProfileTag(TaggedItemBase):
    """Expertise tag on a profile page."""

    content_object = ParentalKey(
        "profiles.ProfilePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ProfileIndexPage(RoutablePageMixin, Page):
    """The members directory; profiles live under it and tag listings hang off it."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["profiles.ProfilePage"]
    max_count = 1

    class Meta:
        verbose_name = _("members directory")

    def get_context(self, request, *args, **kwargs):
        from .views import directory_context

        context = super().get_context(request, *args, **kwargs)
        context.update(directory_context(request, self))
        return context

    @path("tags/<str:tag_slug>/", name="tag")
    def tag_listing(self, request, tag_slug):
        from .views import tag_listing

        return tag_listing(request, self, tag_slug)

    @path("me/edit/", name="edit_my_profile")
    def edit_my_profile(self, request):
        from .views import edit_my_profile

        return edit_my_profile(request, self)

    @path("me/confirm/", name="confirm_my_profile")
    def confirm_my_profile(self, request):
        from .views import confirm_my_profile

        return confirm_my_profile(request)

    @path("<id:page_id>/edit/", name="edit_profile")
    def edit_profile(self, request, page_id):
        from .views import edit_profile

        return edit_profile(request, self, page_id)

    @path("tag-autocomplete/", name="tag_autocomplete")
    def tag_autocomplete(self, request):
        from .views import tag_autocomplete

        return tag_autocomplete(request)


VISIBILITY_FIELDS = (
    "visibility_contact",
    "visibility_languages",
    "visibility_experience",
    "visibility_bio",
    "visibility_photo",
)


def visibility_field(verbose_name) -> models.CharField:
    return models.CharField(
        verbose_name, max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )


# A member who signs up before being imported gets this key instead of a staff number: staff
# numbers come from the import or SSO, never from the member. An import refuses such keys and
# adopts the profile of the account whose verified email the import names.
PROVISIONAL_STAFF_NUMBER_PREFIX = "self-"


def provisional_staff_number(user) -> str:
    return f"{PROVISIONAL_STAFF_NUMBER_PREFIX}{user.pk}"


class ProfilePage(Page):
    """One staff member's profile: who they are and the evidence of what they know."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="profile",
    )
    external_id = models.CharField(
        _("staff number"), max_length=32, unique=True, help_text=_("Stable staff number.")
    )
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    bureau = models.ForeignKey(
        Bureau,
        verbose_name=_("bureau"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    job_category = models.ForeignKey(
        JobCategory,
        verbose_name=_("job category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    years_of_service = models.PositiveSmallIntegerField(
        _("years of service"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    tags = ClusterTaggableManager(_("expertise"), through=ProfileTag, blank=True)
    bio_ja = models.TextField(
        _("biography (Japanese)"), blank=True, max_length=BIOGRAPHY_MAX_LENGTH
    )
    bio_en = models.TextField(_("biography (English)"), blank=True, max_length=BIOGRAPHY_MAX_LENGTH)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    interested_in_dispatch = models.BooleanField(
        _("interested in the overseas graduate-school dispatch programme"), default=False
    )
    confirmed_at = models.DateField(_("profile last confirmed"), null=True, blank=True)
    phone = models.CharField(
        _("phone or extension"),
        max_length=40,
        blank=True,
        help_text=_("e.g. 03-5320-1234 / 内線 12345"),
    )
    visibility_contact = visibility_field(_("who sees my contact details"))
    visibility_languages = visibility_field(_("who sees my languages and scores"))
    visibility_experience = visibility_field(
        _("who sees my overseas experience and exchange records")
    )
    visibility_bio = visibility_field(_("who sees my biography"))
    visibility_photo = visibility_field(_("who sees my photo"))

    content_panels = [
        MultiFieldPanel(
            [
                FieldPanel("external_id"),
                FieldPanel("user"),
                FieldPanel("name_ja"),
                FieldPanel("name_en"),
                FieldPanel("photo"),
            ],
            heading=_("Member"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("bureau"),
                FieldPanel("job_category"),
                FieldPanel("position"),
                FieldPanel("years_of_service"),
            ],
            heading=_("Organisation"),
        ),
        FieldPanel("tags"),
        FieldPanel("bio_ja"),
        FieldPanel("bio_en"),
        InlinePanel("languages", label=_("Languages")),
        InlinePanel("overseas_experiences", label=_("Overseas experience")),
        InlinePanel("exchange_records", label=_("Exchange records")),
        FieldPanel("interested_in_dispatch"),
        FieldPanel("confirmed_at"),
        FieldPanel("phone"),
        MultiFieldPanel(
            [FieldPanel(name) for name in VISIBILITY_FIELDS], heading=_("Who sees what")
        ),
    ]
    promote_panels = [FieldPanel("slug")]

    search_fields = [
        *Page.search_fields,
        index.SearchField("name_ja"),
        index.SearchField("name_en"),
        index.AutocompleteField("name_ja"),
        index.AutocompleteField("name_en"),
        index.SearchField("position"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        # Site search serves every member, so it indexes only what every member may see.
        index.SearchField("bio_for_members"),
        index.SearchField("experience_for_members"),
        index.FilterField("bureau"),
        index.FilterField("job_category"),
    ]

    parent_page_types = ["profiles.ProfileIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    @property
    def has_staff_number(self) -> bool:
        return not self.external_id.startswith(PROVISIONAL_STAFF_NUMBER_PREFIX)

    def save(self, *args, **kwargs):
        # The page title is the member's name, so Wagtail's listings and search show it.
        self.title = self.display_name_ja_first
        super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs):
        self.title = self.display_name_ja_first
        super().full_clean(*args, **kwargs)

    @property
    def display_name_ja_first(self) -> str:
        return self.name_ja or self.name_en or self.external_id

    @property
    def display_name(self) -> str:
        """The name in the active UI language, falling back to the other one."""
        if (get_language() or "ja").startswith("en"):
            return self.name_en or self.name_ja or self.external_id
        return self.display_name_ja_first

    @property
    def other_name(self) -> str:
        """The name in the other language, shown under the main one."""
        other = self.name_ja if self.display_name == self.name_en else self.name_en
        return "" if other == self.display_name else other

    @property
    def bio_for_members(self) -> str:
        if not audience_sees(self.visibility_bio, "members"):
            return ""
        return "\n".join(filter(None, [self.bio_ja, self.bio_en]))

    @property
    def experience_for_members(self) -> str:
        if not audience_sees(self.visibility_experience, "members"):
            return ""
        items = [*self.overseas_experiences.all(), *self.exchange_records.all()]
        return "\n".join(item.text for item in items if item.text)

    def get_context(self, request, *args, **kwargs):
        from studyabroad.models import ExchangeReportPage

        context = super().get_context(request, *args, **kwargs)
        # Reports are part of the member's overseas experience: shown to whom they allow.
        context["reports"] = (
            ExchangeReportPage.objects.live()
            .filter(participants__profile=self)
            .distinct()
            .select_related("classification")
            if can_see(self, "experience", request.user)
            else ExchangeReportPage.objects.none()
        )
        return context

    def can_edit(self, user) -> bool:
        """Only the member themself (and site administrators) edit a profile from the front end."""
        return bool(user.is_authenticated and (user.is_superuser or self.user_id == user.pk))


class ProfileLanguage(Orderable):
    """A language the member speaks, with CEFR level and optionally a test score."""

    page = ParentalKey(ProfilePage, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=2, choices=language_choices)
    level = models.CharField(_("CEFR level"), max_length=2, choices=CEFR_CHOICES)
    test_name = models.CharField(
        _("test"), max_length=20, blank=True, choices=LANGUAGE_TEST_CHOICES
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1, null=True, blank=True)

    panels = [
        FieldPanel("language"),
        FieldPanel("level"),
        FieldPanel("test_name"),
        FieldPanel("score"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return f"{self.language_name} {self.level}"

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    def clean(self):
        super().clean()
        if self.score is not None and not self.test_name:
            raise ValidationError({"test_name": _("Name the test that gave this score.")})
        score_range = LANGUAGE_TESTS.get(self.test_name)
        if score_range and self.score is not None:
            low, high = score_range
            if not low <= self.score <= high:
                raise ValidationError(
                    {
                        "score": _("%(test)s scores range from %(low)s to %(high)s.")
                        % {"test": self.test_name, "low": low, "high": high}
                    }
                )


def year_field() -> models.PositiveSmallIntegerField:
    """An optional calendar year (of a stay abroad, an exchange)."""
    return models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )


class OverseasExperience(Orderable):
    """Time the member spent working or studying abroad."""

    page = ParentalKey(ProfilePage, on_delete=models.CASCADE, related_name="overseas_experiences")
    country = CountryField(_("country"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    year = year_field()
    summary = models.TextField(_("summary"), blank=True, max_length=SUMMARY_MAX_LENGTH)

    panels = [
        FieldPanel("country"),
        FieldPanel("organisation"),
        FieldPanel("year"),
        FieldPanel("summary"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("overseas experience")
        verbose_name_plural = _("overseas experience")

    def __str__(self) -> str:
        return f"{countries.name(self.country)} {self.organisation} {self.year or ''}".strip()

    @property
    def text(self) -> str:
        """What the stay was about, as searched and matched."""
        return " ".join(filter(None, [self.organisation, self.summary]))


class ProfileExchangeRecord(Orderable):
    """An overseas exchange record (件名・技術分類・成果・活用方針) the member took part in."""

    page = ParentalKey(ProfilePage, on_delete=models.CASCADE, related_name="exchange_records")
    title = models.CharField(_("title"), max_length=300)
    technical_field = models.CharField(_("technical field"), max_length=200, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, max_length=RECORD_TEXT_MAX_LENGTH)
    utilisation_plan = models.TextField(
        _("utilisation plan"), blank=True, max_length=RECORD_TEXT_MAX_LENGTH
    )
    year = year_field()

    panels = [
        FieldPanel("title"),
        FieldPanel("technical_field"),
        FieldPanel("outcome"),
        FieldPanel("utilisation_plan"),
        FieldPanel("year"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("exchange record")
        verbose_name_plural = _("exchange records")

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        """What the exchange was about, as searched and matched."""
        return " ".join(
            filter(None, [self.title, self.technical_field, self.outcome, self.utilisation_plan])
        )


class TagCuration(models.Model):
    """What programme admins decided about one expertise tag: labels, synonym, merged names.

    Tags stay free to type (taggit's Tag); a curation gives a tag its Japanese and English
    labels, or points it at the tag it means the same as. Both feed matching's glossary."""

    tag = models.OneToOneField(
        "taggit.Tag", on_delete=models.CASCADE, primary_key=True, related_name="curation"
    )
    label_ja = models.CharField(_("Japanese label"), max_length=100, blank=True)
    label_en = models.CharField(_("English label"), max_length=100, blank=True)
    synonym_of = models.ForeignKey(
        "taggit.Tag",
        verbose_name=_("synonym of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="synonym_curations",
    )
    aliases = models.TextField(
        _("merged names"), blank=True, help_text=_("Names of tags merged into this one.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tag curation")
        verbose_name_plural = _("tag curations")

    def __str__(self) -> str:
        return self.tag.name

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def display_label(self) -> str:
        """橋梁 / bridge: the labels, or the tag's own name when it has none."""
        labels = [label for label in (self.label_ja, self.label_en) if label]
        return " / ".join(labels) or self.tag.name


class ProfileReminder(models.Model):
    """One reminder email asking a member to check their profile (at most one a month)."""

    profile = models.ForeignKey(ProfilePage, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(_("sent at"), default=clock.now, db_index=True)
    email = models.EmailField(_("sent to"))

    class Meta:
        verbose_name = _("profile reminder")
        verbose_name_plural = _("profile reminders")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.profile} {self.sent_at:%Y-%m-%d}"


class SynonymProposal(models.Model):
    """A form the members' own data suggests for an expertise tag, waiting for a curator.

    `profiles.synonym_proposals` mines them; an accepted one becomes an alias in the tag's
    curation (and so a form matching knows), a rejected one is never proposed again."""

    class Kind(models.TextChoices):
        BIOGRAPHY = "biography", _("Tag and biography words")
        BILINGUAL = "bilingual", _("Japanese and English in one profile")
        COMPOUND = "compound", _("Compound tag and its head")
        DICTIONARY = "dictionary", _("Dictionary (JMdict)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    tag = models.ForeignKey(
        "taggit.Tag",
        verbose_name=_("tag"),
        on_delete=models.CASCADE,
        related_name="synonym_proposals",
    )
    form = models.CharField(_("proposed form"), max_length=100)
    kind = models.CharField(_("evidence"), max_length=10, choices=Kind.choices)
    score = models.FloatField(_("score"), default=0)
    support = models.PositiveIntegerField(_("profiles"), default=0)
    evidence = models.JSONField(
        _("example profiles"), default=list, blank=True, help_text=_("Page ids of profiles.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("synonym proposal")
        verbose_name_plural = _("synonym proposals")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tag", "form"], name="unique_synonym_proposal")
        ]

    def __str__(self) -> str:
        return f"{self.tag.name} ← {self.form}"
