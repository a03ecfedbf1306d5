"""Notification emails go through the real database task queue: a reply only queues its email,
the worker sends it, and a mail server that is down gets the email again later."""

import datetime
import email
import email.policy
import io
import socket

from django.core import mail
from django.core.management import call_command

import pytest
import time_machine
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from community.models import DiscussionPostPage, Notification, Reply
from community.tests.helpers import create_post, signed_in
from community.tests.mail_server import start_smtp_server
from talenthub import clock
from talenthub.tasks import retry_delay

# The worker closes database connections between tasks (as in production), which a test
# inside a rolled-back transaction would not survive: these tests commit and flush.
pytestmark = pytest.mark.django_db(transaction=True)

EMAIL_TASK = "community.tasks.email_notifications"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def database_queue(settings):
    """Tasks go to django-tasks-db's table, as in production, instead of running at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def refusing_smtp(settings):
    """Outgoing mail goes over SMTP to a local port where nothing listens: the port is bound,
    so no one else can take it, but not listening, so every connection is refused."""
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed.getsockname()[1]
    settings.EMAIL_USE_TLS = False
    yield closed.getsockname()[1]
    closed.close()


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port, collecting what it receives."""
    controller, handler = start_smtp_server()
    yield controller.port, handler.envelopes
    controller.stop()


def run_worker() -> str:
    """`manage.py run_worker --batch`: run every task that is due, then return its output."""
    out = io.StringIO()
    call_command("run_worker", "--batch", "--no-startup-delay", stdout=out)
    return out.getvalue()


def reply_to_post_of(author_client, replier, category) -> Notification:
    """`replier` answers a post of the signed-in author; returns the author's notification."""
    create_post(author_client, category)
    post = DiscussionPostPage.objects.get()
    response = signed_in(replier).post(f"{post.url}reply/", {"body": "Here is an answer"})
    assert response.status_code == 302
    assert Reply.objects.get(post=post, author=replier).body == "Here is an answer"
    return Notification.objects.get(kind="reply", reply__author=replier)


def email_rows():
    return DBTaskResult.objects.filter(task_path=EMAIL_TASK).order_by("enqueued_at")


def test_a_reply_only_queues_the_email_which_the_worker_sends(
    database_queue, member, member_client, other_member, category
):
    """With the database queue a reply is saved and its email queued; the worker sends it."""
    notification = reply_to_post_of(member_client, other_member, category)

    (queued,) = email_rows()
    assert queued.status == TaskResultStatus.READY
    assert queued.args_kwargs == {"args": [[notification.pk]], "kwargs": {}}
    assert notification.recipient == member and notification.emailed_at is None
    assert mail.outbox == []

    run_worker()

    queued.refresh_from_db()
    notification.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert queued.return_value == {"emailed": 1}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]
    assert notification.emailed_at is not None


def test_a_refused_smtp_connection_queues_a_later_attempt(
    database_queue, refusing_smtp, member, member_client, other_member, category
):
    """A refused SMTP connection makes the worker queue attempt 2 for later; nothing is sent."""
    notification = reply_to_post_of(member_client, other_member, category)

    before = clock.now()
    run_worker()
    after = clock.now()

    first, retry = email_rows()
    notification.refresh_from_db()
    delay = datetime.timedelta(seconds=retry_delay(1))
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert first.return_value["attempt"] == 1 and first.return_value["retry_in_seconds"] == 30
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs == {"args": [[notification.pk]], "kwargs": {"attempt": 2}}
    assert before + delay <= retry.run_after <= after + delay
    assert retry.run_after > clock.now()
    assert notification.emailed_at is None
    assert Reply.objects.filter(body="Here is an answer").exists()


def test_the_retry_delivers_once_the_server_is_back_and_time_has_passed(
    database_queue,
    refusing_smtp,
    smtp_server,
    settings,
    member,
    member_client,
    other_member,
    category,
):
    """After a refusal, the retry delivers once its delay has passed: once, to the recipient."""
    port, received = smtp_server
    notification = reply_to_post_of(member_client, other_member, category)
    run_worker()  # refused: attempt 2 queued for 30 s later
    assert email_rows().filter(status=TaskResultStatus.READY).count() == 1

    settings.EMAIL_PORT = port  # the mail server is back
    run_worker()
    assert received == []  # the retry is not due yet

    with time_machine.travel(datetime.timedelta(seconds=retry_delay(1) + 1), tick=True):
        run_worker()
        notification.refresh_from_db()
        assert len(received) == 1
        assert received[0].rcpt_tos == [member.email]
        message = email.message_from_bytes(received[0].content, policy=email.policy.default)
        assert message["To"] == member.email and "Notifications" in message["Subject"]
        assert notification.emailed_at is not None
        retry = email_rows().get(args_kwargs__kwargs__attempt=2)
        assert retry.status == TaskResultStatus.SUCCESSFUL
        assert retry.return_value == {"emailed": 1}

        run_worker()  # a second run finds nothing left to send

    assert len(received) == 1
    assert not email_rows().filter(status=TaskResultStatus.READY).exists()
    assert mail.outbox == []  # everything went over SMTP
