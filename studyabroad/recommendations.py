"""Two-way recommendations for the dispatch programme, each with what is met and what is
missing: ranked candidates for a destination, and destinations for a member."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from profiles.models import ProfilePage
from profiles.privacy import STAFF_AUDIENCE, Visibility
from search.backends import match_members_to_project
from search.glossary import get_glossary
from search.matching import MatchQuery
from search.models import MemberEvidence
from talenthub import clock

from .models import DispatchApplication, DispatchProgrammePage, StudyDestinationPage
from .requirements import Requirements, Scores, language_checks, years_of_service_check

# How much each kind of evidence counts towards a candidate's fit (they add up to 1).
# Expertise is relative to the best-matching member, so it must not outweigh having applied
# with this destination as a preference: the programme dispatches applicants.
EXPERTISE_SHARE = 0.4
INTEREST_SHARE = 0.4
LANGUAGE_SHARE = 0.2


@dataclass
class Candidate:
    profile: ProfilePage
    fit: float
    reasons: list[str]
    requirements: Requirements
    application: DispatchApplication | None = None
    prefers_this: bool = False
    shortlisted: bool = False


def member_scores(profile: ProfilePage, application: DispatchApplication | None) -> Scores:
    """Scores the member gave the programme, or else their profile's (unless kept private)."""
    if application is not None:
        return application.scores
    if profile.visibility_languages == Visibility.PRIVATE:
        return Scores()
    return Scores.from_profile(profile)


def destination_terms(destination: StudyDestinationPage) -> tuple[str, list[str]]:
    fields = [tag.name for tag in destination.fields_of_study.all()]
    return " ".join([destination.programme_name, *fields]), fields


def candidates_for_destination(
    programme: DispatchProgrammePage, destination: StudyDestinationPage, limit: int = 50
) -> list[Candidate]:
    """Applicants and members interested in the programme, best fit first."""
    applications = {
        application.profile_id: application
        for application in programme.applications.filter(
            status=DispatchApplication.Status.SUBMITTED
        ).prefetch_related("preferred_destinations", "shortlisted_for", "preferred_fields")
    }
    text, fields = destination_terms(destination)
    matched = match_members_to_project(
        MatchQuery(text=text, tags=fields, limit=500, audience=STAFF_AUDIENCE)
    ).results
    expertise = {result.external_id: result for result in matched}
    best = max((result.score for result in matched), default=0) or 1.0
    profiles = (
        ProfilePage.objects.live()
        .filter(Q(pk__in=list(applications)) | Q(interested_in_dispatch=True))
        .prefetch_related("languages")
    )
    candidates = []
    for profile in profiles:
        application = applications.get(profile.pk)
        match = expertise.get(profile.external_id)
        prefers = bool(application) and destination in application.preferred_destinations.all()
        interest = 1.0 if prefers else 0.5 if application else 0.2
        requirements = Requirements(
            [
                language_checks(
                    member_scores(profile, application),
                    destination.ielts_min,
                    destination.toefl_min,
                    destination.cefr_min,
                ),
                years_of_service_check(profile.years_of_service, programme.min_years_of_service),
            ]
        )
        fit = (
            EXPERTISE_SHARE * ((match.score / best) if match else 0.0)
            + INTEREST_SHARE * interest
            + LANGUAGE_SHARE * (1.0 if requirements.parts[0].met else 0.0)
        )
        reasons = list(match.reasons) if match else []
        if prefers:
            reasons.insert(0, _("applied with this destination as a preference"))
        elif application:
            reasons.insert(0, _("applied to the programme"))
        else:
            reasons.insert(0, _("interested in the programme (profile)"))
        candidates.append(
            Candidate(
                profile=profile,
                fit=round(fit, 3),
                reasons=reasons,
                requirements=requirements,
                application=application,
                prefers_this=prefers,
                shortlisted=bool(application) and destination in application.shortlisted_for.all(),
            )
        )
    candidates.sort(key=lambda c: (-c.fit, c.profile.external_id))
    return candidates[:limit]


@dataclass
class DestinationFit:
    destination: StudyDestinationPage
    fit: float
    reasons: list[str]
    requirements: Requirements
    next_deadline: object = None
    gaps: list[str] = field(default_factory=list)


def destinations_for_member(
    programme: DispatchProgrammePage,
    profile: ProfilePage,
    application: DispatchApplication | None = None,
    limit: int = 8,
) -> list[DestinationFit]:
    """Destinations that fit the member's expertise (and stated preferences), each with the
    gaps to close before its next deadline."""
    glossary = get_glossary()
    evidence = MemberEvidence.objects.filter(profile=profile).first()
    member_concepts = evidence.evidence.counted_concepts if evidence else set()
    wanted: set[str] = set()
    preferred: set[int] = set()
    if application is not None:
        for tag in application.preferred_fields.all():
            wanted |= set(glossary.concept_counts(tag.name))
        preferred = {d.pk for d in application.preferred_destinations.all()}
    # The member's own recommendations: their scores, even those they keep private from others.
    scores = application.scores if application is not None else Scores.from_profile(profile)
    today = clock.today()
    results = []
    destinations = StudyDestinationPage.objects.live().prefetch_related(
        "fields_of_study", "deadlines"
    )
    for destination in destinations:
        text, _fields = destination_terms(destination)
        concepts = set(glossary.concept_counts(text))
        shared = concepts & (member_concepts | wanted)
        fit = (len(shared) / len(concepts) if concepts else 0.0) + (
            0.5 if destination.pk in preferred else 0.0
        )
        if fit <= 0:
            continue
        reasons = (
            [
                _("your expertise: %(concepts)s")
                % {"concepts": ", ".join(glossary.concepts[c].label for c in sorted(shared))}
            ]
            if shared
            else []
        )
        if destination.pk in preferred:
            reasons.insert(0, _("one of your preferred destinations"))
        requirements = Requirements(
            [
                language_checks(
                    scores, destination.ielts_min, destination.toefl_min, destination.cefr_min
                ),
                years_of_service_check(profile.years_of_service, programme.min_years_of_service),
            ]
        )
        upcoming = sorted(d.date for d in destination.deadlines.all() if d.date >= today)
        gaps = list(requirements.gaps)
        if not upcoming:
            gaps.append(_("no upcoming application deadline"))
        results.append(
            DestinationFit(
                destination=destination,
                fit=round(fit, 3),
                reasons=reasons,
                requirements=requirements,
                next_deadline=upcoming[0] if upcoming else None,
                gaps=gaps,
            )
        )
    results.sort(key=lambda r: (-r.fit, r.next_deadline or today.replace(year=today.year + 10)))
    return results[:limit]
