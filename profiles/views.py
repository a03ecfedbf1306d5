"""Members directory, tag listings, tag autocomplete and front-end profile editing."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.static import serve as static_serve

from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.images.models import Rendition
from wagtail.models import Page

from talenthub import clock
from talenthub.ids import parse_row_id

from .forms import ProfileForm
from .models import Bureau, JobCategory, ProfileIndexPage, ProfilePage, provisional_staff_number
from .privacy import can_see
from .tag_vocabulary import suggest

MEMBERS_PER_PAGE = 24


def live_profiles(index_page: ProfileIndexPage):
    """Published profiles under the directory, with what a member card needs in one query."""
    return (
        ProfilePage.objects.child_of(index_page)
        .live()
        .select_related("bureau", "job_category", "photo")
        .prefetch_related("tags")
        .order_by("name_ja", "pk")
    )


def paginate(request: HttpRequest, items, per_page: int = MEMBERS_PER_PAGE):
    """The requested page of items; a bad or out-of-range page number gives the nearest page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def directory_context(request: HttpRequest, index_page: ProfileIndexPage) -> dict:
    """Members filtered by bureau, job category and tag, one page at a time."""
    members = live_profiles(index_page)
    bureau_id = parse_row_id(request.GET.get("bureau"))
    job_category_id = parse_row_id(request.GET.get("job_category"))
    tag_slug = request.GET.get("tag", "").strip()
    if bureau_id:
        members = members.filter(bureau_id=bureau_id)
    if job_category_id:
        members = members.filter(job_category_id=job_category_id)
    if tag_slug:
        members = members.filter(tags__slug=tag_slug)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "members": paginate(request, members.distinct()),
        "bureaus": Bureau.objects.all(),
        "job_categories": JobCategory.objects.all(),
        "selected_bureau": bureau_id,
        "selected_job_category": job_category_id,
        "selected_tag": tag_slug,
        "filter_query": query.urlencode(),
    }


def tag_listing(request: HttpRequest, index_page: ProfileIndexPage, tag_slug: str) -> HttpResponse:
    """Every member with one expertise tag."""
    tag = get_object_or_404(Tag, slug=tag_slug)
    members = live_profiles(index_page).filter(tags=tag).distinct()
    return TemplateResponse(
        request,
        "profiles/tag_listing.html",
        {"page": index_page, "tag": tag, "members": paginate(request, members)},
    )


def tag_autocomplete(request: HttpRequest) -> JsonResponse:
    """Tags whose name or Japanese / English label contains the typed text, most used first."""
    suggestions = suggest(request.GET.get("q", "")[:100])
    return JsonResponse(
        {
            "tags": [s.name for s in suggestions],
            "suggestions": [{"name": s.name, "label": s.label} for s in suggestions],
        }
    )


@login_required
def edit_my_profile(request: HttpRequest, index_page: ProfileIndexPage) -> HttpResponse:
    """The signed-in member's own profile form; the first visit creates the profile."""
    profile = ProfilePage.objects.filter(user=request.user).first()
    if profile is None:
        return _create_profile(request, index_page)
    return _edit(request, index_page, profile.specific)


@login_required
def edit_profile(request: HttpRequest, index_page: ProfileIndexPage, page_id: int) -> HttpResponse:
    """Edit a profile by id: allowed for its own member only, 403 for anyone else."""
    profile = ProfilePage.objects.child_of(index_page).filter(pk=page_id).first()
    if profile is None:
        raise Http404
    if not profile.can_edit(request.user):
        raise PermissionDenied
    return _edit(request, index_page, profile)


def _edit(request: HttpRequest, index_page: ProfileIndexPage, profile: ProfilePage):
    if not profile.can_edit(request.user):
        raise PermissionDenied
    page_id = profile.pk
    # Edit the latest revision so a draft saved in the admin is not silently discarded.
    profile = profile.get_latest_revision_as_object()
    form = ProfileForm(
        request.POST or None,
        request.FILES or None,
        instance=profile,
        initial={"base_revision": profile.latest_revision_id or 0},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Locked so two tabs saving at once cannot both pass the check.
            latest_revision_id = _locked_latest_revision_id(page_id)
            if form.is_based_on_older_revision(latest_revision_id):
                return _render_stale_edit(request, index_page, form, page_id, latest_revision_id)
            publish_profile_from_form(form, request.user)
        messages.success(request, _("Your profile has been saved."))
        return redirect(profile.url)
    return _render_form(request, index_page, form, profile)


def _locked_latest_revision_id(page_id: int) -> int:
    """The profile's latest revision id as stored now (0 when it has none), its row locked
    until the transaction ends."""
    pages = Page.objects.filter(pk=page_id).select_for_update()
    return pages.values_list("latest_revision_id", flat=True).get() or 0


def _render_stale_edit(request, index_page, form, page_id, latest_revision_id):
    """Someone saved the profile after this form was loaded: nothing is saved; the member
    sees both versions, keeps what they typed, and saving again keeps their version."""
    saved = ProfilePage.objects.get(pk=page_id).get_latest_revision_as_object()
    differences = form.differences_from(saved)
    data = request.POST.copy()
    data["base_revision"] = str(latest_revision_id)
    resubmit_form = ProfileForm(data, instance=saved)
    return _render_form(
        request,
        index_page,
        resubmit_form,
        saved,
        status=409,
        extra_context={"stale_edit": True, "differences": differences},
    )


def _create_profile(request: HttpRequest, index_page: ProfileIndexPage):
    form = ProfileForm(request.POST or None, request.FILES or None, instance=ProfilePage())
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            profile = form.save(commit=False)
            profile.user = request.user
            profile.owner = request.user
            # Staff numbers come from the import or SSO only; until then a key of our own.
            profile.external_id = profile.slug = provisional_staff_number(request.user)
            profile.live = False
            index_page.add_child(instance=profile)
            publish_profile_from_form(form, request.user, profile)
        messages.success(request, _("Your profile has been created."))
        return redirect(profile.url)
    return _render_form(request, index_page, form, None)


def publish_profile_from_form(form: ProfileForm, user, profile: ProfilePage | None = None) -> None:
    """Save the form as a new revision and publish it, the way the Wagtail editor does."""
    with transaction.atomic():
        profile = profile or form.save(commit=False)
        replaced_photo = form.save_photo(profile, user)
        profile.confirmed_at = clock.today()
        revision = profile.save_revision(user=user, log_action=True)
        # The caller has already checked ownership; members hold no Wagtail page permissions.
        revision.publish(user=user, skip_permission_checks=True)
        if replaced_photo and not ProfilePage.objects.filter(photo=replaced_photo).exists():
            # A removed photo is not kept: its file and renditions go with it (Wagtail deletes
            # them after commit), so an old URL stops working.
            replaced_photo.delete()


def _render_form(request, index_page, form, profile, status=None, extra_context=None):
    return TemplateResponse(
        request,
        "profiles/profile_form.html",
        {"page": index_page, "form": form, "profile": profile, **(extra_context or {})},
        status=status or (400 if request.method == "POST" else 200),
    )


@login_required
@require_POST
def confirm_my_profile(request: HttpRequest) -> HttpResponse:
    """One click: the member says their profile is still current (a new published revision)."""
    profile = ProfilePage.objects.filter(user=request.user).first()
    if profile is None:
        raise Http404
    profile = profile.get_latest_revision_as_object()
    profile.confirmed_at = clock.today()
    profile.save_revision(user=request.user, log_action=True).publish(
        user=request.user, skip_permission_checks=True
    )
    messages.success(request, _("Thank you: your profile is confirmed as current."))
    return redirect(profile.url)


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """A file under MEDIA_ROOT for a signed-in member; a profile photo (its original or any
    rendition) only to those its member lets see it, and 404 to everyone else."""
    image_ids = set(get_image_model().objects.filter(file=path).values_list("pk", flat=True)) | set(
        Rendition.objects.filter(file=path).values_list("image_id", flat=True)
    )
    if image_ids:
        owners = ProfilePage.objects.filter(photo_id__in=image_ids)
        if owners and not any(can_see(owner, "photo", request.user) for owner in owners):
            raise Http404
    response = static_serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "private"
    return response
