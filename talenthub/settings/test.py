"""Fast, isolated settings for pytest and CI."""

from .base import *

DEBUG = False
DEMO_DATA_ALLOWED = True
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The fault tests' worker processes send through SMTP to a server the test runs.
EMAIL_BACKEND = os.environ.get(
    "TALENTHUB_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
ALLOWED_SIGNUP_DOMAINS = ["metro.example.jp", "example.jp"]
MEDIA_ROOT = VAR_DIR / "test-media"
# Tests never touch a real SQLite file under var/ unless DATABASE_URL says so.
if not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
# Allauth's rate limits would trip in tests that sign in many times from one address.
ACCOUNT_RATE_LIMITS = False
# Serve static files straight from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tasks run inside the request that enqueues them, unless a test switches to the database
# queue (the fault tests, whose worker processes get TASK_BACKEND=database).
TASKS = {"default": {"BACKEND": TASK_BACKENDS[os.environ.get("TASK_BACKEND", "immediate")]}}
