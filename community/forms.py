"""Front-end forms for posts and replies."""

from django import forms
from django.utils.translation import gettext_lazy as _

from taggit.forms import TagField

from .models import Reply

MAX_BODY = 20_000


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Body"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 12, "data-mentions": ""}),
        help_text=_("Markdown: **bold**, *italic*, lists, links, `code`."),
    )
    tags = TagField(label=_("Tags"), required=False)


class ReplyForm(forms.ModelForm):
    class Meta:
        model = Reply
        fields = ["body", "quoted"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5, "data-mentions": ""}),
            "quoted": forms.HiddenInput,
        }

    def __init__(self, *args, post=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = MAX_BODY
        if post is not None:
            # Only a reply under the same post may be quoted.
            self.fields["quoted"].queryset = post.replies.filter(is_deleted=False)
