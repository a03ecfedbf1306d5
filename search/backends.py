"""Pick the matching implementation from settings: OpenSearch when SEARCH_URL is set."""

import logging
import time

from django.conf import settings
from django.utils.translation import gettext as _

from .database_matching import DatabaseMatcher
from .matching import MatchQuery, MatchResponse

logger = logging.getLogger(__name__)


def matcher_for(name: str):
    """The Matcher of that name ("database", or "opensearch" when SEARCH_URL is set)."""
    if name == DatabaseMatcher.name:
        return DatabaseMatcher()
    engine = get_engine_index()
    if engine is None or name != engine.name:
        raise ValueError(f"no {name!r} matcher here")
    return engine


def get_engine_index():
    """The OpenSearch member index, or None on the embedded default."""
    if not settings.SEARCH_URL:
        return None
    from .engine import OpenSearchMemberIndex

    return OpenSearchMemberIndex.from_settings()


def match_members_to_project(query: MatchQuery) -> MatchResponse:
    """Rank members for a project on the engine, falling back to the database if it fails."""
    started = time.perf_counter()
    engine = get_engine_index()
    notice = ""
    if engine is not None:
        try:
            results = engine.match(query)
            return MatchResponse(results, engine.name, _elapsed_ms(started))
        except Exception:
            logger.warning("OpenSearch matching failed; answering from the database", exc_info=True)
            notice = _(
                "The search engine is not answering; these results come from the database "
                "and may be less precise."
            )
    results = DatabaseMatcher().match(query)
    return MatchResponse(results, "database", _elapsed_ms(started), notice)


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
