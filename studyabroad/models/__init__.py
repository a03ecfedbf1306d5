"""Study abroad: the destination catalogue and the exchange reports staff bring back."""

from .destinations import (
    DEGREE_CHOICES,
    IELTS_RANGE,
    MONTH_CHOICES,
    PARTNERSHIP_CHOICES,
    TOEFL_RANGE,
    ApplicationDeadline,
    DestinationTag,
    StudyDestinationIndexPage,
    StudyDestinationPage,
)
from .dispatch import ApplicationField, DispatchApplication, DispatchProgrammePage
from .reports import (
    ExchangeReportIndexPage,
    ExchangeReportPage,
    ReportParticipant,
    ReportTag,
    TechnicalClassification,
)

__all__ = [
    "DEGREE_CHOICES",
    "IELTS_RANGE",
    "MONTH_CHOICES",
    "PARTNERSHIP_CHOICES",
    "TOEFL_RANGE",
    "ApplicationDeadline",
    "ApplicationField",
    "DestinationTag",
    "DispatchApplication",
    "DispatchProgrammePage",
    "ExchangeReportIndexPage",
    "ExchangeReportPage",
    "ReportParticipant",
    "ReportTag",
    "StudyDestinationIndexPage",
    "StudyDestinationPage",
    "TechnicalClassification",
]
