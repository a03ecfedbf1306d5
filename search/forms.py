"""The "Match to a project" form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from profiles.vocabularies import CEFR_CHOICES, language_choices

from .api import MAX_TEXT_LENGTH
from .matching import LanguageRequirement, MatchQuery


class ProjectMatchForm(forms.Form):
    title = forms.CharField(label=_("Project title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_TEXT_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    tags = forms.CharField(
        label=_("Required expertise"),
        required=False,
        help_text=_("Comma-separated, in Japanese or English."),
    )
    language = forms.ChoiceField(
        label=_("Language requirement"),
        required=False,
        choices=lambda: [("", "—"), *language_choices()],
    )
    min_level = forms.ChoiceField(
        label=_("Minimum CEFR level"), required=False, choices=[("", "—"), *CEFR_CHOICES]
    )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("language")) != bool(cleaned.get("min_level")):
            raise forms.ValidationError(
                _("Choose both a language and a minimum level, or neither.")
            )
        return cleaned

    def to_query(self, audience: str) -> MatchQuery:
        data = self.cleaned_data
        language = (
            LanguageRequirement(data["language"], data["min_level"]) if data["language"] else None
        )
        tags = [tag.strip() for tag in data["tags"].replace("、", ",").split(",") if tag.strip()]
        return MatchQuery(
            text=f"{data['title']}\n{data['description']}",
            tags=tags,
            language=language,
            limit=20,
            audience=audience,
        )
