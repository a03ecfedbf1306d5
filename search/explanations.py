"""Plain reasons for a match: which tag, which field, which language level."""

from django.utils.translation import gettext as _

from profiles.vocabularies import language_name

from .evidence import BRUSHING, LEADING
from .matching import LanguageRequirement

MAX_EVIDENCE_REASONS = 4


def field_reason(field_name: str, words: str) -> str:
    templates = {
        "tags": _("expertise tag “%(words)s”"),
        "bio": _("biography mentions “%(words)s”"),
        "records": _("exchange record mentions “%(words)s”"),
        "experience": _("overseas experience mentions “%(words)s”"),
        "reports": _("report mentions “%(words)s”"),
        "text": _("profile text mentions “%(words)s”"),
    }
    return templates[field_name] % {"words": words}


def with_age(reason: str, as_of: dict | None) -> str:
    """“expertise tag “橋梁” (confirmed 2026-04)”: how old the evidence behind a reason is."""
    if not as_of:
        return reason
    if as_of["kind"] == "confirmed":
        return _("%(reason)s (confirmed %(month)s)") % {"reason": reason, "month": as_of["month"]}
    return _("%(reason)s (updated %(month)s)") % {"reason": reason, "month": as_of["month"]}


def with_role(reason: str, role: str) -> str:
    """How strong the evidence is: "…, leading role" (led, principal, 主担当) or "…, brief
    exposure only" (a training course, support work, a visit)."""
    if role == LEADING:
        return _("%(reason)s, leading role") % {"reason": reason}
    if role == BRUSHING:
        return _("%(reason)s, brief exposure only") % {"reason": reason}
    return reason


def report_reason(report_label: str, words: str) -> str:
    """“report: 下水道管きょ更生調査 (2024, NL) — “管きょ更生””."""
    return _("report: %(report)s — “%(words)s”") % {"report": report_label, "words": words}


def evidence_reasons(
    matched: list[tuple[str, str, float]],
    surfaces: dict,
    as_of: dict | None = None,
    report_labels: dict | None = None,
    roles: dict | None = None,
) -> list[str]:
    """Reasons from matched (field, concept, contribution) triples, strongest first.

    `surfaces` holds, per field, the words the member used for each concept, so a reason
    quotes the member's own words (a Japanese query may match “bridge repair”).
    """
    reasons: list[str] = []
    quoted: dict[str, list[str]] = {}
    for field_name, concept, _weight in sorted(matched, key=lambda m: -m[2]):
        words = surfaces.get(field_name, {}).get(concept)
        already = quoted.setdefault(field_name, [])
        # "bridge" adds nothing after "bridge seismic retrofit" from the same field.
        if not words or any(words.lower() in other.lower() for other in already):
            continue
        already.append(words)
        label = (report_labels or {}).get(concept) if field_name == "reports" else None
        role = (roles or {}).get(field_name, {}).get(concept, "")
        if label:
            reasons.append(with_role(report_reason(label, words), role))  # dated by its year
        else:
            reasons.append(with_age(with_role(field_reason(field_name, words), role), as_of))
        if len(reasons) == MAX_EVIDENCE_REASONS:
            break
    return reasons


def language_reason(languages: dict, requirement: LanguageRequirement | None) -> str | None:
    if requirement is None:
        return None
    entry = languages.get(requirement.language)
    language = language_name(requirement.language)
    if not entry:
        return _("no %(language)s level listed (%(required)s required)") % {
            "language": language,
            "required": requirement.min_level,
        }
    values = {"language": language, "level": entry["level"], "required": requirement.min_level}
    if entry.get("rank", 0) >= requirement.min_rank:
        return _("%(language)s %(level)s meets %(required)s") % values
    return _("%(language)s %(level)s is below the required %(required)s") % values
