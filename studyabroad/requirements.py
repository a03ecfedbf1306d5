"""Language and eligibility checks, each with a plain sentence of what is met or missing
("IELTS 6.0 < 6.5 required"). Programmes accept any one of the tests they list."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from profiles.vocabularies import cefr_rank


@dataclass
class Scores:
    """A member's English scores: from an application, or read off their profile."""

    ielts: Decimal | None = None
    toefl: Decimal | None = None
    cefr: str = ""

    @classmethod
    def from_profile(cls, profile, language: str = "en") -> "Scores":
        scores = cls()
        for item in profile.languages.all():
            if item.language != language:
                continue
            if item.test_name == "IELTS" and item.score is not None:
                scores.ielts = max(scores.ielts or 0, item.score)
            if item.test_name == "TOEFL iBT" and item.score is not None:
                scores.toefl = max(scores.toefl or 0, item.score)
            if cefr_rank(item.level) > cefr_rank(scores.cefr):
                scores.cefr = item.level
        return scores


@dataclass
class Check:
    met: bool
    text: str


@dataclass
class CheckList:
    """Whether the requirements are met, with every check for the reasons and the gaps."""

    checks: list[Check] = field(default_factory=list)
    all_required: bool = True  # False: any one check is enough (language tests)

    @property
    def met(self) -> bool:
        if not self.checks:
            return True
        results = [check.met for check in self.checks]
        return all(results) if self.all_required else any(results)

    @property
    def meets(self) -> list[str]:
        return [check.text for check in self.checks if check.met]

    @property
    def gaps(self) -> list[str]:
        return [] if self.met else [check.text for check in self.checks if not check.met]


def _score_text(value) -> str:
    return f"{Decimal(value).normalize():f}"


def _minimum_check(test: str, score, minimum) -> Check:
    values = {"test": test, "minimum": _score_text(minimum)}
    if score is None:
        return Check(False, _("no %(test)s score (%(minimum)s required)") % values)
    values["score"] = _score_text(score)
    if Decimal(score) >= Decimal(minimum):
        return Check(True, _("%(test)s %(score)s ≥ %(minimum)s") % values)
    return Check(False, _("%(test)s %(score)s < %(minimum)s required") % values)


def language_checks(
    scores: Scores, ielts_min=None, toefl_min=None, cefr_min: str = ""
) -> CheckList:
    """The language requirement (IELTS, TOEFL iBT, CEFR — any one of those listed)."""
    checks = []
    if ielts_min is not None:
        checks.append(_minimum_check("IELTS", scores.ielts, ielts_min))
    if toefl_min is not None:
        checks.append(_minimum_check("TOEFL iBT", scores.toefl, toefl_min))
    if cefr_min:
        values = {"level": scores.cefr, "minimum": cefr_min}
        if not scores.cefr:
            checks.append(Check(False, _("no CEFR level (%(minimum)s required)") % values))
        elif cefr_rank(scores.cefr) >= cefr_rank(cefr_min):
            checks.append(Check(True, _("CEFR %(level)s ≥ %(minimum)s") % values))
        else:
            checks.append(Check(False, _("CEFR %(level)s < %(minimum)s required") % values))
    return CheckList(checks, all_required=False)


@dataclass
class Requirements:
    """Several requirements that must all be met (years of service and language, say)."""

    parts: list[CheckList] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(part.met for part in self.parts)

    @property
    def meets(self) -> list[str]:
        return [text for part in self.parts for text in part.meets]

    @property
    def gaps(self) -> list[str]:
        return [text for part in self.parts for text in part.gaps]


def years_of_service_check(years: int | None, minimum: int | None) -> CheckList:
    if minimum is None:
        return CheckList()
    values = {"years": years, "minimum": minimum}
    if years is None:
        return CheckList(
            [Check(False, _("years of service not listed (%(minimum)s required)") % values)]
        )
    if years >= minimum:
        return CheckList([Check(True, _("%(years)s years of service ≥ %(minimum)s") % values)])
    return CheckList(
        [Check(False, _("%(years)s years of service < %(minimum)s required") % values)]
    )
