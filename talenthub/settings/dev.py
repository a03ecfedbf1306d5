"""Local development: the embedded default (SQLite, database search), emails on the console."""

from .base import *

DEBUG = True
DEMO_DATA_ALLOWED = True
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
ALLOWED_SIGNUP_DOMAINS = ALLOWED_SIGNUP_DOMAINS or ["example.jp"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
