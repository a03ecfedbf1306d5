"""Time a discussion category page holding N posts on the embedded default (SQLite).

    .venv/bin/python benchmarks/community_listing.py [--posts 5000] [--requests 200]

Builds a throw-away database with N posts (a third of them with replies), then requests the
category page (first page, then a later page, then sorted by replies) through gunicorn on
loopback and prints p50/p95.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")

BUILD = """
import random, sys
from django.db.models.signals import post_save
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.signal_handlers import disable_reference_index_auto_update
from home.site_structure import ensure_site_structure
from community.demo import ensure_community
from community.models import CategoryPage, DiscussionPostPage, Reply
from profiles.models import User
from allauth.account.models import EmailAddress
posts = int(sys.argv[1])
home, _ = ensure_site_structure()
category = CategoryPage.objects.child_of(ensure_community(home)).get(slug="exchange")
author = User.objects.create_user(email="bench@example.jp", password="bench-password-123")
EmailAddress.objects.create(user=author, email=author.email, verified=True, primary=True)
post_save.disconnect(post_save_signal_handler, sender=DiscussionPostPage)
random.seed(1)
with disable_reference_index_auto_update():
    for i in range(posts):
        post = category.add_child(instance=DiscussionPostPage(
            title=f"Post {i}", body="Sample body " * 20, author=author, live=True))
        if i % 3 == 0:
            Reply.objects.bulk_create([Reply(post=post, author=author, body="reply")
                                       for _ in range(random.randint(1, 5))])
print("built", posts)
"""


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="talenthub-community-bench-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "talenthub.settings.production",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnop",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            "TALENTHUB_VAR_DIR": tmp,
        }
        env.pop("SEARCH_URL", None)
        manage = [PYTHON, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)  # noqa: S603
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)  # noqa: S603
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [*manage, "shell", "-c", BUILD.replace("sys.argv[1]", str(args.posts))],
            env=env,
            check=True,
        )
        print(f"built {args.posts} posts in {time.perf_counter() - started:.0f} s")
        server = subprocess.Popen(  # noqa: S603
            [PYTHON, "-m", "gunicorn", "talenthub.wsgi", "-b", "127.0.0.1:8111", "-w", "2"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
            for _attempt in range(100):
                try:
                    opener.open("http://127.0.0.1:8111/accounts/login/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            login = opener.open("http://127.0.0.1:8111/accounts/login/").read().decode()
            token = login.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
            data = f"csrfmiddlewaretoken={token}&login=bench@example.jp&password=bench-password-123"
            request = urllib.request.Request(
                "http://127.0.0.1:8111/accounts/login/",
                data=data.encode(),
                headers={"Referer": "http://127.0.0.1:8111/accounts/login/"},
            )
            opener.open(request)
            print(f"\n{'page':34} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}")
            for label, query in (
                ("first page, latest activity", ""),
                ("page 100", "?page=100"),
                ("most replies this month", "?sort=replies"),
            ):
                url = "http://127.0.0.1:8111/community/exchange/" + query
                opener.open(url).read()
                timings = []
                for _request in range(args.requests):
                    started = time.perf_counter()
                    body = opener.open(url).read()
                    timings.append((time.perf_counter() - started) * 1000)
                if b"post-summary" not in body:
                    raise RuntimeError("the category page did not list posts")
                print(
                    f"{label:34} {len(timings):9} {statistics.median(timings):8.1f} "
                    f"{percentile(timings, 95):8.1f}"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
