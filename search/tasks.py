"""Background tasks of search: the member index update after a change, and the periodic
reconciliation of both indexes with the database."""

from django_tasks import task


@task()
def update_member_index(page_ids: list[int]) -> None:
    """Send these profiles' stored evidence to the engine (and drop the documents of those
    without any). A failure leaves their rows behind the database's version, which the
    reconciliation repairs once the engine answers; so no retry is queued here."""
    from .backends import get_engine_index

    engine = get_engine_index()
    if engine is not None:
        engine.sync(page_ids)


@task()
def reconcile_indexes() -> dict:
    """Compare the member index and site search with the database and repair both
    (PERIODIC_TASKS runs this every 20 s; `manage.py reconcile_indexes` once)."""
    from .reconciliation import reconcile_all

    return [repair.as_dict() for repair in reconcile_all()]
