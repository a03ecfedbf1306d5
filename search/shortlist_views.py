"""Managers' shortlists: add members from expert search and project matching, keep notes,
share with other managers, download as CSV. A list nobody shared with you does not exist
for you (404)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profiles.exports import csv_response, member_columns, member_row, profiles_for_export
from profiles.models import ProfilePage
from profiles.roles import is_manager_or_programme_admin
from talenthub.ids import parse_row_id

from .models import Shortlist, ShortlistEntry


class ShortlistForm(forms.ModelForm):
    class Meta:
        model = Shortlist
        fields = ["name", "shared"]


def _require_manager(request: HttpRequest) -> None:
    if not is_manager_or_programme_admin(request.user):
        raise PermissionDenied


def readable_shortlists(user):
    """The user's own shortlists and those other managers shared."""
    return Shortlist.objects.filter(Q(owner=user) | Q(shared=True))


def own_shortlists(user):
    return Shortlist.objects.filter(owner=user)


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if target and safe else fallback


def shortlist_index(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = ShortlistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        shortlist = form.save(commit=False)
        shortlist.owner = request.user
        try:
            with transaction.atomic():
                shortlist.save()
        except IntegrityError:
            form.add_error("name", _("You already have a shortlist with this name."))
        else:
            return redirect("shortlist_detail", shortlist.pk)
    lists = (
        readable_shortlists(request.user).annotate(size=Count("entries")).select_related("owner")
    )
    return TemplateResponse(
        request,
        "search/shortlists.html",
        {
            "mine": [s for s in lists if s.owner_id == request.user.pk],
            "shared": [s for s in lists if s.owner_id != request.user.pk],
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def shortlist_detail(request: HttpRequest, shortlist_id: int) -> HttpResponse:
    _require_manager(request)
    shortlist = get_object_or_404(readable_shortlists(request.user), pk=shortlist_id)
    is_owner = shortlist.owner_id == request.user.pk
    if request.method == "POST":
        if not is_owner:
            raise Http404
        _update_entry(request, shortlist)
        return redirect("shortlist_detail", shortlist.pk)
    entries = shortlist.entries.select_related(
        "profile__photo", "profile__bureau"
    ).prefetch_related("profile__tags")
    return TemplateResponse(
        request,
        "search/shortlist_detail.html",
        {"shortlist": shortlist, "entries": entries, "is_owner": is_owner},
    )


def _update_entry(request: HttpRequest, shortlist: Shortlist) -> None:
    """Save an entry's note or remove the entry, as the owner's form asks."""
    entry_id = parse_row_id(request.POST.get("entry"))
    entry = shortlist.entries.filter(pk=entry_id).first() if entry_id else None
    if entry is None:  # removed in another tab, or a form value that is no entry at all
        messages.error(request, _("That member is no longer on this shortlist."))
    elif request.POST.get("action") == "remove":
        entry.delete()
        messages.success(request, _("Removed from the shortlist."))
    else:
        entry.note = request.POST.get("note", "")[:2000]
        entry.save(update_fields=["note"])
        messages.success(request, _("Note saved."))


@require_POST
def add_to_shortlist(request: HttpRequest) -> HttpResponse:
    """Add a member (by staff number) to one of my shortlists, or to a new one by name."""
    _require_manager(request)
    profile = get_object_or_404(ProfilePage.objects.live(), external_id=request.POST.get("member"))
    name = request.POST.get("new_name", "").strip()[:120]
    if name:
        shortlist, _created = Shortlist.objects.get_or_create(owner=request.user, name=name)
    else:
        shortlist_id = parse_row_id(request.POST.get("shortlist"))
        if shortlist_id is None:  # no list chosen (a manager without lists yet) nor named
            messages.error(request, _("Choose one of your shortlists or name a new one."))
            return redirect(_back(request, reverse("shortlists")))
        shortlist = get_object_or_404(own_shortlists(request.user), pk=shortlist_id)
    _entry, created = ShortlistEntry.objects.get_or_create(shortlist=shortlist, profile=profile)
    shortlist.save(update_fields=["updated_at"])
    values = {"member": profile.display_name, "list": shortlist.name}
    if created:
        messages.success(request, _("Added %(member)s to “%(list)s”.") % values)
    else:
        messages.info(request, _("%(member)s is already on “%(list)s”.") % values)
    return redirect(_back(request, shortlist.get_absolute_url()))


def shortlist_csv(request: HttpRequest, shortlist_id: int) -> HttpResponse:
    """A shortlist as CSV for Excel (UTF-8 with BOM), with each member's note."""
    _require_manager(request)
    shortlist = get_object_or_404(readable_shortlists(request.user), pk=shortlist_id)
    entries = {entry.profile_id: entry for entry in shortlist.entries.all()}
    profiles = profiles_for_export(ProfilePage.objects.filter(pk__in=list(entries)))
    rows = [
        [*member_row(profile, request.user), entries[profile.pk].note]
        for profile in sorted(profiles, key=lambda p: entries[p.pk].added_at)
    ]
    return csv_response(f"shortlist-{shortlist.pk}.csv", [*member_columns(), _("Note")], rows)
