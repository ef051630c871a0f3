"""Cosign settings: one file, configured only by environment variables.

Every setting has a default that runs on a laptop (SQLite, a broker with no server,
mail written to a local outbox); production differs only by environment variables.
"""

import json
import os
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COSIGN_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_raw(name: str) -> str | None:
    """The variable's value, or the content of the file its `<name>_FILE` names (a secret mounted
    by Docker, say; a final line break is not part of it); None when neither is set. Setting
    both is refused, as one of them would be ignored."""
    raw, path = os.environ.get(name), os.environ.get(f"{name}_FILE")
    if path is None:
        return raw
    if raw is not None:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        return Path(path).read_text(encoding="utf-8").removesuffix("\n").removesuffix("\r")
    except OSError as exc:
        message = f"{name}_FILE={path!r} cannot be read: {exc.strerror}."
        raise ImproperlyConfigured(message) from None


def env_str(name: str, default: str) -> str:
    raw = env_raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool) -> bool:
    raw = env_raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int) -> int:
    raw = env_raw(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_float(name: str, default: float) -> float:
    raw = env_raw(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_raw(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_json(name: str, default: dict) -> dict:
    raw = env_raw(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}.") from None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object.")
    return value


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str(
    "SECRET_KEY", "django-insecure-cosign-development-key-do-not-use-in-production"
)
if not DEBUG and SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured("Set SECRET_KEY: the development key is refused when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "ninja",
    "corsheaders",
    "letters_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "letters_app.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "letters_app.urls"
WSGI_APPLICATION = "letters_app.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # csp_nonce, for the few <script>/<style> elements written in a page.
                "django.template.context_processors.csp",
                # LANGUAGES as settings name them, each in its own language, for the switcher.
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cosign.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# The password kept out of the URL: in a file shared with PostgreSQL (DATABASE_PASSWORD_FILE).
if _database_password := env_str("DATABASE_PASSWORD", ""):
    DATABASES["default"]["PASSWORD"] = _database_password
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker started by a test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-cosign.sqlite3")}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Each transaction takes the write lock at its start, so that two workers claiming mails
    # (SKIP LOCKED is PostgreSQL's) wait for each other instead of taking the same rows.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "author:dashboard"
LOGOUT_REDIRECT_URL = "public:home"

LANGUAGE_CODE = "en"
# Each named in its own language, as the switcher shows it. English pages keep unprefixed URLs,
# French and Khmer ones live under /fr/ and /km/ (letters_app/urls/__init__.py).
LANGUAGES = [("en", "English"), ("fr", "Français"), ("km", "ខ្មែរ")]
LOCALE_PATHS = [BASE_DIR / "letters_app" / "locale"]
FORMAT_MODULE_PATH = ["letters_app.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Stored files (letter PDFs, prepared exports): web and worker must share this folder.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security: strict by default whenever DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The container's own probe asks over plain HTTP, from inside (manage.py healthcheck).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "letters_app.views.errors.csrf_failure"
# Content-Security-Policy on every response: scripts, styles, fonts and images come from our own
# static files; an inline <script> or <style> runs only with the page's nonce
# ({% csp_nonce_attr %}), and a style="" attribute never applies. Bootstrap draws some icons as
# data: images. Objects fall back to default-src 'self', so that a browser's PDF viewer still
# shows a letter's PDF.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The API (/api/v1/) may be read from any site's scripts: it answers to a bearer token, never to
# a cookie, so a page elsewhere can do nothing its visitor's session could.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
# A script may revalidate what it read (If-None-Match: 304 when unchanged).
CORS_ALLOW_HEADERS = (*cors_default_headers, "if-none-match")

# Mail: a django-anymail provider, else SMTP, else a readable outbox folder.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cosign <cosign@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAIL_PROVIDER = env_str("MAIL_PROVIDER", "")
SMTP_HOST = env_str("SMTP_HOST", "")
if not DEBUG and not (MAIL_PROVIDER or SMTP_HOST or env_raw("MAIL_OUTBOX_DIR")):
    # In production mail must leave; a folder only when asked for by name.
    raise ImproperlyConfigured(
        "Set SMTP_HOST or MAIL_PROVIDER: with DEBUG off, mail is not kept in a local folder "
        "unless MAIL_OUTBOX_DIR is set."
    )
if MAIL_PROVIDER:
    _mailer = {
        "BACKEND": f"anymail.backends.{MAIL_PROVIDER}.EmailBackend",
        "OPTIONS": env_json("MAIL_PROVIDER_OPTIONS", {}),
    }
elif SMTP_HOST:
    _mailer = {
        "BACKEND": "letters_app.mail.EmailBackend",  # Django's, keeping each message's reply
        "OPTIONS": {
            "host": SMTP_HOST,
            "port": env_int("SMTP_PORT", 587),
            "username": env_str("SMTP_USER", ""),
            "password": env_str("SMTP_PASSWORD", ""),
            "use_tls": env_bool("SMTP_USE_TLS", True),
            "use_ssl": env_bool("SMTP_USE_SSL", False),
            "timeout": env_int("SMTP_TIMEOUT", 30),
        },
    }
else:
    _mailer = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": env_str("MAIL_OUTBOX_DIR", str(VAR_DIR / "outbox"))},
    }
MAILERS = {"default": _mailer}

# Cache (rate limits, readers' letter pages): Redis when CACHE_URL is given, else one process's
# memory.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Signing. The client address is read from X-Forwarded-For only as far as the number of
# proxies we run in front of the app; anything further left was written by the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SIGNING_RATE_LIMIT = env_str("SIGNING_RATE_LIMIT", "20/h")
# The public API's read endpoints, per client address (as the proxies above report it), over a
# sliding window: "600/m" is 600 requests in any minute; empty: no limit. A client past it gets
# 429 with Retry-After.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/m")
SIGNING_MAILS_PER_ADDRESS = env_int("SIGNING_MAILS_PER_ADDRESS", 5)
CONFIRMATION_GRACE_HOURS = env_int("CONFIRMATION_GRACE_HOURS", 72)
# Unusual signing (services/incidents.py): this many signatures on one letter within the window,
# from one address (IPv6: one /64), one e-mail domain (the big public providers aside), or
# under look-alike names, open an alert mailed to the admins. Checked every minute by beat.
INCIDENT_WINDOW_MINUTES = env_int("INCIDENT_WINDOW_MINUTES", 60)
INCIDENT_ADDRESS_THRESHOLD = env_int("INCIDENT_ADDRESS_THRESHOLD", 10)
INCIDENT_DOMAIN_THRESHOLD = env_int("INCIDENT_DOMAIN_THRESHOLD", 20)
INCIDENT_NAME_THRESHOLD = env_int("INCIDENT_NAME_THRESHOLD", 5)
INCIDENT_PUBLIC_DOMAINS = env_list(
    "INCIDENT_PUBLIC_DOMAINS",
    ["gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "outlook.com", "hotmail.com",
     "hotmail.fr", "live.com", "msn.com", "icloud.com", "me.com", "aol.com", "proton.me",
     "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.ru", "yandex.ru",
     "orange.fr", "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr", "qq.com", "163.com"],
)  # fmt: skip
# Coordinators who asked for the daily summary of their letter's signatures get it once a day,
# soon after this hour (0-23, in TIME_ZONE); it covers the 24 hours up to it (services/digests.py).
DIGEST_HOUR = env_int("DIGEST_HOUR", 7)
if not 0 <= DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("DIGEST_HOUR must be an hour from 0 to 23.")
# Signers' e-mail and IP addresses are removed this many days after their letter is sent
# (services/privacy.py, run by beat); the privacy page reads it, so what it says stays true.
SIGNER_DATA_RETENTION_DAYS = env_int("SIGNER_DATA_RETENTION_DAYS", 90)
# Mail (services/mails.py). A temporary failure (4xx, no connection) is tried again after base,
# 2 × base, 4 × base … seconds (less up to a quarter, at random), never more than the cap apart,
# until MAIL_RETRY_FOR_SECONDS after the mail was queued: by default a mail outlives a mail
# server that is down for an hour.
MAIL_RETRY_FOR_SECONDS = env_int("MAIL_RETRY_FOR_SECONDS", 2 * 3600)
MAIL_RETRY_BASE_SECONDS = env_int("MAIL_RETRY_BASE_SECONDS", 30)
MAIL_RETRY_CAP_SECONDS = env_int("MAIL_RETRY_CAP_SECONDS", 300)
# Invitations to a letter's partners leave at most this many a minute for each letter, so that
# a list of thousands does not reach mail servers (and their spam filters) at once.
PARTNER_MAILS_PER_MINUTE = env_int("PARTNER_MAILS_PER_MINUTE", 60)
# A mail claimed this long ago and still "sending" lost its worker: it is sent again. Keep it
# above the send task's time limit (120 s), or a slow send still under way is sent twice.
MAIL_STUCK_SECONDS = env_int("MAIL_STUCK_SECONDS", 600)
# A worker sends for at most this long per task before it lets other tasks run.
MAIL_SEND_BUDGET_SECONDS = env_float("MAIL_SEND_BUDGET_SECONDS", 20.0)
# A change that queues a mail wakes a worker at most this often per process (0: every time);
# the beat's tick, every MAIL_TICK_SECONDS, sends whatever no wake-up did.
MAIL_KICK_SECONDS = env_float("MAIL_KICK_SECONDS", 1.0)
MAIL_KICK_EXPIRES = 60  # seconds: a wake-up not taken by then is dropped, the tick does it
MAIL_TICK_SECONDS = env_float("MAIL_TICK_SECONDS", 1.0)

# Webhooks (services/webhooks.py). An address that is, or resolves to, a private, loopback,
# link-local, reserved, multicast or unspecified address is refused when it is added and again
# before each request (DNS may change), unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: for tests and a
# self-hosted tool on the same network, which then may also use plain http (https otherwise).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
# Seconds to connect, and between two reads of the answer; the whole request is cut off at three
# times this. No redirect is followed.
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 10.0)
# The waits, in seconds, before each try after a failed one: as many more tries as waits, then
# the delivery has failed. 1 min, 5 min, 30 min, 2 h, 12 h by default.
WEBHOOK_RETRY_DELAYS = env_list("WEBHOOK_RETRY_DELAYS", ["60", "300", "1800", "7200", "43200"])
if not all(delay.isdigit() for delay in WEBHOOK_RETRY_DELAYS):
    raise ImproperlyConfigured("WEBHOOK_RETRY_DELAYS must be whole seconds, comma-separated.")
# How often beat sends the deliveries that are due again (retries, and any whose task was lost),
# and how long a delivery may stay "sending" before its worker is taken for dead and it is sent
# again (keep it above the send task's time limit, 60 s).
WEBHOOK_SWEEP_SECONDS = env_float("WEBHOOK_SWEEP_SECONDS", 15.0)
WEBHOOK_STUCK_SECONDS = env_int("WEBHOOK_STUCK_SECONDS", 300)

# Celery: kombu's filesystem transport needs no server; in and out must be one folder.
CELERY_QUEUE_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "close-letters-past-deadline": {
        "task": "letters_app.tasks.letter_close_expired_task",
        "schedule": 60.0,
    },
    "send-due-mails": {
        "task": "letters_app.tasks.mails_send_task",
        "schedule": MAIL_TICK_SECONDS,
        "options": {"expires": 10},  # ticks a busy worker did not take are dropped, not piled
    },
    "requeue-stuck-mails": {
        "task": "letters_app.tasks.mails_requeue_stuck_task",
        "schedule": 60.0,
    },
    "detect-unusual-signing": {
        "task": "letters_app.tasks.incidents_detect_task",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "send-partner-reminders": {
        "task": "letters_app.tasks.reminders_send_due_task",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "queue-coordinator-digests": {
        "task": "letters_app.tasks.digests_queue_task",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    "clean-old-exports": {
        "task": "letters_app.tasks.export_jobs_clean_task",
        "schedule": 3600.0,
    },
    "send-due-webhooks": {
        "task": "letters_app.tasks.webhook_deliveries_sweep_task",
        "schedule": WEBHOOK_SWEEP_SECONDS,
        "options": {"expires": max(WEBHOOK_SWEEP_SECONDS, 10.0)},
    },
    "purge-signer-data": {
        "task": "letters_app.tasks.signer_data_purge_task",
        "schedule": 3600.0,
    },
}

# Celery logs every task it receives, runs and schedules, and beat wakes a worker every second:
# at TASK_LOG_LEVEL INFO each of those is a line; failures show at any level.
TASK_LOG_LEVEL = env_str("TASK_LOG_LEVEL", "WARNING")
# Refused requests (4xx) log one line each, without a traceback (letters_app/logs.py): Django
# logs them on django.request, and a suspicious one on django.security.<its exception's name>.
_REFUSAL_LOGGERS = [
    "django.request",
    *(
        f"django.security.{name}"
        for name in (
            "csrf", "DisallowedHost", "DisallowedModelAdminLookup", "DisallowedModelAdminToField",
            "DisallowedRedirect", "InvalidSessionKey", "RequestDataTooBig",
            "SuspiciousFileOperation", "SuspiciousMultipartForm", "SuspiciousOperation",
            "SuspiciousSession", "TooManyFieldsSent", "TooManyFilesSent",
        )
    ),
]  # fmt: skip
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "letters_app.logs.RefusalFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        **{name: {"filters": ["refusals"]} for name in _REFUSAL_LOGGERS},
        # WeasyPrint and fontTools narrate every step of every PDF at INFO, and pikepdf greets
        # every process that loads it.
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "pikepdf")},
        **{
            name: {"level": TASK_LOG_LEVEL}
            for name in ("celery.app.trace", "celery.worker.strategy", "celery.beat")
        },
    },
}
