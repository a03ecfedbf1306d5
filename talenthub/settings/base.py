"""Settings shared by every environment; deployment values come from the environment."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from talenthub.settings import sso

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(os.environ.get("TALENTHUB_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated environment variable as a list without blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool = False) -> bool:
    """An environment variable read as a boolean (1/true/yes/on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = False
# load_demo creates admin accounts: only dev and test settings allow it.
DEMO_DATA_ALLOWED = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "talenthub",  # the task worker command and the shared task helpers
    "home",
    "profiles",
    "studyabroad",
    "community",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_filters",
    "django_countries",
    "ninja",  # the API docs' Swagger UI from the site's own static files, not a CDN
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "home.middleware.MembersOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "talenthub.csp.SitePolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "talenthub.urls"

# Content-Security-Policy (talenthub/csp.py): everything from the site itself, no inline
# script; Swagger UI and Wagtail's admin set style attributes from their scripts. No
# form-action: browsers apply it to the redirect that single sign-on makes to the identity
# provider, whose address a SAML metadata URL does not tell in advance.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [SELF],  # Wagtail's preview panel frames the site itself
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# The admin would load avatars from gravatar.com, which the policy (rightly) blocks.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.site_navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "talenthub.wsgi.application"

# Database: DATABASE_URL, or a SQLite file under var/ so the first command needs nothing else
# (an empty DATABASE_URL counts as unset).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'talenthub.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the site read while an import writes; a busy timeout avoids "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "profiles.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = "account_login"

# Sign-in: email is the login, verification is mandatory, sign-up only from staff domains.
ACCOUNT_ADAPTER = "profiles.adapters.StaffAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Talent Hub] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
ALLOWED_SIGNUP_DOMAINS = [d.lower().lstrip("@") for d in env_list("ALLOWED_SIGNUP_DOMAINS")]

# Single sign-on (talenthub/settings/sso.py): OpenID Connect and/or SAML from the environment.
# The first SSO sign-in links to the member's imported account by (verified) email.
SOCIALACCOUNT_PROVIDERS = sso.social_providers(os.environ)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_ADAPTER = "profiles.adapters.StaffSocialAccountAdapter"
# PASSWORD_LOGIN=off leaves sign-in to the identity provider alone (no password forms at all).
SOCIALACCOUNT_ONLY = not sso.password_login_enabled(os.environ)
if SOCIALACCOUNT_ONLY:
    if not SOCIALACCOUNT_PROVIDERS:
        raise ImproperlyConfigured(
            "PASSWORD_LOGIN=off needs OIDC_SERVER_URL or SAML_IDP_ENTITY_ID."
        )
    # The identity provider vouches for addresses; allauth requires no local verification.
    ACCOUNT_EMAIL_VERIFICATION = "none"
    SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
# How long an invitation (password-set link) for an imported member stays valid.
PASSWORD_RESET_TIMEOUT = 14 * 24 * 3600

# Email
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# A hung mail server fails the send after this long; the worker then retries it later.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT_SECONDS", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Talent Hub <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Internationalisation: Japanese first, English second.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# No form of the site needs more than this outside its files: a larger body is refused (400)
# before any view reads it, so an oversized post cannot tie up a worker.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# A shared cache: allauth's rate limits live here, so it must not be per-process or a dummy.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
        if os.environ.get("CACHE_URL")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

# Wagtail
WAGTAIL_SITE_NAME = "Talent Hub"
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
# Profile photos: real images only, at most 5 MB and 25 megapixels (decoding is memory-bound).
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 25_000_000
TAGGIT_CASE_INSENSITIVE = True

# The matching API: requests per caller and period (django-ninja's throttle, counted in the
# cache so every worker shares it), and how often a token's last use is written down.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/min")
WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = 300

# Search: Wagtail's database backend unless SEARCH_URL names an OpenSearch node.
SEARCH_URL = os.environ.get("SEARCH_URL", "").strip()
SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "talenthub")
SEARCH_TIMEOUT_SECONDS = float(os.environ.get("SEARCH_TIMEOUT_SECONDS", "1"))
if SEARCH_URL:
    # OpenSearch, answering from the database backend when the engine fails (search.site_search);
    # Wagtail indexes pages into both, so the fallback has the data.
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.site_search",
            "URLS": [SEARCH_URL],
            "INDEX_PREFIX": f"{SEARCH_INDEX_PREFIX}_wagtail_",
            "TIMEOUT": SEARCH_TIMEOUT_SECONDS,
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
            "FALLBACK_BACKEND": "database",
        },
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Index updates and emails are tasks. With the database backend a request only records them
# (a row in the same transaction as the change) and `manage.py run_worker` runs them, with
# retries; TASK_BACKEND=immediate runs each one inside the request that enqueued it.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASK_BACKEND = os.environ.get("TASK_BACKEND", "database")
if TASK_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND must be one of {', '.join(TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASK_BACKEND]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Tasks that queue their next run when one ends (talenthub.tasks), with their period in
# seconds; `manage.py run_worker` starts them.
PERIODIC_TASKS = {
    "search.tasks.reconcile_indexes": 20,
    "talenthub.tasks.requeue_abandoned_tasks": 60,
    "talenthub.tasks.prune_task_results": 3600,
}
# No task runs this long (engine and SMTP calls time out in seconds): one still marked as
# running was left by a worker that died, and is run again.
TASK_ABANDONED_AFTER_SECONDS = int(os.environ.get("TASK_ABANDONED_AFTER_SECONDS", "600"))
