"""The expertise vocabulary in the Wagtail admin: labels, synonyms, usage and merging."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from taggit.models import Tag
from wagtail.admin import messages

from .freshness import freshness_by_bureau, stale_profiles
from .models import TagCuration
from .roles import is_programme_admin
from .tag_vocabulary import canonical, merge_tags, tags_with_usage

TAGS_PER_PAGE = 50


def _require_programme_admin(request) -> None:
    if not is_programme_admin(request.user):
        raise PermissionDenied


@require_http_methods(["GET"])
def vocabulary(request):
    """Every tag with its labels, synonym and uses; select tags to merge them."""
    _require_programme_admin(request)
    query = request.GET.get("q", "").strip()
    tags = tags_with_usage(Tag.objects.select_related("curation__synonym_of"))
    if query:
        tags = tags.filter(
            Q(name__icontains=query)
            | Q(curation__label_ja__icontains=query)
            | Q(curation__label_en__icontains=query)
            | Q(curation__aliases__icontains=query)
        )
    page = Paginator(tags.order_by("-uses", "name"), TAGS_PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request, "profiles/admin/vocabulary.html", {"tags": page, "query": query}
    )


class TagCurationForm(forms.ModelForm):
    synonym_of_name = forms.CharField(
        label=gettext_lazy("Synonym of (tag name)"),
        required=False,
        help_text=gettext_lazy(
            "Leave empty for a tag of its own. A synonym stays on profiles but matches, and "
            "is suggested, as the tag it stands for."
        ),
    )

    class Meta:
        model = TagCuration
        fields = ["label_ja", "label_en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.synonym_of_id:
            self.fields["synonym_of_name"].initial = self.instance.synonym_of.name

    def clean_synonym_of_name(self):
        name = self.cleaned_data["synonym_of_name"].strip()
        if not name:
            return None
        target = Tag.objects.filter(name__iexact=name).first()
        if target is None:
            raise forms.ValidationError(_("There is no tag called “%(name)s”.") % {"name": name})
        if target.pk == self.instance.tag_id or canonical(target).pk == self.instance.tag_id:
            raise forms.ValidationError(_("A tag cannot be a synonym of itself."))
        return target

    def save(self, commit=True):
        self.instance.synonym_of = self.cleaned_data["synonym_of_name"]
        return super().save(commit)


@require_http_methods(["GET", "POST"])
def edit_tag(request, tag_id: int):
    _require_programme_admin(request)
    tag = get_object_or_404(Tag, pk=tag_id)
    curation = TagCuration.objects.filter(tag=tag).first() or TagCuration(tag=tag)
    form = TagCurationForm(request.POST or None, instance=curation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved “%(name)s”.") % {"name": tag.name})
        return redirect("profiles_vocabulary")
    return TemplateResponse(request, "profiles/admin/edit_tag.html", {"tag": tag, "form": form})


@require_http_methods(["GET", "POST"])
def merge(request):
    """Confirm which of the selected tags to keep, then merge the others into it."""
    _require_programme_admin(request)
    data = request.POST if request.method == "POST" else request.GET
    tags = list(
        tags_with_usage(Tag.objects.filter(pk__in=data.getlist("tags"))).order_by("-uses", "name")
    )
    if len(tags) < 2:
        messages.error(request, _("Select at least two tags to merge."))
        return redirect("profiles_vocabulary")
    if request.method == "POST" and "keep" in request.POST:
        target = next((t for t in tags if str(t.pk) == request.POST["keep"]), None)
        if target is None:
            messages.error(request, _("Choose the tag to keep."))
        else:
            result = merge_tags(target, [t for t in tags if t.pk != target.pk])
            messages.success(
                request,
                _("Merged into “%(target)s”: %(names)s (%(moved)s uses moved).")
                % {
                    "names": ", ".join(result.merged_names),
                    "target": target.name,
                    "moved": result.moved,
                },
            )
            return redirect("profiles_vocabulary")
    return TemplateResponse(request, "profiles/admin/merge_tags.html", {"tags": tags})


@require_http_methods(["GET"])
def stale_profiles_report(request):
    """Profiles not confirmed for twelve months, counted by bureau and listed."""
    _require_programme_admin(request)
    bureau = request.GET.get("bureau", "")
    stale = (
        stale_profiles().select_related("bureau").annotate(last_reminded=Max("reminders__sent_at"))
    )
    if bureau:
        stale = stale.filter(bureau__name_ja=bureau) if bureau != "—" else stale.filter(bureau=None)
    page = Paginator(stale.order_by("last_confirmed", "pk"), TAGS_PER_PAGE).get_page(
        request.GET.get("p")
    )
    return TemplateResponse(
        request,
        "profiles/admin/stale_profiles.html",
        {"bureaus": freshness_by_bureau(), "profiles": page, "bureau": bureau},
    )
