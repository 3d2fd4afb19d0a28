"""Settings for the Support Plans desk.

Everything that differs between a laptop and production comes from the environment:

    DEBUG            off unless "1" (make run and make test set it; production leaves it unset)
    SECRET_KEY       required to serve pages when DEBUG is off
    ALLOWED_HOSTS    comma-separated; defaults to localhost in development
    DATABASE_URL     e.g. postgres://user@host:5432/db; without it, SQLite in the project
    TIME_ZONE        the desk's time zone (default UTC)
    HELP_CENTRE_DEPARTMENT  the department (by name) of a customer's ticket that follows no
                     contract (default: the oldest department)
    AUTOMATION_RULES_PER_DEPARTMENT  active workflow rules per department (default 30)
    TIME_RULES_PER_DEPARTMENT        active time-based rules per department (default 30)
    EMAIL_URL-style  EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
                     EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
# Without DEBUG and without SECRET_KEY, commands that sign nothing (migrate, makemigrations,
# collectstatic) still run; anything that signs (a session, a form's CSRF token, a password reset)
# stops with Django's ImproperlyConfigured, and `check --deploy` reports it.

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    # Deferred work (emails): the Django Tasks API with its database backend.
    "django_tasks",
    "config.apps.TaskQueueConfig",  # django_tasks_db
    # Sign-in throttling.
    "config.apps.SignInThrottlingConfig",  # axes
    "desk",
    "customers",
    "sla",
    "plans",
    "contracts",
    "tickets",
    # Workflow rules and tasks, on top of tickets and contracts (which send it their changes).
    "automation",
    # Doors on top of the domain apps, which import none of them: the customers' help centre and
    # the REST API (with its personal tokens, schema and docs).
    "helpcentre",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI from the desk's own static files, no CDN
    "api",
    # Composition on top of every app (nothing imports them): demo data, cron, benchmark.
    "ops",
    "benchmark",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "desk.middleware.RefuseNulMiddleware",  # a NUL byte in a query or form: 400, not a 500
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "desk.middleware.PreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # The wall between customers and staff: a signed-in customer reaches only the help centre
    # (after the preferences, messages and CSP middleware, which its 403 page goes through).
    "helpcentre.middleware.CustomerWallMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in with its page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "desk.auth.ThrottledBackend",  # django-axes: refuses a locked-out user and address
    "desk.auth.PasswordBackend",  # Django's ModelBackend, permissions in one query
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "desk.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # A connection is kept ten minutes, checked before each request reuses it: the
        # statements it prepared (below) live as long. At 60 s each worker reconnected every
        # minute, and its next ticket pages planned every query again until their statements
        # were prepared anew (about five pages at 34-35 ms rather than 28, one worker).
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs seconds on the escalation run's one wide query and never pays off
    # for a desk's short queries (measured with make bench: 12.1 s with JIT, 0.38 s without).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Statements the server prepares once a connection has run them five times (psycopg's
    # threshold; Django's default never prepares): PostgreSQL then plans a page's queries once
    # per connection rather than on every request, where planning weighed more than running (the
    # ticket page's ticket read: 1.3 ms to plan, 0.2 ms to run). PostgreSQL's CPU on the ticket
    # page 7.5 -> 1.5 ms a request. Reads whose best plan depends on their values are planned
    # for them each time (desk/planning.py). Behind a pooler that cannot keep prepared
    # statements (PgBouncer before 1.21, or in transaction mode without
    # max_prepared_statements), set DATABASE_PREPARED_STATEMENTS=0.
    if os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0":
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once; SQLite serialises writes.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # An index that carries columns for PostgreSQL's index-only reads (the ledger's cycle sums)
    # is a plain index on SQLite, as it should be.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
# The help centre's invitation links are Django's password-reset tokens: each works once (it dies
# when the password is set or the contact signs in), for this long (Django's default, 3 days).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
# One date and time format per language (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# A filter's empty choice reads "Any" rather than a row of dashes.
FILTERS_EMPTY_CHOICE_LABEL = _("Any")

# Form widgets drawn by Django's Jinja2 templates of them, which take less time (desk.renderers).
FORM_RENDERER = "desk.renderers.WidgetRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}  # Bootstrap's name for messages.ERROR

# Email: console in development; SMTP (or any backend) from the environment.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "support-desk@localhost")
DESK_URL = os.environ.get("DESK_URL", "http://127.0.0.1:8000")  # emails link to the desk here
HELP_CENTRE_DEPARTMENT = os.environ.get("HELP_CENTRE_DEPARTMENT", "")
# Active workflow rules per department (SPEC section 10).
AUTOMATION_RULES_PER_DEPARTMENT = int(os.environ.get("AUTOMATION_RULES_PER_DEPARTMENT", "30"))
# Active time-based rules per department (SPEC section 11: the article's editions 5, 15, 30).
TIME_RULES_PER_DEPARTMENT = int(os.environ.get("TIME_RULES_PER_DEPARTMENT", "30"))

# Production hardening: on whenever DEBUG is off (python manage.py check --deploy is clean).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's check may come over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Deferred work: tasks are rows in the database, written in the transaction that promises them and
# run by `manage.py db_worker` (as many as needed, on any number of machines: SKIP LOCKED).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The REST API (SPEC section 12): personal tokens (django-rest-knox, digests only) or the session
# (the browsable API, the docs page); cursor pages; a service's refusal as a 400 by field.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.NewestFirst",
    "DEFAULT_PARSER_CLASSES": ["api.parsers.TextOnlyJSONParser"],  # JSON only
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.DeskAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handle",
    "PAGE_SIZE": 50,
}
KNOX_TOKEN_MODEL = "api.ApiToken"
# knox's own token model is swapped out for ours, but its migrations would still create its table
# (pointing at the users, which PostgreSQL then refuses to empty in the tests): no migrations.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"AUTH_HEADER_PREFIX": "Bearer", "TOKEN_PREFIX": "desk_", "TOKEN_TTL": None}
# Requests a token may make (DRF's rate: a number per second, minute, hour or day).
API_RATE = os.environ.get("API_RATE", "600/minute")
API_TOKENS_PER_USER = int(os.environ.get("API_TOKENS_PER_USER", "20"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Support Plans desk API",
    "DESCRIPTION": (
        "Accounts, contacts, SLAs, support plans, contracts with their credits, tickets and "
        "tasks, through the same rules as the desk's pages. Authenticate with a personal token "
        "from your preferences page: `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PriorityEnum": "desk.choices.Priority",
        "StatusEnum": "desk.choices.Status",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is locked out for AXES_COOLOFF_TIME hours; an administrator lifts it
# earlier in the back office (Axes > Access attempts) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Content-Security-Policy (django-csp): the desk's own files only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
