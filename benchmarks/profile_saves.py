"""Time a member's profile save with OpenSearch up, hung and down, and how long the indexes
take to catch up afterwards.

    .venv/bin/python benchmarks/profile_saves.py [--members 200] [--saves 100] [--port 9280]

1. Builds a throw-away SQLite database with N generated members (benchmarks/member_data.py),
   starts its own OpenSearch node with bin/opensearch on --port (stopped, and its data dir
   var/opensearch/PORT removed, at the end, also after an error), builds site search
   (update_index) and the match index, and measures the in-request cost of a member's
   evidence (search.sync) and where one save's time goes (the view run in process, no HTTP).
2. Serves it with gunicorn on loopback (TASK_BACKEND=database) with `manage.py run_worker` next
   to it, signs in --users members over HTTP, and times --saves profile edit POSTs per phase,
   each loading the edit form first (untimed) and posting it back as a browser would, with new
   expertise (a tag) and a new sentence in the English biography, so the evidence changes:
     up    the engine answering;
     hung  the engine's java process stopped with SIGSTOP (SIGCONT after the phase);
     down  the engine killed with SIGKILL (started again after the phase).
   Per phase: p50/p95/max in ms as the client saw it and as gunicorn logged it, the saves over
   150 ms, and the answers that were not 2xx/3xx (every save must succeed).
3. After each phase: the seconds until the member index holds every member at the database's
   evidence version (MemberEvidence.version against each document's `version`, as
   search.engine.document_versions reads them) and until site search has no backlog and no
   queued index task, left to the worker and its periodic reconciliation (every 20 s); if the
   member index is still behind after --catch-up-timeout, `manage.py reconcile_indexes` is run.
   Then, per phase, the tasks the saves queued: how they ended, how long they waited and ran.
4. Finally checks that nothing saved was lost: each member's last save is the live revision in
   the database (with one revision per save), in its evidence and found by site search, and
   the member index holds every member at its evidence version; then counts the exceptions
   in the gunicorn and worker logs.

Loopback only; SECURE_COOKIES=0 lets the session cookie travel over plain HTTP.
"""

import argparse
import datetime
import http.cookiejar
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from member_data import write_members

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
OPENSEARCH = ROOT / "bin" / "opensearch"
PASSWORD = "bench-password-123"  # noqa: S105 - a throw-away database
PREFIX = "bench_saves"
TARGET_MS = 150
# settings.PERIODIC_TASKS: always queued, so left out of "tasks still waiting".
PERIODIC_TASKS = (
    "search.tasks.reconcile_indexes",
    "talenthub.tasks.requeue_abandoned_tasks",
    "talenthub.tasks.prune_task_results",
)
# Expertise a save adds to the member's own tags, in turn.
TOPICS = ("橋梁", "seismic retrofit", "下水道", "water treatment", "河川管理", "tunnel ventilation")
MARKER = re.compile(r"\s*Benchmark save \w+ covered [^.]*\.")


def run(*args, env=None, check=True):
    result = subprocess.run(  # noqa: S603 - our own tools with fixed arguments
        [*map(str, args)],
        cwd=ROOT,
        env=env,
        check=False,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    if check and result.returncode:
        raise RuntimeError(f"{' '.join(map(str, args[:3]))} failed:\n{result.stdout[-3000:]}")
    return result.stdout


def manage(env, *args, check=True):
    return run(PYTHON, "manage.py", *args, env=env, check=check)


def shell(env, code: str) -> dict:
    """Run Python in `manage.py shell`; its last output line is JSON."""
    output = manage(env, "shell", "-c", code)
    return json.loads(output.strip().splitlines()[-1])


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def port_in_use(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# --- the engine ------------------------------------------------------------------------------


class Engine:
    """Our own OpenSearch node on --port, started, paused, killed and stopped by pid."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.home = ROOT / "var" / "opensearch" / str(port)
        self.pid: int | None = None
        self.paused = False

    def start(self) -> float:
        started = time.perf_counter()
        run(OPENSEARCH, "start", self.port)
        self.pid = int((self.home / "opensearch.pid").read_text())
        cmdline = Path(f"/proc/{self.pid}/cmdline").read_bytes()
        if b"java" not in cmdline or str(self.home).encode() not in cmdline:
            raise RuntimeError(f"pid {self.pid} is not our OpenSearch node")
        return time.perf_counter() - started

    def pause(self):
        os.kill(self.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self):
        os.kill(self.pid, signal.SIGCONT)
        self.paused = False

    def kill(self):
        os.kill(self.pid, signal.SIGKILL)
        for _attempt in range(100):
            if not Path(f"/proc/{self.pid}").exists():
                break
            time.sleep(0.1)
        self.pid = None

    def healthy(self, wait: float = 60) -> bool:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                url = self.url + "/_cluster/health?wait_for_status=yellow&timeout=1s"
                with urllib.request.urlopen(url, timeout=3):  # noqa: S310 - loopback
                    return True
            except OSError:
                time.sleep(0.2)
        return False

    def request(self, path: str, body: dict | None = None, method: str | None = None) -> dict:
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.url + path,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.load(response)

    def member_versions(self) -> dict[int, int | None]:
        """Every member document's evidence version, by profile id (as document_versions)."""
        versions = {}
        page = self.request(
            f"/{PREFIX}_members/_search?scroll=1m",
            {"size": 2000, "_source": ["version"], "query": {"match_all": {}}},
        )
        try:
            while page["hits"]["hits"]:
                for hit in page["hits"]["hits"]:
                    versions[int(hit["_id"])] = hit["_source"].get("version")
                page = self.request(
                    "/_search/scroll", {"scroll": "1m", "scroll_id": page["_scroll_id"]}
                )
        finally:
            self.request("/_search/scroll", {"scroll_id": page["_scroll_id"]}, method="DELETE")
        return versions

    def stop(self):
        if self.pid and self.paused:
            self.resume()
        run(OPENSEARCH, "stop", self.port, check=False)


# --- the database, read directly (no Django start-up between polls) -------------------------


class Database:
    def __init__(self, path: Path):
        self.path = path

    def query(self, sql: str, params=()) -> list[tuple]:
        connection = sqlite3.connect(self.path, timeout=20)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def evidence_versions(self) -> dict[int, int]:
        return dict(self.query("SELECT profile_id, version FROM search_memberevidence"))

    def site_search_pending(self) -> tuple[int, int]:
        """Backlog entries, and index tasks queued or running (periodic ones left out)."""
        backlog = self.query("SELECT count(*) FROM search_sitesearchbacklog")[0][0]
        marks = ",".join("?" * len(PERIODIC_TASKS))  # placeholders only, no values
        sql = "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN "
        sql += f"('READY', 'RUNNING') AND task_path NOT IN ({marks})"
        tasks = self.query(sql, PERIODIC_TASKS)[0][0]
        return backlog, tasks

    def tasks(self) -> list[tuple]:
        """(path, status, enqueued, started, finished) of every task, times as UTC datetimes."""

        def moment(text):
            return (
                datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC) if text else None
            )

        rows = self.query(
            "SELECT task_path, status, enqueued_at, started_at, finished_at "
            "FROM django_tasks_database_dbtaskresult"
        )
        return [(path, status, *map(moment, times)) for path, status, *times in rows]


def members_behind(engine: Engine, database: Database) -> int | None:
    """Members whose document is missing or older than the evidence (+ documents of no
    member); None when the engine does not answer."""
    try:
        in_engine = engine.member_versions()
    except (OSError, ValueError, KeyError):
        return None
    in_database = database.evidence_versions()
    behind = sum(1 for pk, version in in_database.items() if in_engine.get(pk) != version)
    return behind + sum(1 for pk in in_engine if pk not in in_database)


def wait_until_caught_up(engine, database, since: float, timeout: float) -> dict:
    """Seconds from `since` until the member index and then site search are in step."""
    result = {"members": None, "site_search": None, "behind": None, "pending": None}
    deadline = since + timeout
    while time.monotonic() < deadline:
        if result["members"] is None:
            behind = members_behind(engine, database)
            result["behind"] = behind
            if behind == 0:
                result["members"] = time.monotonic() - since
        if result["site_search"] is None:
            pending = database.site_search_pending()
            result["pending"] = pending
            if pending == (0, 0):
                result["site_search"] = time.monotonic() - since
        if result["members"] is not None and result["site_search"] is not None:
            break
        time.sleep(0.25)
    return result


# --- the site --------------------------------------------------------------------------------


def site_env(work: Path, search_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"SEARCH_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="talenthub.settings.production",
        SECRET_KEY="benchmark-only-secret-key-0123456789abcdefghijklmnop",  # noqa: S106
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        TALENTHUB_VAR_DIR=str(work),
        SEARCH_URL=search_url,
        SEARCH_INDEX_PREFIX=PREFIX,
        TASK_BACKEND="database",
    )
    return env


SET_PASSWORDS = """
import json
from profiles.models import User
emails = {emails!r}
for user in User.objects.filter(email__in=emails):
    user.set_password({password!r})
    user.save(update_fields=["password"])
print(json.dumps({{"users": User.objects.filter(email__in=emails).count()}}))
"""

EVIDENCE_COST = """
import json, statistics, time
from django.db import transaction
from profiles.models import ProfilePage
from search.evidence import build_evidence
from search.glossary import get_glossary
from search.sync import profiles_with_evidence_relations, sync_profiles
get_glossary()
ids = list(ProfilePage.objects.live().order_by("pk").values_list("pk", flat=True)[:{sample}])
build, sync = [], []
for pk in ids:
    started = time.perf_counter()
    build_evidence(profiles_with_evidence_relations().get(pk=pk))
    build.append((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        started = time.perf_counter()
        sync_profiles([pk])  # load, build, store, enqueue: what the save's on_commit runs
        sync.append((time.perf_counter() - started) * 1000)
        transaction.set_rollback(True)
# Where a save's time goes: the view in this process (no HTTP), its parts timed by wrapping.
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
import search.signal_handlers
from profiles.forms import ProfileForm
from profiles.tests.helpers import edit_url, profile_form_data
from wagtail.models import Page, Revision
parts = {{}}
def timed(owner, name, label):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            parts.setdefault(label, []).append((time.perf_counter() - started) * 1000)
    setattr(owner, name, wrapper)
timed(ProfileForm, "is_valid", "form validation")
timed(Page, "save_revision", "save_revision")
timed(Revision, "publish", "publish")
timed(search.signal_handlers, "sync_profiles", "sync_profiles (on commit)")
page = ProfilePage.objects.live().order_by("-pk").first()
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(page.user)
totals, queries = [], []
for number in range(21):
    page = ProfilePage.objects.get(pk=page.pk)
    data = profile_form_data(page, bio_en=page.bio_en + f" Saved in process {{number}}.",
                             base_revision=str(page.latest_revision_id or 0))
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.post(edit_url(page), data)
        totals.append((time.perf_counter() - started) * 1000)
    queries.append(len(captured.captured_queries))
    assert response.status_code == 302, response.status_code
    if number == 0:  # the first warms caches up
        totals.clear(); queries.clear(); parts.clear()
print(json.dumps({{"build": build, "sync": sync, "post": totals, "queries": queries,
                  "parts": parts}}))
"""

FINAL_CHECK = """
import json
from wagtail.search.backends import get_search_backend
from profiles.models import ProfilePage
from search.models import MemberEvidence, SiteSearchBacklog
from search.site_search import used_fallback
expected = json.load(open({path!r}))
problems, site_search_found = [], 0
for email, last in expected.items():
    page = ProfilePage.objects.get(user__email=email)
    where = email + " (" + last["marker"] + ")"
    live = page.live_revision_id == page.latest_revision_id
    if not page.live or page.has_unpublished_changes or not live:
        problems.append(where + ": the last save is not the live revision")
    if last["marker"] not in page.bio_en:
        problems.append(where + ": biography without the last save")
    if last["topic"].lower() not in {{t.name.lower() for t in page.tags.all()}}:
        problems.append(where + ": tags without the last save")
    if page.revisions.count() != last["revisions"]:
        count = page.revisions.count()
        problems.append(where + f": {{count}} revisions, expected {{last['revisions']}}")
    evidence = MemberEvidence.objects.get(profile=page)
    if not any(last["marker"] in s for s in evidence.data["texts"]["bio"]):
        problems.append(where + ": evidence without the last save")
    results = get_search_backend("default").search(last["marker"], ProfilePage)
    pks = [p.pk for p in results]
    if used_fallback(results):
        problems.append(where + ": site search answered from the database")
    if page.pk in pks:
        site_search_found += 1
    else:
        problems.append(where + ": site search does not find the last save")
print(json.dumps({{
    "members": len(expected), "problems": problems, "site_search_found": site_search_found,
    "backlog": SiteSearchBacklog.objects.count(),
    "evidence": {{str(e.profile_id): [e.version, e.engine_version]
                 for e in MemberEvidence.objects.filter(profile__user__email__in=expected)}},
}}))
"""


class Server:
    """gunicorn on loopback with an access log of each request's time, and the task worker."""

    def __init__(self, env: dict, port: int, work: Path):
        self.url = f"http://127.0.0.1:{port}"
        self.access_log = work / "access.log"
        self.logs = {name: (work / f"{name}.log").open("w") for name in ("gunicorn", "worker")}
        self.web = subprocess.Popen(  # noqa: S603
            [
                *(PYTHON, "-m", "gunicorn", "talenthub.wsgi", "-b", f"127.0.0.1:{port}"),
                *("-w", "2", "--access-logfile", str(self.access_log)),
                *("--access-logformat", "%(m)s %(U)s %(s)s %(D)s"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.logs["gunicorn"],
            stderr=subprocess.STDOUT,
        )
        self.worker = subprocess.Popen(  # noqa: S603
            [PYTHON, "manage.py", "run_worker", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=self.logs["worker"],
            stderr=subprocess.STDOUT,
        )
        for _attempt in range(150):
            try:
                urllib.request.urlopen(self.url + "/accounts/login/", timeout=2)  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def post_times(self, first_line: int) -> tuple[list[float], int]:
        """Server-side ms of the edit POSTs logged from line `first_line` on; next line."""
        lines = self.access_log.read_text().splitlines()
        times = [
            int(line.split()[3]) / 1000
            for line in lines[first_line:]
            if line.startswith("POST /members/me/edit/")
        ]
        return times, len(lines)

    def stop(self):
        for process in (self.web, self.worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.web, self.worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.logs.values():
            log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FormFields(HTMLParser):
    """The controls a browser would submit from the profile form (no file, no submit)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[list[str]] = []
        self._in_form = False
        self._select: list | None = None  # [name, first option value, selected value]
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            self._in_form = "profile-form" in attrs.get("class", "").split()
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append([name, attrs.get("value", "on")])
            elif kind not in {"file", "submit", "button", "image", "reset"}:
                self.fields.append([name, attrs.get("value", "")])
        elif tag == "select" and name:
            self._select = [name, None, None]
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in attrs:
                self._select[2] = value
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            name, first, selected = self._select
            self.fields.append([name, selected if selected is not None else (first or "")])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # A browser drops the newline that follows <textarea>.
            self.fields.append([name, text[1:] if text.startswith("\n") else text])
            self._textarea = None


class Member:
    """One signed-in member with their own cookies, saving their profile from the edit form."""

    def __init__(self, site: str, email: str):
        self.site = site
        self.email = email
        self.edit_url = site + "/members/me/edit/"
        self.cookies = http.cookiejar.CookieJar()
        cookie_handler = urllib.request.HTTPCookieProcessor(self.cookies)
        self.browser = urllib.request.build_opener(cookie_handler)
        self.poster = urllib.request.build_opener(cookie_handler, _NoRedirect())
        self.original_tags: str | None = None
        self.saved = 0
        self.last: dict | None = None

    def sign_in(self):
        login_url = self.site + "/accounts/login/"
        page = self.browser.open(login_url, timeout=30).read().decode()
        token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "login": self.email, "password": PASSWORD}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback
            login_url, data=data, headers={"Referer": login_url}
        )
        with self.browser.open(request, timeout=30) as response:
            if "/accounts/login/" in response.geturl():
                raise RuntimeError(f"could not sign in as {self.email}")

    def form(self) -> list[list[str]]:
        with self.browser.open(self.edit_url, timeout=30) as response:
            parser = FormFields()
            parser.feed(response.read().decode())
        fields = parser.fields
        if not any(name == "base_revision" for name, _value in fields):
            raise RuntimeError("the edit form has no base_revision field")
        return fields

    def save(self, marker: str, topic: str) -> tuple[float, int, str]:
        """Load the form, change expertise and biography, post it: (ms, status, error)."""
        fields = self.form()
        for field in fields:
            name, value = field
            if name == "tags":
                if self.original_tags is None:
                    self.original_tags = value
                field[1] = ", ".join(t for t in (self.original_tags, f'"{topic}"') if t)
            elif name == "bio_en":
                sentence = f"Benchmark save {marker} covered {topic}."
                field[1] = (MARKER.sub("", value).rstrip() + " " + sentence).strip()
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.edit_url,
            data=urllib.parse.urlencode([tuple(field) for field in fields]).encode(),
            headers={"Referer": self.edit_url},
        )
        started = time.perf_counter()
        error = ""
        try:
            with self.poster.open(request, timeout=60) as response:
                status = response.status
                body = response.read()
        except urllib.error.HTTPError as answer:
            status, body = answer.code, answer.read()
        except OSError as failure:
            status, body, error = 0, b"", f"{type(failure).__name__}: {failure}"
        elapsed = (time.perf_counter() - started) * 1000
        if 200 <= status < 400:
            self.saved += 1
            self.last = {"marker": marker, "topic": topic}
        elif not error:
            text = re.sub(r"<[^>]+>", " ", body.decode(errors="replace"))
            errors = re.findall(r"errorlist[^>]*>(.*?)</ul>", body.decode(errors="replace"), re.S)
            error = f"HTTP {status}: " + (" | ".join(errors) or " ".join(text.split())[:300])
        return elapsed, status, error


# --- the benchmark ---------------------------------------------------------------------------


def prepare(work: Path, env: dict, members: int, users: int) -> list[str]:
    manage(env, "migrate", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    started = time.perf_counter()
    members_file = write_members(work / "members.jsonl", members)
    # Indexed as it is loaded (like bin/demo's load_demo), so no task is left queued.
    output = manage({**env, "TASK_BACKEND": "immediate"}, "import_members", members_file)
    summary = next((line for line in output.splitlines() if line.startswith("created")), "?")
    # Site search's indexes with their mapping (README): without it the import's writes leave
    # an index of dynamic mapping that finds nothing.
    manage(env, "update_index")
    manage(env, "rebuild_match_index")
    print(
        f"import: {summary}; site search and match index built "
        f"({time.perf_counter() - started:.0f} s)"
    )
    emails = [f"bench.member{number:05d}@example.jp" for number in range(1, users + 1)]
    shell(env, SET_PASSWORDS.format(emails=emails, password=PASSWORD))
    return emails


def evidence_cost(env: dict, sample: int):
    timings = shell(env, EVIDENCE_COST.format(sample=sample))

    def line(label, values):
        print(
            f"  {label:34} p50 {statistics.median(values):6.1f} ms   "
            f"p95 {percentile(values, 95):6.1f} ms   max {max(values):6.1f} ms  (n={len(values)})"
        )

    print(f"In-request cost of a member's evidence ({sample} members, warm process):")
    line("build_evidence (load + build)", timings["build"])
    line("sync_profiles (+ store, enqueue)", timings["sync"])
    print(
        "One save through the view in process (no HTTP, no engine call), "
        f"{statistics.median(timings['queries']):.0f} SQL queries:"
    )
    line("whole POST", timings["post"])
    for label, values in timings["parts"].items():
        line(f"  {label}", values)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def save_phase(members: list[Member], phase: str, saves: int, server: Server):
    _times, first_line = server.post_times(0)
    windows[phase] = [now(), None]
    timings, failures = [], []
    for number in range(saves):
        member = members[number % len(members)]
        marker = f"bsv{phase}{number:03d}x"
        elapsed, _status, error = member.save(marker, TOPICS[number % len(TOPICS)])
        timings.append(elapsed)
        if error:
            failures.append(f"{member.email} #{number}: {error}")
    server_times, _next = server.post_times(first_line)
    windows[phase][1] = now() + datetime.timedelta(seconds=1)  # the last on_commit enqueues
    return timings, server_times, failures


windows: dict[str, list] = {}  # phase: [first save, last save] (UTC)
PHASE_NAMES = {"u": "up", "h": "hung", "d": "down"}


def spread(values) -> str:
    return f"{statistics.median(values):5.2f} / {max(values):5.2f}" if values else "-"


def report_tasks(database: Database):
    """Per phase and task: how many the saves queued, how they ended, how long they waited
    in the queue and ran (the worker runs one at a time)."""
    tasks = database.tasks()
    header = f"{'count':>6}  {'statuses':24} {'waited s':>13} {'ran s':>13}"
    print(f"\n{'tasks the saves queued':40} {header}")
    print(f"{'':40} {'':6}  {'':24} {'p50 / max':>13} {'p50 / max':>13}")
    for phase, (start, end) in windows.items():
        queued = [t for t in tasks if start <= t[2] <= end and t[0] not in PERIODIC_TASKS]
        for path in sorted({t[0] for t in queued}):
            rows = [t for t in queued if t[0] == path]
            statuses = Counter(t[1] for t in rows)
            waited = [(t[3] - t[2]).total_seconds() for t in rows if t[3]]
            ran = [(t[4] - t[3]).total_seconds() for t in rows if t[3] and t[4]]
            label = f"{PHASE_NAMES[phase]}: {path.rsplit('.', 1)[-1]}"
            status_text = ", ".join(f"{k.lower()} {v}" for k, v in sorted(statuses.items()))
            print(
                f"{label:40} {len(rows):6}  {status_text:24} {spread(waited):>13} {spread(ran):>13}"
            )


def report_phase(phase: str, timings, server_times, failures):
    over = sum(1 for t in timings if t > TARGET_MS)
    line = (
        f"{phase:6} {len(timings):6} {statistics.median(timings):8.1f} "
        f"{percentile(timings, 95):8.1f} {max(timings):8.1f} {over:7} {len(failures):7}"
    )
    if server_times:
        line += (
            f"   gunicorn: {statistics.median(server_times):.1f} / "
            f"{percentile(server_times, 95):.1f} / {max(server_times):.1f}"
        )
    print(line)
    for failure in failures[:5]:
        print(f"         failed: {failure}")


def logged_errors(path: Path) -> "Counter[str]":
    """Each logged traceback's message and the exception it ended with (the last of a chain),
    counted."""
    errors: Counter[str] = Counter()
    message, previous, pending = "", "", None
    in_traceback = chained = False
    for line in path.read_text().splitlines():
        if pending is not None and line.strip():
            if line.startswith(("The above exception", "During handling")):
                pending, chained = None, True
                continue
            errors[pending] += 1
            pending = None
        if line.startswith("Traceback"):
            if not chained:
                message = re.sub(r"<[^>]*>", "<…>", previous)
            in_traceback, chained = True, False
        elif in_traceback and line and not line.startswith(" "):
            message = re.sub(r"id=[0-9a-f-]+", "id=…", message)
            pending = f"{message} → {line}" if message else line
            in_traceback = False
        elif not in_traceback and line and not line.startswith(" "):
            previous = line
    if pending is not None:
        errors[pending] += 1
    return errors


def report_catch_up(label: str, caught: dict, timeout: float):
    def seconds(value):
        return f"{value:.1f} s" if value is not None else f"not within {timeout:.0f} s"

    detail = ""
    if caught["members"] is None:
        detail += f" ({caught['behind']} members behind)"
    if caught["site_search"] is None:
        detail += f" (backlog, queued tasks: {caught['pending']})"
    print(
        f"  {label}: member index in step after {seconds(caught['members'])}, "
        f"site search after {seconds(caught['site_search'])}{detail}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--saves", type=int, default=100, help="timed saves per phase")
    parser.add_argument("--users", type=int, default=10, help="members who save, in turn")
    parser.add_argument("--port", type=int, default=9280, help="our OpenSearch node's port")
    parser.add_argument("--web-port", type=int, default=8131)
    parser.add_argument("--catch-up-timeout", type=float, default=120)
    args = parser.parse_args()
    args.users = min(args.users, args.members)

    for port in (args.port, args.web_port):
        if port_in_use(port):
            print(f"port {port} is in use; choose another", file=sys.stderr)
            return 2
    engine = Engine(args.port)
    if engine.home.exists():
        # Left by an earlier run on this port (nothing answers there): start afresh.
        print(f"removing the stale {engine.home.relative_to(ROOT)}")
        shutil.rmtree(engine.home)
    server = None
    with tempfile.TemporaryDirectory(prefix="talenthub-saves-bench-") as tmp:
        work = Path(tmp)
        try:
            print(f"OpenSearch on port {args.port}: started in {engine.start():.0f} s")
            env = site_env(work, engine.url)
            database = Database(work / "bench.sqlite3")
            emails = prepare(work, env, args.members, args.users)
            evidence_cost(env, min(50, args.members))

            server = Server(env, args.web_port, work)
            members = [Member(server.url, email) for email in emails]
            for member in members:
                member.sign_in()
            for number, member in enumerate(members):  # warm-up: each gunicorn worker, untimed
                _ms, _status, error = member.save(f"bsvwarm{number:03d}x", TOPICS[0])
                if error:
                    raise RuntimeError(f"warm-up save failed: {error}")
            caught = wait_until_caught_up(engine, database, time.monotonic(), 60)
            if caught["members"] is None:
                raise RuntimeError(f"the worker did not index the warm-up saves: {caught}")

            print(
                f"\n{args.saves} profile edit POSTs per phase by {len(members)} members "
                f"({args.members} members in all); ms as the client saw them\n"
                f"{'phase':6} {'saves':>6} {'p50':>8} {'p95':>8} {'max':>8} "
                f"{'>' + str(TARGET_MS) + 'ms':>7} {'failed':>7}"
            )
            catch_ups = []
            # Engine up.
            timings, server_times, failures = save_phase(members, "u", args.saves, server)
            report_phase("up", timings, server_times, failures)
            caught = wait_until_caught_up(engine, database, time.monotonic(), args.catch_up_timeout)
            catch_ups.append(("after 'up' (worker lag)", caught))

            # Engine hung: SIGSTOP, then SIGCONT.
            engine.pause()
            timings, server_times, failures = save_phase(members, "h", args.saves, server)
            engine.resume()
            report_phase("hung", timings, server_times, failures)
            resumed = time.monotonic()
            caught = wait_until_caught_up(engine, database, resumed, args.catch_up_timeout)
            catch_ups.append(("after SIGCONT", caught))

            # Engine down: SIGKILL, then a new start on the same data.
            engine.kill()
            timings, server_times, failures = save_phase(members, "d", args.saves, server)
            report_phase("down", timings, server_times, failures)
            restart = engine.start()
            restarted = time.monotonic()
            caught = wait_until_caught_up(engine, database, restarted, args.catch_up_timeout)
            catch_ups.append((f"after restart (node up again in {restart:.0f} s)", caught))

            print("\nCatch-up, left to the worker and its periodic reconciliation (20 s):")
            for label, caught in catch_ups:
                report_catch_up(label, caught, args.catch_up_timeout)
            if caught["members"] is None or caught["site_search"] is None:
                print("  running manage.py reconcile_indexes:")
                output = manage(env, "reconcile_indexes", check=False)
                print("    " + "\n    ".join(output.strip().splitlines()))
                report_catch_up(
                    "after reconcile_indexes",
                    wait_until_caught_up(engine, database, time.monotonic(), 30),
                    30,
                )

            report_tasks(database)

            expected = {
                member.email: {**member.last, "revisions": 1 + member.saved}
                for member in members
                if member.last
            }
            (work / "expected.json").write_text(json.dumps(expected))
            check = shell(env, FINAL_CHECK.format(path=str(work / "expected.json")))
            behind = members_behind(engine, database)
            print(
                f"\nNothing lost? {check['members']} members' last saves: "
                f"{len(check['problems'])} problems; site search finds "
                f"{check['site_search_found']}/{check['members']}; backlog {check['backlog']}; "
                f"member index documents behind the database: {behind}"
            )
            for problem in check["problems"][:10]:
                print(f"  {problem}")
            for name in ("gunicorn", "worker"):
                errors = logged_errors(work / f"{name}.log")
                print(f"Exceptions in the {name} log: {sum(errors.values())}")
                for error, count in errors.most_common(6):
                    print(f"  {count:5} x {error[:200]}")
        except BaseException:
            for name in ("gunicorn", "worker"):
                log = work / f"{name}.log"
                if log.exists():
                    print(f"--- last lines of {name}.log ---", file=sys.stderr)
                    print("\n".join(log.read_text().splitlines()[-30:]), file=sys.stderr)
            raise
        finally:
            if server is not None:
                server.stop()
            engine.stop()
            shutil.rmtree(engine.home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
