"""`manage.py run_worker`: run the queued background tasks (index updates, emails) and the
periodic ones (index reconciliation, requeueing tasks a dead worker left).

It is django-tasks-db's `db_worker` on every queue, after queueing the periodic tasks that
are not queued yet. Run one or more next to the web server; stop it with SIGTERM, which lets
the current task finish. A worker that is killed outright loses nothing: its task is run
again once TASK_ABANDONED_AFTER_SECONDS have passed (talenthub.tasks).
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from talenthub.tasks import requeue_abandoned_tasks, schedule_periodic_tasks


class Command(DatabaseWorkerCommand):
    help = "Run background tasks (index updates, emails) and the periodic reconciliation."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, **options):
        # A worker restarted after a crash takes its abandoned task over at once.
        requeued = requeue_abandoned_tasks.call()
        if requeued:
            self.stdout.write(f"Requeued {requeued} task(s) a stopped worker left running")
        for path in schedule_periodic_tasks():
            self.stdout.write(f"Queued periodic task {path}")
        super().handle(*args, **options)
