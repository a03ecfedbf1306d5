"""The front-end "Edit my profile" form, with its inline languages and overseas experience."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from modelcluster.forms import ClusterForm
from taggit.forms import TagWidget
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField

from PIL import Image as PILImage

from talenthub.ids import parse_row_id

from .models import VISIBILITY_FIELDS, ProfilePage
from .privacy import Visibility
from .text_checks import has_letter_or_digit, validated_tags

# Rows a member may give per list; more is refused before any row form is built, so a posted
# TOTAL_FORMS of thousands costs nothing.
MAX_LIST_ROWS = 20
MAX_TAGS = 50

# What a stale edit shows side by side: the fields a member reads and types most.
COMPARED_FIELDS = [
    "name_ja",
    "name_en",
    "bureau",
    "job_category",
    "position",
    "years_of_service",
    "tags",
    "bio_ja",
    "bio_en",
    "phone",
]

CORRUPT_IMAGE_MESSAGE = _(
    "This file is damaged or is not a complete image. Please choose another photo."
)


class CompleteImageField(WagtailImageField):
    """Wagtail's image field (format, size and pixel checks) that also refuses damaged files.

    Wagtail's pixel check opens a truncated JPEG and lets Pillow's OSError escape as a 500,
    so decoding errors become a field error here, and the whole image is decoded once.
    """

    def to_python(self, data):
        try:
            upload = super().to_python(data)
        except (OSError, SyntaxError, ValueError) as error:
            raise forms.ValidationError(CORRUPT_IMAGE_MESSAGE, code="corrupt_image") from error
        if upload is None:
            return None
        upload.seek(0)
        try:
            with PILImage.open(upload) as image:
                image.load()
        except Exception as error:
            raise forms.ValidationError(CORRUPT_IMAGE_MESSAGE, code="corrupt_image") from error
        upload.seek(0)
        return upload


def _with_bounded_row_counts(data):
    """The posted data with each list's TOTAL_FORMS cut to one more than allowed: the formset
    then reports "at most N" (validate_max) without building thousands of row forms."""
    if data is None:
        return None
    limit = MAX_LIST_ROWS + 1
    over = [
        key
        for key, value in data.items()
        if key.endswith("-TOTAL_FORMS")
        and value.isdigit()
        and (len(value.lstrip("0")) > 4 or int(value) > limit)
    ]
    if not over:
        return data
    data = data.copy()
    for key in over:
        data[key] = str(limit)
    return data


@dataclass(frozen=True)
class FieldDifference:
    """One field of a stale edit: what is saved now and what the member submitted."""

    label: str
    saved: str
    submitted: str


def _comparable(value) -> str:
    """A field value as text, so a bureau, a tag list and a number compare and display alike."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


def _saved_value(profile: ProfilePage, name: str):
    if name == "tags":
        return [tag.name for tag in profile.tags.all()]
    return getattr(profile, name)


class ProfileForm(ClusterForm):
    """What a member may change about themself; the staff number and account stay fixed."""

    # The revision the form was filled from, so a save made meanwhile elsewhere is noticed.
    base_revision = forms.CharField(required=False, widget=forms.HiddenInput)

    photo_upload = CompleteImageField(
        label=_("New photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB and 25 megapixels."),
    )
    remove_photo = forms.BooleanField(label=_("Remove the current photo"), required=False)

    class Meta:
        model = ProfilePage
        fields = [
            "name_ja",
            "name_en",
            "bureau",
            "job_category",
            "position",
            "years_of_service",
            "tags",
            "bio_ja",
            "bio_en",
            "interested_in_dispatch",
            "phone",
            *VISIBILITY_FIELDS,
        ]
        formsets = {
            # Rows keep the order they are entered in; no sort-order box for members to fill.
            "languages": {
                "fields": ["language", "level", "test_name", "score"],
                "extra": 1,
                "can_order": False,
                "max_num": MAX_LIST_ROWS,
                "validate_max": True,
            },
            "overseas_experiences": {
                "fields": ["country", "organisation", "year", "summary"],
                "extra": 1,
                "can_order": False,
                "max_num": MAX_LIST_ROWS,
                "validate_max": True,
                "widgets": {"summary": forms.Textarea(attrs={"rows": 2})},
            },
        }
        widgets = {
            "bio_ja": forms.Textarea(attrs={"rows": 6}),
            "bio_en": forms.Textarea(attrs={"rows": 6}),
            "tags": TagWidget(attrs={"data-tag-autocomplete": "", "autocomplete": "off"}),
            **{name: forms.RadioSelect for name in VISIBILITY_FIELDS},
        }

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(_with_bounded_row_counts(data), *args, **kwargs)
        # A form posted without a privacy choice (an older page, a script) keeps the current one.
        for name in VISIBILITY_FIELDS:
            self.fields[name].required = False

    def _clean_name(self, field: str) -> str:
        name = self.cleaned_data.get(field, "")
        if name and not has_letter_or_digit(name):
            raise forms.ValidationError(
                _("A name needs at least one letter."), code="name_without_letters"
            )
        return name

    def clean_name_ja(self) -> str:
        return self._clean_name("name_ja")

    def clean_name_en(self) -> str:
        return self._clean_name("name_en")

    def clean_base_revision(self) -> int | None:
        """The revision id the form was based on, 0 if the profile had none yet; None when
        not posted (an older page, a script), which skips the stale-edit check."""
        text = self.cleaned_data.get("base_revision", "").strip()
        return 0 if text == "0" else parse_row_id(text)

    def is_based_on_older_revision(self, latest_revision_id: int) -> bool:
        base = self.cleaned_data.get("base_revision")
        return base is not None and latest_revision_id > base

    def differences_from(self, saved: ProfilePage) -> list[FieldDifference]:
        """The compared fields whose submitted value differs from the saved profile's."""
        differences = []
        for name in COMPARED_FIELDS:
            saved_text = _comparable(_saved_value(saved, name))
            submitted_text = _comparable(self.cleaned_data.get(name))
            if saved_text != submitted_text:
                label = str(self.fields[name].label)
                differences.append(FieldDifference(label, saved_text, submitted_text))
        return differences

    def clean_tags(self) -> list[str]:
        return validated_tags(self.cleaned_data.get("tags") or [], MAX_TAGS)

    def clean(self):
        cleaned = super().clean()
        for name in VISIBILITY_FIELDS:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name) or Visibility.MEMBERS
        if not cleaned.get("name_ja") and not cleaned.get("name_en"):
            raise forms.ValidationError(_("Give your name in Japanese or in English."))
        return cleaned

    def save_photo(self, page: ProfilePage, user):
        """Store an uploaded photo as a Wagtail image, or drop the current one; returns the
        image no longer used (to be deleted once the profile is saved), or None."""
        previous = page.photo
        upload = self.cleaned_data.get("photo_upload")
        if upload:
            image = get_image_model()(
                title=page.display_name_ja_first, file=upload, uploaded_by_user=user
            )
            image.save()
            page.photo = image
        elif self.cleaned_data.get("remove_photo"):
            page.photo = None
        return previous if previous is not None and previous != page.photo else None
