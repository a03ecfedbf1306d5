"""The expertise vocabulary in the Wagtail admin: labels, synonyms, usage and merging."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from taggit.models import Tag
from wagtail.admin import messages

from .freshness import freshness_by_bureau, stale_profiles
from .models import ProfilePage, SynonymProposal, TagCuration
from .privacy import can_see
from .roles import is_programme_admin
from .synonym_proposals import accept_proposal, refresh_proposals, reject_proposal, snippet
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


def _filter_query(kind: str = "", status: str = "") -> str:
    query = QueryDict(mutable=True)
    query.update({name: value for name, value in (("kind", kind), ("status", status)) if value})
    return query.urlencode()


def _proposals_url(kind: str = "", status: str = "") -> str:
    query = _filter_query(kind, status)
    return reverse("profiles_synonym_proposals") + (f"?{query}" if query else "")


def _with_evidence(proposals, user) -> None:
    """Each proposal's example profiles, with the biography words around the form (only from
    biographies this user may see)."""
    ids = {pk for proposal in proposals for pk in proposal.evidence}
    profiles = ProfilePage.objects.filter(pk__in=ids).only(
        "pk", "title", "user", "bio_ja", "bio_en", "visibility_bio"
    )
    by_id = {profile.pk: profile for profile in profiles}
    for proposal in proposals:
        proposal.examples = []
        for pk in proposal.evidence:
            profile = by_id.get(pk)
            if profile is None:
                continue
            words = ""
            if proposal.kind != SynonymProposal.Kind.COMPOUND and can_see(profile, "bio", user):
                words = snippet(profile.bio_ja, proposal.form) or snippet(
                    profile.bio_en, proposal.form
                )
            proposal.examples.append({"profile": profile, "snippet": words})


@require_http_methods(["GET"])
def synonym_proposals(request):
    """Synonym candidates mined from the members' data, best first, to accept or reject."""
    _require_programme_admin(request)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", SynonymProposal.Status.PROPOSED)
    proposals = SynonymProposal.objects.select_related("tag", "decided_by").order_by("-score", "pk")
    if kind in SynonymProposal.Kind.values:
        proposals = proposals.filter(kind=kind)
    if status in SynonymProposal.Status.values:
        proposals = proposals.filter(status=status)
    page = Paginator(proposals, TAGS_PER_PAGE).get_page(request.GET.get("p"))
    _with_evidence(page.object_list, request.user)
    return TemplateResponse(
        request,
        "profiles/admin/synonym_proposals.html",
        {
            "proposals": page,
            "kind": kind,
            "status": status,
            "kinds": SynonymProposal.Kind.choices,
            "statuses": SynonymProposal.Status.choices,
            "filter_query": _filter_query(kind, status),
        },
    )


@require_http_methods(["POST"])
def decide_synonym_proposal(request, proposal_id: int):
    """Accept (the form becomes an alias of the tag) or reject (never proposed again)."""
    _require_programme_admin(request)
    proposal = get_object_or_404(SynonymProposal.objects.select_related("tag"), pk=proposal_id)
    names = {"form": proposal.form, "tag": proposal.tag.name}
    action = request.POST.get("action")
    if action in ("accept", "accept_alias"):
        as_alias = True if action == "accept_alias" else None
        decision = accept_proposal(proposal.pk, request.user, as_alias=as_alias)
        if decision.alias_added:
            messages.success(
                request,
                _("“%(form)s” is now a synonym of “%(tag)s”; matching uses it from now on.")
                % names,
            )
        elif decision.changed and (as_alias or proposal.kind != SynonymProposal.Kind.COMPOUND):
            messages.success(request, _("“%(form)s” was already a synonym of “%(tag)s”.") % names)
        elif decision.changed:
            messages.success(request, _("Noted: “%(form)s” is a kind of “%(tag)s”.") % names)
        else:
            messages.info(request, _("“%(form)s” was already accepted for “%(tag)s”.") % names)
    elif action == "reject":
        decision = reject_proposal(proposal.pk, request.user)
        if decision.changed:
            messages.success(
                request,
                _("Rejected “%(form)s” for “%(tag)s”; it will not be proposed again.") % names,
            )
        else:
            messages.info(
                request, _("“%(form)s” for “%(tag)s” was already decided; nothing changed.") % names
            )
    else:
        messages.error(request, _("Choose accept or reject."))
    return redirect(_proposals_url(request.POST.get("kind", ""), request.POST.get("status", "")))


@require_http_methods(["POST"])
def refresh_synonym_proposals(request):
    """Mine the members' data again; decisions already taken stay."""
    _require_programme_admin(request)
    result = refresh_proposals()
    messages.success(
        request,
        _(
            "Synonym proposals refreshed: %(found)s found, %(new)s new, %(removed)s no longer "
            "supported; %(kept)s decisions kept."
        )
        % {
            "found": result.found,
            "new": result.new,
            "removed": result.removed,
            "kept": result.kept,
        },
    )
    return redirect(_proposals_url())
