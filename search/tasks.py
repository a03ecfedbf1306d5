"""Background tasks of search: the member index update after a change, and the periodic
reconciliation of both indexes with the database."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def update_member_index(page_ids: list[int]) -> dict:
    """Send these profiles' stored evidence to the engine (and drop the documents of those
    without any). A failure leaves their rows behind the database's version, which the
    reconciliation repairs once the engine answers; so no retry is queued here."""
    from opensearchpy.exceptions import ConnectionError as EngineConnectionError

    from .backends import get_engine_index
    from .engine import EngineUnavailable

    engine = get_engine_index()
    if engine is None:
        return {"sent": 0}
    try:
        return {"sent": engine.sync(page_ids, only_behind=True)}
    except (EngineUnavailable, EngineConnectionError) as error:
        # An outage: not a failed task, the reconciliation sends these once the engine is back.
        logger.warning("Member index update postponed: %s", error)
        return {"sent": 0, "postponed": str(error)}


@task()
def reconcile_indexes() -> list[dict]:
    """Compare the member index and site search with the database and repair both
    (PERIODIC_TASKS runs this every 20 s; `manage.py reconcile_indexes` once)."""
    from .reconciliation import reconcile_all

    return [repair.as_dict() for repair in reconcile_all()]
