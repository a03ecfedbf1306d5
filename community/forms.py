"""Front-end forms for posts and replies."""

from django import forms
from django.utils.translation import gettext_lazy as _

from taggit.forms import TagField

from profiles.text_checks import validated_tags

from .models import MAX_BODY, Reply

MAX_TITLE = 200
MAX_TAGS = 10


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    body = forms.CharField(
        label=_("Body"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 12, "data-mentions": ""}),
        help_text=_("Markdown: **bold**, *italic*, lists, links, `code`."),
    )
    tags = TagField(label=_("Tags"), required=False)

    def clean_tags(self) -> list[str]:
        return validated_tags(self.cleaned_data.get("tags") or [], MAX_TAGS)


class ReplyForm(forms.ModelForm):
    """A reply's text (bounded by the model's max_length) and the reply it quotes, if any."""

    class Meta:
        model = Reply
        fields = ["body", "quoted"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5, "data-mentions": ""}),
            "quoted": forms.HiddenInput,
        }

    def __init__(self, *args, post=None, **kwargs):
        super().__init__(*args, **kwargs)
        if post is not None:
            # Only a reply under the same post may be quoted; clean_quoted checks it is visible.
            self.fields["quoted"].queryset = post.replies.all()

    def clean_quoted(self) -> Reply | None:
        quoted = self.cleaned_data.get("quoted")
        # Keeping the quote a reply already has is fine: a removed quote shows a placeholder.
        if quoted and not quoted.is_visible and quoted.pk != self.instance.quoted_id:
            raise forms.ValidationError(
                _("The quoted reply has been hidden or deleted, so it cannot be quoted."),
                code="quoted_reply_removed",
            )
        return quoted
