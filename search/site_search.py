"""Site search on OpenSearch that answers from Wagtail's database backend when the engine fails.

Configured as the "default" Wagtail backend when SEARCH_URL is set, so the site's /search/ and
the Wagtail admin's page search both keep answering while the engine is down or hung. The
database backend is a second entry in WAGTAILSEARCH_BACKENDS: Wagtail indexes every page into
it too, so it has the data to answer with. A document the engine fails to write or delete is
recorded in SiteSearchBacklog, and the periodic reconciliation writes it once the engine is
back (search.reconciliation).
"""

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType

from wagtail.search.backends import get_search_backend
from wagtail.search.backends.opensearch3 import (
    OpenSearch3SearchBackend,
    OpenSearch3SearchResults,
)

from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import TransportError

from .engine import EngineUnavailable, call_with_back_off, describe_error
from .models import SiteSearchBacklog

logger = logging.getLogger(__name__)

# Failures the database can answer for: the engine unreachable, hung, erroring or missing its
# index, or left alone after a recent failure.
ENGINE_ERRORS = (TransportError, EngineUnavailable)


def _ask_engine(operation: Callable[[], Any]) -> Any:
    """Run an engine request, sharing member matching's back-off: after a connection failure
    the engine is skipped for a while, so each search does not wait for another timeout."""
    return call_with_back_off(operation, failures=(EngineConnectionError,))


def used_fallback(results: Any) -> bool:
    """Whether evaluated search results came from the database because the engine failed."""
    return bool(getattr(results, "used_fallback", False))


class FallbackSearchResults(OpenSearch3SearchResults):
    """Engine results that, when the engine fails, come from the same search on the database."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fallback_search: Callable[[], Any] | None = None
        # Shared with slices (a paginator counts one object and lists a slice of it), so the
        # view can tell from the results it made whether the engine answered.
        self.outcome = {"used_fallback": False}

    @property
    def used_fallback(self) -> bool:
        return self.outcome["used_fallback"]

    def _clone(self):
        clone = super()._clone()
        clone.fallback_search = self.fallback_search
        clone.outcome = self.outcome
        return clone

    def _do_search(self):
        # The engine's results are a generator: list them here so a failure mid-way is caught.
        engine_search = super()._do_search
        return self._engine_or_fallback(
            lambda: list(engine_search()), lambda fallback: list(fallback)
        )

    def _do_count(self):
        return self._engine_or_fallback(super()._do_count, lambda fallback: fallback.count())

    def facet(self, field_name):
        # The admin's page search counts results per page type with a facet.
        engine_facet = super().facet
        return self._engine_or_fallback(
            lambda: engine_facet(field_name), lambda fallback: fallback.facet(field_name)
        )

    def _engine_or_fallback(self, on_engine: Callable[[], Any], on_fallback: Callable[[Any], Any]):
        try:
            return _ask_engine(on_engine)
        except ENGINE_ERRORS as error:
            if self.fallback_search is None:
                raise
            logger.warning("OpenSearch site search failed (%s); answering from the database", error)
            self.outcome["used_fallback"] = True
            return on_fallback(self._fallback_results())

    def _fallback_results(self):
        """The same search on the database backend, with this object's slice and score field."""
        results = self.fallback_search()[self.start : self.stop]
        return results.annotate_score(self._score_field) if self._score_field else results


# (index name, model) pairs whose mapping this process has put since it saw the index exist.
_mapped: set[tuple[str, type]] = set()


class SearchBackend(OpenSearch3SearchBackend):
    """Wagtail's OpenSearch 3 backend whose searches fall back to another backend (option
    FALLBACK_BACKEND, "database" by default) when the engine fails."""

    results_class = FallbackSearchResults

    def __init__(self, params: dict):
        params = dict(params)
        self.fallback_backend_name = params.pop("FALLBACK_BACKEND", "database")
        super().__init__(params)

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        results = super()._search(query_compiler_class, query, model_or_queryset, **kwargs)
        if isinstance(results, FallbackSearchResults):
            method = (
                "autocomplete"
                if query_compiler_class is self.autocomplete_query_compiler_class
                else "search"
            )
            results.fallback_search = lambda: getattr(
                get_search_backend(self.fallback_backend_name), method
            )(query, model_or_queryset, **kwargs)
        return results

    # --- writing: what the engine misses is remembered for the reconciliation ------------

    def add(self, obj):
        self._write_or_remember([obj], lambda: super(SearchBackend, self).add(obj))

    def add_bulk(self, model, obj_list):
        obj_list = list(obj_list)
        self._write_or_remember(
            obj_list, lambda: super(SearchBackend, self).add_bulk(model, obj_list)
        )

    def delete(self, obj):
        self._write_or_remember([obj], lambda: super(SearchBackend, self).delete(obj))

    def _write_or_remember(self, objects: list, write: Callable[[], Any]) -> None:
        """Write to the engine (skipped while it is left alone after a failure); on a failure
        record the objects in the backlog, which the reconciliation writes once the engine
        answers, so one line in the log is enough."""
        try:
            if objects:
                _ask_engine(lambda: self.prepare_index(type(objects[0])))
            _ask_engine(write)
        except Exception as error:
            remember_for_reconciliation(objects)
            log = logger.info if isinstance(error, EngineUnavailable) else logger.warning
            log(
                "Site search write of %d object(s) postponed: %s",
                len(objects),
                describe_error(error),
            )

    def prepare_index(self, model) -> None:
        """Create the model's index with Wagtail's settings and mapping before writing to it
        (the mapping once per process and index): a document written to a missing index
        would create it with guessed field types, and searches would then find nothing."""
        index = self.get_index_for_model(model)
        key = (index.name, model)
        if not index.exists():
            index.put()
        elif key in _mapped:
            return
        index.add_model(model)
        _mapped.add(key)


def remember_for_reconciliation(objects: list) -> None:
    for obj in objects:
        SiteSearchBacklog.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
