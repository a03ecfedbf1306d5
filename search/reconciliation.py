"""Compare the search indexes with the database and repair them.

Two indexes are derived from the database: the member index of matching (MemberEvidence rows →
OpenSearch documents carrying the evidence version) and site search (every indexed object →
Wagtail's backends, OpenSearch and the database one). An outage, a hung engine or a worker
killed mid-task leaves them behind; this finds every difference and rewrites it:

- member index: documents missing, older than their evidence, or of members gone;
- site search: objects the engine failed to write or delete (SiteSearchBacklog), and, per
  backend, objects without a document and documents without an object.

The periodic task search.tasks.reconcile_indexes runs it every 20 s; `manage.py
reconcile_indexes` runs it once and prints what it repaired.
"""

import logging
from dataclasses import asdict, dataclass

from django.contrib.contenttypes.models import ContentType

from modelsearch.index import get_indexed_instance, get_indexed_models
from wagtail.search.backends import get_search_backends_with_name
from wagtail.search.models import IndexEntry

from .backends import get_engine_index
from .engine import describe_error, engine_answers
from .models import MemberEvidence, SiteSearchBacklog
from .site_search import SearchBackend as EngineSiteSearchBackend

logger = logging.getLogger(__name__)
CHUNK = 500
# Wagtail's database backends that keep an index table (IndexEntry); the fallback one, for a
# SQLite without FTS5, searches the tables themselves and has nothing to repair. Named, not
# imported: the PostgreSQL one needs psycopg, which the embedded default does not install.
INDEX_TABLE_BACKENDS = {
    "modelsearch.backends.database.postgres.postgres.PostgresSearchBackend",
    "modelsearch.backends.database.sqlite.sqlite.SQLiteSearchBackend",
}


@dataclass
class IndexRepair:
    """What one reconciliation found and did for one index."""

    index: str
    documents: int = 0  # documents the index should hold
    written: int = 0
    removed: int = 0
    error: str = ""

    @property
    def in_step(self) -> bool:
        return not self.error

    def as_dict(self) -> dict:
        return asdict(self)


def reconcile_all() -> list[IndexRepair]:
    repairs = []
    engine = get_engine_index()
    if engine is not None:
        repairs.append(reconcile_member_index(engine))
    repairs += reconcile_site_search()
    for repair in repairs:
        if repair.error:
            logger.warning("Index %s not reconciled: %s", repair.index, repair.error)
        elif repair.written or repair.removed:
            logger.info("Index %s repaired: %s", repair.index, repair.as_dict())
    return repairs


# --- member index ----------------------------------------------------------------------------


def reconcile_member_index(engine) -> IndexRepair:
    repair = IndexRepair(index="members")
    if not engine.is_answering():
        repair.error = "OpenSearch is not answering"
        return repair
    try:
        engine.ensure_index()
        in_engine = engine.document_versions()
        in_database = dict(MemberEvidence.objects.values_list("profile_id", "version"))
        repair.documents = len(in_database)
        to_write = [pk for pk, version in in_database.items() if in_engine.get(pk) != version]
        to_remove = [pk for pk in in_engine if pk not in in_database]
        changed = to_write + to_remove
        for start in range(0, len(changed), CHUNK):
            engine.sync(changed[start : start + CHUNK])
        repair.written, repair.removed = len(to_write), len(to_remove)
    except Exception as error:
        repair.error = describe_error(error)
    return repair


# --- site search -----------------------------------------------------------------------------


def reconcile_site_search() -> list[IndexRepair]:
    repairs = []
    backends = list(get_search_backends_with_name(with_auto_update=True))
    engines = [backend for _, backend in backends if isinstance(backend, EngineSiteSearchBackend)]
    if engines:
        repairs.append(_write_backlog(engines))
    for name, backend in backends:
        if isinstance(backend, EngineSiteSearchBackend):
            repairs.append(_compare_engine(name, backend))
        elif f"{type(backend).__module__}.{type(backend).__qualname__}" in INDEX_TABLE_BACKENDS:
            repairs.append(_compare_database(name, backend))
    return repairs


def _write_backlog(engines) -> IndexRepair:
    """Write again what the engine missed; an entry stays until its write succeeds."""
    repair = IndexRepair(index="site search backlog")
    if not _engines_answering(engines):
        repair.error = "OpenSearch is not answering"
        return repair
    for entry in SiteSearchBacklog.objects.select_related("content_type"):
        model = entry.content_type.model_class()
        if model is None:  # the model was removed since
            entry.delete()
            continue
        obj = model._default_manager.filter(pk=entry.object_id).first()
        indexed = get_indexed_instance(obj) if obj is not None else None
        try:
            for engine in engines:
                if indexed is not None:
                    engine.prepare_index(model)
                    _engine_write(engine, "add", indexed)
                else:
                    _engine_write(engine, "delete", model(pk=entry.object_id))
        except Exception as error:
            repair.error = describe_error(error)
            break
        # Only this failure's entry: one recorded again meanwhile stays for the next run.
        SiteSearchBacklog.objects.filter(pk=entry.pk, recorded_at=entry.recorded_at).delete()
        if indexed is not None:
            repair.written += 1
        else:
            repair.removed += 1
    return repair


def _engines_answering(engines) -> bool:
    return all(engine_answers(engine.es) for engine in engines)


def _engine_write(backend, method: str, *args) -> None:
    """A write with the engine backend's own method, not the site's: search.site_search
    records a failed write in the backlog and carries on, but here a failure must raise, so
    the repair reports it instead of counting it written (and a backlog entry stays)."""
    getattr(super(EngineSiteSearchBackend, backend), method)(*args)


def _indexed_ids(model) -> set[str]:
    """The primary keys of the objects this model indexes. Read after the index: an object
    created in between is then written again, never taken for one gone and removed."""
    return {str(pk) for pk in model.get_indexed_objects().values_list("pk", flat=True)}


def _write_missing(model, missing_ids: set[str], add_bulk) -> int:
    """Write the model's objects with these ids, CHUNK at a time; return how many."""
    missing = sorted(missing_ids)
    for start in range(0, len(missing), CHUNK):
        objects = model.get_indexed_objects().filter(pk__in=missing[start : start + CHUNK])
        add_bulk(model, list(objects))
    return len(missing)


def _compare_engine(name: str, backend) -> IndexRepair:
    """Documents per root index (one index holds every page type) against the objects."""
    from opensearchpy import helpers

    repair = IndexRepair(index=f"site search ({name})")
    if not _engines_answering([backend]):
        repair.error = "OpenSearch is not answering"
        return repair
    by_index: dict[str, list[type]] = {}
    for model in get_indexed_models():
        by_index.setdefault(backend.get_index_for_model(model).name, []).append(model)
    try:
        for index_name, models in by_index.items():
            index = backend.get_index_for_model(models[0])
            # Fails on an index created with guessed field types: `update_index` rebuilds it.
            for model in models:
                backend.prepare_index(model)
            present = {
                hit["_id"]
                for hit in helpers.scan(
                    backend.es, index=index_name, query={"_source": False}, size=2000
                )
            }
            expected = {model: _indexed_ids(model) for model in models}
            wanted = set().union(*expected.values())
            repair.documents += len(wanted)
            for model, ids in expected.items():
                repair.written += _write_missing(
                    model, ids - present, lambda *bulk: _engine_write(backend, "add_bulk", *bulk)
                )
            for object_id in sorted(present - wanted):
                index.es.delete(index=index_name, id=object_id, ignore=[404])
                repair.removed += 1
    except Exception as error:
        repair.error = describe_error(error)
    return repair


def _compare_database(name: str, backend) -> IndexRepair:
    """Index entries per model (keyed by content type) against the objects."""
    repair = IndexRepair(index=f"site search ({name})")
    for model in get_indexed_models():
        content_type = ContentType.objects.get_for_model(model)
        entries = IndexEntry.objects.filter(content_type=content_type)
        present = set(entries.values_list("object_id", flat=True))
        ids = _indexed_ids(model)
        repair.documents += len(ids)
        repair.written += _write_missing(model, ids - present, backend.add_bulk)
        extra = present - ids
        if extra:
            entries.filter(object_id__in=extra)._raw_delete(using=entries.db)
            repair.removed += len(extra)
    return repair
