"""Rules every background task shares: retries with back-off, periodic tasks, and tasks that a
killed worker left half done.

Tasks run on django-tasks with its database backend: enqueueing writes a row in the same
transaction as the change that needs it, and `manage.py run_worker` runs the rows. A task
that must not be lost (an email) calls `retry_later` when it fails; index updates need not,
because the periodic reconciliation repairs whatever they missed.
"""

import datetime
import logging

from django.conf import settings
from django.dispatch import receiver
from django.utils.module_loading import import_string

from django_tasks import TaskResultStatus, task
from django_tasks.signals import task_finished

from talenthub import clock

logger = logging.getLogger(__name__)

# Delays before attempt 2, 3, …: half a minute doubling up to an hour; about a day in all.
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600
MAX_ATTEMPTS = 30


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1 for the first)."""
    return min(FIRST_RETRY_SECONDS * 2 ** (attempt - 1), LONGEST_RETRY_SECONDS)


def retry_later(task_, args: list, attempt: int, error: BaseException) -> dict:
    """Enqueue `task_` again with `attempt + 1` after a growing delay, and say so.

    After MAX_ATTEMPTS, or on a backend that cannot delay a task (the immediate one, where a
    retry would spin), the error is raised: the task is then marked failed, with its
    traceback, in the admin's task list and the log."""
    if attempt >= MAX_ATTEMPTS or not task_.get_backend().supports_defer:
        raise error
    delay = retry_delay(attempt)
    run_after = clock.now() + datetime.timedelta(seconds=delay)
    task_.using(run_after=run_after).enqueue(*args, attempt=attempt + 1)
    logger.warning(
        "%s failed (attempt %d: %s); trying again in %d s", task_.name, attempt, error, delay
    )
    return {"attempt": attempt, "error": str(error), "retry_in_seconds": delay}


def _task_results():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects


def schedule_periodic_tasks() -> list[str]:
    """Enqueue each PERIODIC_TASKS task that has no run waiting (run_worker calls this)."""
    started = []
    for path in settings.PERIODIC_TASKS:
        if not _waiting(path):
            import_string(path).enqueue()
            started.append(path)
    return started


def _waiting(path: str) -> bool:
    """Whether a run of this task is already queued, due now or later."""
    return _task_results().filter(task_path=path, status=TaskResultStatus.READY).exists()


@receiver(task_finished, dispatch_uid="talenthub_periodic_tasks")
def run_periodic_task_again(sender, task_result, **kwargs):
    """A periodic task, done or failed, queues its next run (unless one is queued already)."""
    path = task_result.task.module_path
    seconds = settings.PERIODIC_TASKS.get(path)
    if seconds is None or not task_result.task.get_backend().supports_defer or _waiting(path):
        return
    run_after = clock.now() + datetime.timedelta(seconds=seconds)
    import_string(path).using(run_after=run_after).enqueue()


@task()
def requeue_abandoned_tasks() -> int:
    """Tasks still marked running TASK_ABANDONED_AFTER_SECONDS after they started were left
    by a worker that was killed or lost its machine: mark them ready, so a live worker runs
    them again."""
    cutoff = clock.now() - datetime.timedelta(seconds=settings.TASK_ABANDONED_AFTER_SECONDS)
    requeued = (
        _task_results()
        .filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
        .update(status=TaskResultStatus.READY, started_at=None)
    )
    if requeued:
        logger.warning("Requeued %d task(s) left running by a worker that stopped", requeued)
    return requeued


# Results kept for the admin's task list: a day of successes (the periodic tasks alone add
# several thousand a day), a month of failures to look into.
KEEP_SUCCESSFUL = datetime.timedelta(days=1)
KEEP_FAILED = datetime.timedelta(days=30)


@task()
def prune_task_results() -> int:
    """Delete the results of tasks finished long enough ago; those queued or running stay."""
    now = clock.now()
    finished = _task_results().filter(finished_at__isnull=False)
    deleted, _ = (
        finished.filter(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - KEEP_SUCCESSFUL)
        | finished.filter(status=TaskResultStatus.FAILED, finished_at__lt=now - KEEP_FAILED)
    ).delete()
    return deleted
