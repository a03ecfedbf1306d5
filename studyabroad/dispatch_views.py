"""The dispatch programme page: applying, editing and withdrawing within the window, the
member's recommended destinations, and candidates per destination for programme admins."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taggit.forms import TagWidget

from profiles.exports import csv_response, member_columns, member_row, profiles_for_export
from profiles.models import ProfilePage
from profiles.roles import is_manager_or_programme_admin, is_programme_admin
from talenthub import clock
from talenthub.ids import parse_row_id

from .models import DispatchApplication, DispatchProgrammePage, StudyDestinationPage
from .recommendations import candidates_for_destination, destinations_for_member
from .requirements import Scores


class RowIdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Model choices by id, where an id the database cannot hold is an invalid choice (it would
    otherwise overflow the query)."""

    def clean(self, value):
        for pk in value if isinstance(value, (list, tuple)) else ():
            if parse_row_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class ApplicationForm(forms.ModelForm):
    preferred_destinations = RowIdMultipleChoiceField(
        label=gettext_lazy("Preferred destinations"),
        queryset=StudyDestinationPage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = DispatchApplication
        fields = [
            "preferred_destinations",
            "preferred_fields",
            "statement",
            "ielts_score",
            "toefl_score",
            "cefr_level",
        ]
        widgets = {
            "preferred_fields": TagWidget(
                attrs={"data-tag-autocomplete": "", "autocomplete": "off"}
            ),
            "statement": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "preferred_destinations"
        ].queryset = StudyDestinationPage.objects.live().order_by("university_en")


def _my_profile(request) -> ProfilePage | None:
    if not request.user.is_authenticated:
        return None
    return ProfilePage.objects.filter(user=request.user).prefetch_related("languages").first()


def _initial_scores(scores: Scores) -> dict:
    """The application form starts from the scores on the member's profile."""
    toefl = int(scores.toefl) if scores.toefl is not None else None  # scored in whole points
    return {"ielts_score": scores.ielts, "toefl_score": toefl, "cefr_level": scores.cefr}


def programme_context(request: HttpRequest, programme: DispatchProgrammePage, form=None) -> dict:
    profile = _my_profile(request)
    application = (
        DispatchApplication.objects.filter(programme=programme, profile=profile).first()
        if profile
        else None
    )
    context = {
        "profile": profile,
        "application": application,
        "window_open": programme.window_is_open(),
        "now": clock.now(),
    }
    if profile is not None:
        scores = application.scores if application else Scores.from_profile(profile)
        context["eligibility"] = programme.eligibility(profile, scores)
        context["recommended"] = destinations_for_member(programme, profile, application)
        if form is None and context["window_open"]:
            form = ApplicationForm(
                instance=application,
                initial=None if application else _initial_scores(scores),
            )
    context["form"] = form
    if is_manager_or_programme_admin(request.user):
        submitted = programme.applications.filter(status=DispatchApplication.Status.SUBMITTED)
        context["applicant_count"] = submitted.count()
        context["destinations"] = StudyDestinationPage.objects.live().order_by("university_en")
    return context


def _closed_response(request, programme) -> HttpResponse:
    messages.error(
        request,
        _("The application window closed on %(date)s; applications can no longer be changed.")
        % {
            "date": date_format(timezone.localtime(programme.application_closes), "DATETIME_FORMAT")
        },
    )
    context = {"page": programme, **programme_context(request, programme)}
    return TemplateResponse(request, programme.get_template(request), context, status=403)


def apply(request: HttpRequest, programme: DispatchProgrammePage) -> HttpResponse:
    """Submit or change an application (POST); GET shows the programme page with the form."""
    if request.method != "POST":
        return redirect(programme.url)
    profile = _my_profile(request)
    if profile is None:
        messages.error(request, _("Create your profile before applying."))
        return redirect(programme.url)
    if not programme.window_is_open():
        return _closed_response(request, programme)
    application = DispatchApplication.objects.filter(programme=programme, profile=profile).first()
    form = ApplicationForm(request.POST, instance=application)
    if form.is_valid():
        scores = Scores(
            form.cleaned_data["ielts_score"],
            form.cleaned_data["toefl_score"],
            form.cleaned_data["cefr_level"],
        )
        eligibility = programme.eligibility(profile, scores)
        if not eligibility.met:
            form.add_error(
                None,
                _("You do not meet the eligibility rules yet: %(gaps)s.")
                % {"gaps": "; ".join(eligibility.gaps)},
            )
    if not form.is_valid():
        context = {"page": programme, **programme_context(request, programme, form=form)}
        return TemplateResponse(request, programme.get_template(request), context, status=400)
    saved = form.save(commit=False)
    saved.programme, saved.profile = programme, profile
    saved.status = DispatchApplication.Status.SUBMITTED
    saved.save()
    form.save_m2m()
    messages.success(
        request,
        _("Your application is saved. You can change or withdraw it until %(date)s.")
        % {
            "date": date_format(timezone.localtime(programme.application_closes), "DATETIME_FORMAT")
        },
    )
    return redirect(programme.url)


def withdraw(request: HttpRequest, programme: DispatchProgrammePage) -> HttpResponse:
    if request.method != "POST":
        return redirect(programme.url)
    profile = _my_profile(request)
    application = get_object_or_404(DispatchApplication, programme=programme, profile=profile)
    if not programme.window_is_open():
        return _closed_response(request, programme)
    application.status = DispatchApplication.Status.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    messages.success(request, _("Your application is withdrawn."))
    return redirect(programme.url)


def _destination(destination_id: int) -> StudyDestinationPage:
    destination = StudyDestinationPage.objects.live().filter(pk=destination_id).first()
    if destination is None:
        raise Http404
    return destination


def destination_candidates(
    request: HttpRequest, programme: DispatchProgrammePage, destination_id: int
) -> HttpResponse:
    """Ranked candidates for one destination; programme admins mark the shortlist here."""
    if not is_manager_or_programme_admin(request.user):
        raise PermissionDenied
    destination = _destination(destination_id)
    if request.method == "POST":
        if not is_programme_admin(request.user):
            raise PermissionDenied
        application = get_object_or_404(
            DispatchApplication,
            programme=programme,
            pk=parse_row_id(request.POST.get("application")),
        )
        if request.POST.get("shortlist") == "1":
            application.shortlisted_for.add(destination)
        else:
            application.shortlisted_for.remove(destination)
        return redirect(request.path)
    return TemplateResponse(
        request,
        "studyabroad/dispatch_candidates.html",
        {
            "page": programme,
            "destination": destination,
            "candidates": candidates_for_destination(programme, destination),
            "can_shortlist": is_programme_admin(request.user),
        },
    )


def shortlist_csv(
    request: HttpRequest, programme: DispatchProgrammePage, destination_id: int
) -> HttpResponse:
    """The shortlist for one destination as CSV (UTF-8 with BOM, for Excel)."""
    if not is_programme_admin(request.user):
        raise PermissionDenied
    destination = _destination(destination_id)
    applications = {
        application.profile_id: application
        for application in programme.applications.filter(
            shortlisted_for=destination, status=DispatchApplication.Status.SUBMITTED
        )
    }
    profiles = profiles_for_export(ProfilePage.objects.filter(pk__in=list(applications)))
    header = [*member_columns(), _("IELTS"), _("TOEFL iBT"), _("CEFR"), _("Statement")]
    rows = [
        [
            *member_row(profile, request.user),
            applications[profile.pk].ielts_score or "",
            applications[profile.pk].toefl_score or "",
            applications[profile.pk].cefr_level,
            applications[profile.pk].statement,
        ]
        for profile in profiles.order_by("external_id")
    ]
    filename = f"shortlist-{programme.fiscal_year}-{destination.destination_key}.csv"
    return csv_response(filename, header, rows)
