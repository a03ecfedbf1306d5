"""The faults the site survives, each caused for real while members keep working:

1. OpenSearch killed (SIGKILL): saves go on, matching answers from the database, and within a
   minute of the restart both indexes hold every change made meanwhile, privacy included.
2. OpenSearch hung (SIGSTOP): saves go on, site search answers from the database with a
   notice; once it resumes both indexes catch up.
3. OpenSearch slow (every answer delayed past the timeouts): the same, through a delaying proxy.
4. The mail server down: the reply is saved, its email waits with a retry, and is delivered
   once the server is back.
5. The worker killed in the middle of a task: the next worker runs that task again, and the
   email is delivered once.

These run a node of their own (bin/opensearch on a free port, so it can be killed) and real
`manage.py run_worker` processes on the test database, hence PostgreSQL (bin/test's first run).
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from django.db import connection
from django.utils import timezone

from modelsearch.index import get_indexed_models
from wagtail.search.backends import get_search_backend

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from opensearchpy import OpenSearch, helpers

from community.models import DiscussionPostPage, Notification, Reply
from community.notifications import notify_new_reply
from community.tests.mail_server import start_smtp_server
from profiles.models import ProfilePage
from profiles.privacy import STAFF_AUDIENCE, Visibility
from profiles.tests.factories import ProfilePageFactory
from search.backends import match_members_to_project
from search.engine import OpenSearchMemberIndex
from search.matching import MatchQuery
from search.models import MemberEvidence
from search.site_search import used_fallback
from search.tests.test_site_search_fallback import NOTICE, discussion, use_site_search_at

pytestmark = [pytest.mark.postgres, pytest.mark.engine, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
# The promise: both indexes in step within a minute of the engine's recovery.
RECOVERY_SECONDS = 60
EMAIL_TASK = "community.tasks.email_notifications"


def _unavailable(problem: str):
    if os.environ.get("CI"):
        pytest.fail(f"Fault tests cannot run in CI: {problem}", pytrace=False)
    pytest.skip(problem)


def _free_port(candidates=(0,)) -> int:
    """A loopback port nothing listens on (any, or the first free one of `candidates`)."""
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    _unavailable(f"no free port in {candidates}")


def _wait_until(check, timeout: float, what: str) -> float:
    """Seconds until check() holds; fails with what it last said after `timeout`."""
    started = time.monotonic()
    while True:
        problem = check()
        if not problem:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            pytest.fail(f"{what} not within {timeout:.0f} s: {problem}")
        time.sleep(0.5)


# --- the engine node ------------------------------------------------------------------------


class EngineNode:
    """A single-node OpenSearch started by bin/opensearch that a test may kill, freeze, restart."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.home = ROOT / "var" / "opensearch" / str(port)

    def start(self) -> None:
        env = {**os.environ, "OPENSEARCH_HEAP": "-Xms256m -Xmx512m"}
        run = subprocess.run(  # noqa: S603 - the repository's own script
            [str(ROOT / "bin" / "opensearch"), "start", str(self.port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if run.returncode != 0:
            _unavailable(f"bin/opensearch start {self.port} failed: {run.stderr[-2000:]}")

    @property
    def pid(self) -> int:
        return int((self.home / "opensearch.pid").read_text())

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        _wait_until(lambda: "still answering" if self.answering() else "", 30, "node gone")

    def hang(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def answering(self) -> bool:
        try:
            return bool(OpenSearch(hosts=[self.url], timeout=2, max_retries=0).ping())
        except Exception:
            return False

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # not running, or no pid file
            self.resume()
        subprocess.run(  # noqa: S603 - the repository's own script
            [str(ROOT / "bin" / "opensearch"), "stop", str(self.port)],
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(self.home, ignore_errors=True)


@pytest.fixture(scope="module")
def node():
    port = _free_port(range(9270, 9300))  # bin/opensearch's runner stops at 9299
    engine_node = EngineNode(port)
    engine_node.start()
    yield engine_node
    engine_node.stop()


class DelayingProxy:
    """A TCP proxy to the node that holds every answer back `delay` seconds: a slow engine."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.delay = 0.0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, server, 0), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, 1), daemon=True).start()

    def _pump(self, source, target, answers: int):
        try:
            while data := source.recv(65536):
                if answers:
                    time.sleep(self.delay)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.listener.close()


# --- the site, pointed at the node, with its task queue and workers -------------------------


@pytest.fixture
def site(settings, node):
    """The site as production runs it: member index and site search on the node, changes
    queued on the database task queue for the workers."""
    settings.SEARCH_INDEX_PREFIX = f"faults_{uuid.uuid4().hex[:8]}"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    point_site_at(settings, node.url)
    OpenSearchMemberIndex.reset_availability()
    yield settings
    OpenSearchMemberIndex.reset_availability()


def point_site_at(settings, url: str) -> None:
    settings.SEARCH_URL = url
    use_site_search_at(settings, url, timeout=1, prefix=settings.SEARCH_INDEX_PREFIX)


class Workers:
    """`manage.py run_worker` processes on the test database, as production runs them."""

    def __init__(self, settings, tmp_path):
        self.settings = settings
        self.tmp_path = tmp_path
        self.processes = []

    def start(self, search_url: str | None = None, **environment) -> subprocess.Popen:
        database = connection.settings_dict
        credentials = urllib.parse.quote(database["USER"] or "")
        if database["PASSWORD"]:
            credentials += ":" + urllib.parse.quote(database["PASSWORD"])
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "talenthub.settings.test",
            "DATABASE_URL": (
                f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "SEARCH_URL": search_url or self.settings.SEARCH_URL,
            "SEARCH_INDEX_PREFIX": self.settings.SEARCH_INDEX_PREFIX,
            "SEARCH_TIMEOUT_SECONDS": "1",
            "TASK_BACKEND": "database",
            **{key: str(value) for key, value in environment.items()},
        }
        log = open(self.tmp_path / f"worker-{len(self.processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-3000:]}"
            for path in sorted(self.tmp_path.glob("worker-*.log"))
        )

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(site, tmp_path):
    running = Workers(site, tmp_path)
    yield running
    running.stop_all()
    sys.stdout.write(running.logs())  # pytest shows it when the test failed


# --- what "in step" means -------------------------------------------------------------------


def member_index_behind() -> str:
    """Empty when every member's document is at its evidence version and no other is left."""
    index = OpenSearchMemberIndex.from_settings()
    index.reset_availability()
    try:
        in_engine = index.document_versions()
    except Exception as error:
        return f"engine: {error}"
    in_database = dict(MemberEvidence.objects.values_list("profile_id", "version"))
    live = set(ProfilePage.objects.live().values_list("pk", flat=True))
    assert set(in_database) == live, "every live profile has evidence in the database"
    behind = {pk: (in_engine.get(pk), version) for pk, version in in_database.items()}
    behind = {pk: pair for pk, pair in behind.items() if pair[0] != pair[1]}
    extra = set(in_engine) - set(in_database)
    return f"behind {behind}, extra {extra}" if behind or extra else ""


def site_search_behind() -> str:
    """Empty when site search on the engine holds exactly the objects it should."""
    backend = get_search_backend("default")
    client = OpenSearch(hosts=[backend.es.transport.hosts[0]], timeout=10, max_retries=0)
    expected: dict[str, set[str]] = {}
    for model in get_indexed_models():
        index_name = backend.get_index_for_model(model).name
        ids = {str(pk) for pk in model.get_indexed_objects().values_list("pk", flat=True)}
        expected.setdefault(index_name, set()).update(ids)
    problems = []
    for index_name, ids in expected.items():
        try:
            present = {
                hit["_id"]
                for hit in helpers.scan(client, index=index_name, query={"_source": False})
            }
        except Exception as error:
            return f"{index_name}: {error}"
        if present != ids:
            problems.append(f"{index_name}: missing {ids - present}, extra {present - ids}")
    return "; ".join(problems)


def both_indexes_behind() -> str:
    return "; ".join(p for p in (member_index_behind(), site_search_behind()) if p)


def engine_site_search(query: str, model=DiscussionPostPage) -> list:
    OpenSearchMemberIndex.reset_availability()  # this process may have seen the outage
    results = get_search_backend("default").search(query, model)
    found = list(results)
    assert not used_fallback(results), "the engine did not answer"
    return found


def searching_says(client, query: str, title: str) -> str:
    """Empty when /search/ answers from the database, with its notice, and lists `title`."""
    response = client.get("/search/", {"query": query}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert NOTICE in page
    return "" if title in page else f"{title!r} not listed yet"


def member(directory, external_id: str, bio_en: str) -> ProfilePage:
    """A member who has just published their profile (as the sign-up flow does)."""
    page = ProfilePageFactory(parent=directory, external_id=external_id, bio_ja="", bio_en=bio_en)
    page.save_revision().publish()
    return page


def publish(page, **changes) -> None:
    for field, value in changes.items():
        setattr(page, field, value)
    page.save_revision().publish()


def ids_matching(text: str, audience: str = STAFF_AUDIENCE) -> tuple[str, list[str]]:
    """Which backend answered a manager's match query, and the members it ranked."""
    response = match_members_to_project(MatchQuery(text=text, audience=audience))
    return response.backend, [result.external_id for result in response.results]


# --- 1-3: the engine killed, hung, slow ----------------------------------------------------


def test_engine_killed_then_restarted_both_indexes_hold_every_change_within_a_minute(
    node, workers, directory
):
    """Changes made while OpenSearch is dead reach both indexes soon after its restart,
    without any other save; meanwhile matching answers from the database."""
    workers.start()
    alice = member(directory, "F10001", "Works on bridge maintenance.")
    bob = member(directory, "F10002", "Led the seismic retrofit of bridges.")
    old_post = discussion(alice.user, "Inspection rota", "Who covers the weekend inspections?")
    _wait_until(both_indexes_behind, RECOVERY_SECONDS, "first indexing")

    node.kill()
    publish(alice, bio_en="Ran the tunnel boring machine on the ring road.")
    publish(bob, visibility_bio=Visibility.PRIVATE)  # Bob keeps his biography to himself now
    new_post = discussion(bob.user, "Pontoon survey", "Notes from the pontoon crossing survey.")
    old_post.delete()
    carol = member(directory, "F10003", "Designs utility tunnels under the bay.")
    backend, found = ids_matching("tunnel boring machine")
    assert backend == "database"
    assert found[0] == "F10001"  # the database has Alice's change already

    node.start()
    recovered = _wait_until(both_indexes_behind, RECOVERY_SECONDS, "recovery after a restart")
    sys.stdout.write(f"both indexes in step {recovered:.1f} s after the restart\n")

    OpenSearchMemberIndex.reset_availability()  # this process saw the outage too
    backend, found = ids_matching("tunnel boring machine")
    assert (backend, found[:1]) == ("opensearch", ["F10001"])
    assert "F10003" in ids_matching("utility tunnel")[1]
    assert "F10002" not in ids_matching("seismic retrofit of bridges")[1]
    assert [post.pk for post in engine_site_search("pontoon")] == [new_post.pk]
    assert engine_site_search("inspections") == []
    assert [page.pk for page in engine_site_search("utility tunnels", ProfilePage)] == [carol.pk]
    assert bob.pk not in {page.pk for page in engine_site_search("seismic", ProfilePage)}


def test_engine_hung_saves_go_on_site_search_falls_back_then_indexes_catch_up(
    node, workers, directory, client
):
    """With OpenSearch frozen, saves return and /search/ answers from the database with a
    notice; once it resumes both indexes catch up without another save."""
    workers.start()
    alice = member(directory, "F20001", "Works on bridge maintenance.")
    _wait_until(both_indexes_behind, RECOVERY_SECONDS, "first indexing")

    client.force_login(alice.user)
    node.hang()
    try:
        publish(alice, bio_en="Commissioned the sludge incineration plant.")
        post = discussion(alice.user, "Pontoon survey", "Notes from the pontoon crossing survey.")
        # The worker indexes the post into the database backend despite the frozen engine.
        _wait_until(lambda: searching_says(client, "pontoon", post.title), 30, "fallback search")
    finally:
        node.resume()

    _wait_until(both_indexes_behind, RECOVERY_SECONDS, "recovery after a freeze")
    OpenSearchMemberIndex.reset_availability()  # this process saw the freeze too
    assert ids_matching("sludge incineration")[1][:1] == ["F20001"]
    assert [found.pk for found in engine_site_search("pontoon")] == [post.pk]


def test_engine_slower_than_every_timeout_changes_arrive_once_it_speeds_up(
    node, workers, directory, site, client
):
    """An engine that answers, but only after every timeout, is treated as down: saves and
    searches go on without it, and the indexes catch up once it answers in time again."""
    proxy = DelayingProxy(node.port)
    try:
        point_site_at(site, proxy.url)
        workers.start(search_url=proxy.url)
        alice = member(directory, "F30001", "Works on bridge maintenance.")
        _wait_until(both_indexes_behind, RECOVERY_SECONDS, "first indexing")

        client.force_login(alice.user)
        proxy.delay = 5.0  # past the 1 s search and 3 s update timeouts
        publish(alice, bio_en="Managed the shield tunnelling works under the river.")
        post = discussion(alice.user, "Pontoon survey", "Notes from the pontoon crossing survey.")
        _wait_until(lambda: searching_says(client, "pontoon", post.title), 30, "fallback search")

        proxy.delay = 0.0
        point_site_at(site, node.url)  # the checks below read the node directly
        _wait_until(both_indexes_behind, RECOVERY_SECONDS, "recovery after slowness")
        OpenSearchMemberIndex.reset_availability()
        assert ids_matching("shield tunnel")[1][:1] == ["F30001"]
        assert [found.pk for found in engine_site_search("pontoon")] == [post.pk]
    finally:
        proxy.close()


# --- 4-5: the mail server down, the worker killed -------------------------------------------


def smtp_environment(port: int, **extra) -> dict:
    return {
        "TALENTHUB_TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        **extra,
    }


def reply_to(post, author, body: str) -> Reply:
    reply = Reply.objects.create(post=post, author=author, body=body)
    notify_new_reply(reply)
    return reply


def email_runs():
    return DBTaskResult.objects.filter(task_path=EMAIL_TASK).order_by("enqueued_at")


def test_mail_server_down_the_email_waits_and_is_delivered_once_it_is_back(
    workers, member, other_member
):
    """A reply is saved while the mail server refuses connections; its email is retried
    with a delay and delivered once when the server is back."""
    port = _free_port()
    workers.start(**smtp_environment(port))
    post = discussion(member, "Pontoon survey", "Notes from the pontoon crossing survey.")
    reply_to(post, other_member, "I can help with the survey.")
    notification = Notification.objects.get(recipient=member)

    def retry_queued():
        runs = list(email_runs())
        if len(runs) == 2 and runs[1].status == TaskResultStatus.READY:
            return ""
        return f"runs {[(run.status, run.args_kwargs) for run in runs]}"

    _wait_until(retry_queued, 30, "a retry of the refused email")
    retry = email_runs().last()
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert retry.run_after > timezone.now()
    notification.refresh_from_db()
    assert notification.emailed_at is None

    controller, handler = start_smtp_server(port)
    try:
        # Time passes: the retry falls due (its 30 s delay is the queue's, not this test's).
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
        _wait_until(
            lambda: "" if Notification.objects.get(pk=notification.pk).emailed_at else "unsent",
            30,
            "delivery after the server came back",
        )
        assert [envelope.rcpt_tos for envelope in handler.envelopes] == [[member.email]]
    finally:
        controller.stop()


def test_worker_killed_mid_task_the_next_worker_runs_it_and_delivers_once(
    workers, member, other_member
):
    """A worker killed while sending an email (the mail server hung) leaves the task
    running; the next worker takes it over and the email is delivered exactly once."""
    hung_server = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    try:
        first = workers.start(
            **smtp_environment(hung_server.getsockname()[1], EMAIL_TIMEOUT_SECONDS=120)
        )
        post = discussion(member, "Pontoon survey", "Notes from the pontoon crossing survey.")
        reply_to(post, other_member, "I can help with the survey.")

        def sending():
            run = email_runs().first()
            return "" if run and run.status == TaskResultStatus.RUNNING else "not started"

        _wait_until(sending, 30, "the worker starting the email")
        first.kill()
        first.wait()
        assert email_runs().get().status == TaskResultStatus.RUNNING  # left behind

        controller, handler = start_smtp_server()
        try:
            abandoned_after = 3
            time.sleep(abandoned_after + 1)
            workers.start(
                **smtp_environment(controller.port, TASK_ABANDONED_AFTER_SECONDS=abandoned_after)
            )
            _wait_until(
                lambda: "" if Notification.objects.get(recipient=member).emailed_at else "unsent",
                30,
                "delivery by the next worker",
            )
            assert [envelope.rcpt_tos for envelope in handler.envelopes] == [[member.email]]
            run = email_runs().get()
            assert run.status == TaskResultStatus.SUCCESSFUL
            assert len(run.worker_ids) == 2
        finally:
            controller.stop()
    finally:
        hung_server.close()
