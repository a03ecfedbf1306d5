"""The rules every background task shares, on the real database queue and worker: retries
with back-off, periodic tasks, tasks a killed worker left running, and `run_worker --batch`."""

import datetime
import io

from django.conf import settings
from django.core.management import call_command

import pytest
import time_machine
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from community.tasks import email_notifications
from talenthub import clock
from talenthub.tasks import (
    LONGEST_RETRY_SECONDS,
    MAX_ATTEMPTS,
    requeue_abandoned_tasks,
    retry_delay,
    retry_later,
    schedule_periodic_tasks,
)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# What the tasks below did, in the order the worker (in this process) ran them.
RUNS: list[str] = []


@task()
def note_run(label: str) -> str:
    """A task whose run can be seen: it records its label and returns it."""
    RUNS.append(label)
    return label


@pytest.fixture(autouse=True)
def forget_runs():
    RUNS.clear()
    yield
    RUNS.clear()


@pytest.fixture
def database_queue(settings):
    """Tasks go to django-tasks-db's table, as in production, instead of running at once."""
    settings.TASKS = DATABASE_QUEUE


def run_worker() -> str:
    """`manage.py run_worker --batch`: run every task that is due, then return its output."""
    out = io.StringIO()
    call_command("run_worker", "--batch", "--no-startup-delay", stdout=out)
    return out.getvalue()


def test_retry_delays_double_from_half_a_minute_up_to_an_hour():
    """Retry delays grow 30, 60, 120 … seconds and stop growing at an hour."""
    delays = [retry_delay(attempt) for attempt in range(1, 11)]

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert retry_delay(MAX_ATTEMPTS) == LONGEST_RETRY_SECONDS == 3600


@pytest.mark.django_db
def test_retry_later_queues_one_deferred_run_with_the_next_attempt(database_queue):
    """retry_later queues exactly one READY row due after the delay, carrying attempt + 1."""
    with time_machine.travel(datetime.datetime(2030, 4, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        now = clock.now()
        outcome = retry_later(email_notifications, [[41, 42]], 2, ConnectionRefusedError("no"))

        row = DBTaskResult.objects.get()
        assert not DBTaskResult.objects.ready().exists()  # not due yet

    assert outcome == {"attempt": 2, "error": "no", "retry_in_seconds": 60}
    assert row.status == TaskResultStatus.READY
    assert row.task_path == "community.tasks.email_notifications"
    assert row.args_kwargs == {"args": [[41, 42]], "kwargs": {"attempt": 3}}
    assert row.run_after == now + datetime.timedelta(seconds=60)


@pytest.mark.django_db
def test_retry_later_gives_up_with_the_error_at_the_last_attempt(database_queue):
    """At MAX_ATTEMPTS retry_later raises the task's own error and queues nothing."""
    error = ConnectionRefusedError("mail server down")

    with pytest.raises(ConnectionRefusedError) as raised:
        retry_later(email_notifications, [[1]], MAX_ATTEMPTS, error)

    assert raised.value is error
    assert not DBTaskResult.objects.exists()
    # One attempt earlier still retries.
    assert retry_later(email_notifications, [[1]], MAX_ATTEMPTS - 1, error)["attempt"] == 29
    assert DBTaskResult.objects.get().args_kwargs["kwargs"] == {"attempt": MAX_ATTEMPTS}


@pytest.mark.django_db
def test_retry_later_raises_on_the_immediate_backend():
    """On the immediate backend (which cannot defer) retry_later raises instead of spinning."""
    assert "ImmediateBackend" in settings.TASKS["default"]["BACKEND"]
    error = TimeoutError("smtp timed out")

    with pytest.raises(TimeoutError) as raised:
        retry_later(email_notifications, [[1]], 1, error)

    assert raised.value is error
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_schedule_periodic_tasks_queues_each_task_once(database_queue):
    """schedule_periodic_tasks queues every periodic task once; a second call queues nothing."""
    assert schedule_periodic_tasks() == list(settings.PERIODIC_TASKS)
    assert schedule_periodic_tasks() == []

    rows = DBTaskResult.objects.all()
    assert sorted(row.task_path for row in rows) == sorted(settings.PERIODIC_TASKS)
    assert all(row.status == TaskResultStatus.READY for row in rows)
    assert DBTaskResult.objects.ready().count() == len(settings.PERIODIC_TASKS)  # due now


@pytest.mark.django_db(transaction=True)
def test_a_finished_periodic_task_queues_its_next_run_after_its_period(database_queue):
    """Each periodic task the worker finishes queues its next run at now + its period."""
    before = clock.now()
    output = run_worker()
    after = clock.now()

    for path, seconds in settings.PERIODIC_TASKS.items():
        assert f"Queued periodic task {path}" in output
        done = DBTaskResult.objects.get(task_path=path, status=TaskResultStatus.SUCCESSFUL)
        next_run = DBTaskResult.objects.get(task_path=path, status=TaskResultStatus.READY)
        period = datetime.timedelta(seconds=seconds)
        assert before + period <= next_run.run_after <= after + period
        assert done.finished_at <= next_run.enqueued_at
    assert DBTaskResult.objects.count() == 2 * len(settings.PERIODIC_TASKS)

    # Not due yet: a worker started now runs nothing and queues no duplicate.
    run_worker()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == len(
        settings.PERIODIC_TASKS
    )
    assert DBTaskResult.objects.count() == 2 * len(settings.PERIODIC_TASKS)

    # Once the longest period has passed, every one runs again and queues the run after.
    longest = max(settings.PERIODIC_TASKS.values())
    with time_machine.travel(datetime.timedelta(seconds=longest + 1), tick=True):
        run_worker()
    for path in settings.PERIODIC_TASKS:
        results = DBTaskResult.objects.filter(task_path=path)
        assert results.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
        assert results.filter(status=TaskResultStatus.READY).count() == 1
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()


@pytest.mark.django_db(transaction=True)
def test_duplicate_runs_of_a_periodic_task_leave_one_next_run(database_queue):
    """Two queued runs of a periodic task (two workers started at once) queue one next run."""
    requeue_abandoned_tasks.enqueue()
    requeue_abandoned_tasks.enqueue()

    output = run_worker()

    results = DBTaskResult.objects.filter(task_path="talenthub.tasks.requeue_abandoned_tasks")
    assert "Queued periodic task talenthub.tasks.requeue_abandoned_tasks" not in output
    assert results.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    assert results.filter(status=TaskResultStatus.READY).count() == 1


def _running(label: str, started_ago: datetime.timedelta) -> DBTaskResult:
    """A note_run row a worker claimed `started_ago` and never finished."""
    result = note_run.enqueue(label)
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.started_at = clock.now() - started_ago
    row.worker_ids = ["killed-worker"]
    row.save()
    return row


@pytest.mark.django_db(transaction=True)
def test_tasks_left_running_by_a_dead_worker_are_run_again(database_queue):
    """A task left RUNNING 11 min ago is made READY and run; one started 1 min ago is left."""
    abandoned = _running("abandoned", datetime.timedelta(minutes=11))
    recent = _running("recent", datetime.timedelta(minutes=1))
    recent_started = DBTaskResult.objects.get(pk=recent.pk).started_at

    assert requeue_abandoned_tasks.call() == 1

    abandoned.refresh_from_db()
    recent.refresh_from_db()
    assert abandoned.status == TaskResultStatus.READY and abandoned.started_at is None
    assert recent.status == TaskResultStatus.RUNNING and recent.started_at == recent_started

    run_worker()

    abandoned.refresh_from_db()
    recent.refresh_from_db()
    assert RUNS == ["abandoned"]
    assert abandoned.status == TaskResultStatus.SUCCESSFUL
    assert abandoned.return_value == "abandoned"
    assert abandoned.worker_ids[0] == "killed-worker" and len(abandoned.worker_ids) == 2
    assert recent.status == TaskResultStatus.RUNNING and recent.started_at == recent_started


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_takes_over_a_dead_workers_task_at_once(database_queue):
    """A worker that starts requeues a dead worker's abandoned task and runs it, and keeps
    the periodic sweep queued for tasks abandoned later."""
    abandoned = _running(
        "abandoned", datetime.timedelta(seconds=settings.TASK_ABANDONED_AFTER_SECONDS + 60)
    )

    output = run_worker()

    assert "Requeued 1 task(s)" in output
    abandoned.refresh_from_db()
    assert abandoned.status == TaskResultStatus.SUCCESSFUL and RUNS == ["abandoned"]
    assert DBTaskResult.objects.filter(
        task_path="talenthub.tasks.requeue_abandoned_tasks", status=TaskResultStatus.READY
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_run_worker_batch_runs_the_due_tasks_and_exits(database_queue):
    """run_worker --batch runs the due tasks in order, leaves a deferred one queued, and exits."""
    first = note_run.enqueue("first")
    second = note_run.enqueue("second")
    later = note_run.using(run_after=clock.now() + datetime.timedelta(hours=1)).enqueue("later")

    run_worker()  # returns: --batch stops once nothing is due

    assert RUNS == ["first", "second"]
    for result, label in [(first, "first"), (second, "second")]:
        row = DBTaskResult.objects.get(pk=result.id)
        assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == label
    assert DBTaskResult.objects.get(pk=later.id).status == TaskResultStatus.READY
