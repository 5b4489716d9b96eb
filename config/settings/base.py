"""Settings shared by every environment; what differs between deployments comes from the environment.

Every variable read here is documented in docs/configuration.md.
"""

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A .env file is a convenience for local runs; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'memoflow.sqlite3'}"


def database_from_env(url: str) -> dict[str, Any]:
    """Parse DATABASE_URL and apply what memoflow needs from each engine."""
    db: dict[str, Any] = dict(environ.Env.db_url_config(url))
    db["ATOMIC_REQUESTS"] = False  # services own their transactions (house style)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        options = db.setdefault("OPTIONS", {})
        # IMMEDIATE takes the write lock at BEGIN, so a writer waits instead of failing with
        # "database is locked" half-way through a transaction (measured: viewflow-notes.md).
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 20)
        options.setdefault(
            "init_command",
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        )
    else:
        db.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
        db.setdefault("CONN_HEALTH_CHECKS", True)
        if db["ENGINE"] == "django.db.backends.postgresql" and not env.bool("DATABASE_JIT", default=False):
            # PostgreSQL's JIT compiled the lists' mis-estimated plans for 0.25-0.8 s a query (issue 12);
            # memoflow's queries are short, and never gain from it. A URL's own ?options= is kept.
            db.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    return db


SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": database_from_env(env.str("DATABASE_URL", default=DEFAULT_SQLITE_URL))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "axes",
    "viewflow",
    "viewflow.workflow",
    "core",
    "org",
    "memos",
    "workflow",
    "signatures",
    "notifications",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.ApiErrorMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.readonly.AuditorReadOnlyMiddleware",  # an auditor changes nothing (docs/security.md)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout flagged during the request into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workflow.context_processors.my_tasks",
            ],
        },
    },
]

AUTH_USER_MODEL = "org.Person"
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Thai first, English available. Everything is stored in UTC and shown in Bangkok time.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps (.map) are fetched only by a browser's developer tools: not compressing them halves the time of
# `collectstatic` (measured in docs/deployment.md#static-files).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
# viewflow's own front end is not mounted: its static files are not collected (config/staticfiles.py).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.AppDirectoriesFinder",
]

# Background work: Django's Tasks framework with the database backend, so a job is enqueued in the same
# transaction as the change that needs it (docs/adr/0002-database-task-queue.md).
# Two queues: "default" (notifications, quick) and "render" (the memo PDFs, slow), each with its own worker, so
# a notification never waits behind a document (docs/architecture.md#the-pdf-and-the-archive).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "render"]}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "org.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API answered 500 on the memo list (no queryset) and HTML errors; the API's
    # pages are /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "core.parsers.FormParser",
        "core.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.ApiSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/min"),
        "verify": env.str("MEMOFLOW_VERIFY_THROTTLE_RATE", default="20/min"),
        "tsa": env.str("MEMOFLOW_TSA_THROTTLE_RATE", default="60/min"),
    },
    # DRF's own client-address logic is not used: org.throttles asks core.net.client_ip. Set consistently
    # anyway, so that nothing of DRF's reads a raw X-Forwarded-For.
    "NUM_PROXIES": env.int("MEMOFLOW_TRUSTED_PROXIES", default=0),
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "memoflow API",
    "DESCRIPTION": "Thai internal memo (บันทึกข้อความ) workflow and approval engine",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the pinned package, not a CDN: offices run on intranets.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A step's decision and a memo's outcome (the decision of its decision step) share one enum.
    "ENUM_NAME_OVERRIDES": {"DecisionEnum": "workflow.models.Decision"},
}

# Counters that every worker and process must share (the login throttle) live in the database:
# the table is created by a migration (org 0004), so `migrate` is enough.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "memoflow_cache"},
}

# The client's address: how many reverse proxies in front of memoflow append to X-Forwarded-For (0: none,
# use the connection's address). Used by audit rows, the login throttle and the lockout (core/net.py).
MEMOFLOW_TRUSTED_PROXIES = env.int("MEMOFLOW_TRUSTED_PROXIES", default=0)
if MEMOFLOW_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("MEMOFLOW_TRUSTED_PROXIES must be 0 or more")

# Lockout after repeated failed sign-ins (django-axes), counted in the database so that every worker and
# process shares the count: the web login, the admin login, the API token endpoint and the signing password.
# An account is locked after the limit of failures from anywhere, and an address after the limit of failures
# for any accounts; both until the cool-off has passed since the last counted failure (org/lockout.py).
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("MEMOFLOW_LOGIN_FAILURE_LIMIT", default=5)
_cooloff_minutes = env.int("MEMOFLOW_LOGIN_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = "org.lockout.lockout_parameters"
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_LOCKOUT_CALLABLE = "org.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# A success does not wipe the failures: with per-address counting, one valid account would otherwise clear
# an address's count against everybody else's. Tries during a lockout are refused and not counted, so the
# time shown ("try again after 14:30") holds.
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
if AXES_FAILURE_LIMIT < 1 or _cooloff_minutes < 1:
    raise ImproperlyConfigured(
        "MEMOFLOW_LOGIN_FAILURE_LIMIT and MEMOFLOW_LOGIN_COOLOFF_MINUTES must be 1 or more"
    )

# memoflow's own settings.
MEMOFLOW_API_TOKEN_TTL_DAYS = env.int("MEMOFLOW_API_TOKEN_TTL_DAYS", default=30)
# Registers (ทะเบียนหนังสือส่ง) restart every year: "calendar" (1 Jan, the regulation's default) or "fiscal" (1 Oct).
MEMOFLOW_REGISTER_YEAR = env.str("MEMOFLOW_REGISTER_YEAR", default="calendar")
if MEMOFLOW_REGISTER_YEAR not in ("calendar", "fiscal"):
    raise ImproperlyConfigured("MEMOFLOW_REGISTER_YEAR must be 'calendar' or 'fiscal' (ปีปฏิทิน หรือ ปีงบประมาณ)")
MEMOFLOW_ATTACHMENT_MAX_BYTES = env.int("MEMOFLOW_ATTACHMENT_MAX_MB", default=20) * 1024 * 1024
MEMOFLOW_MEMO_ATTACHMENTS_MAX_BYTES = env.int("MEMOFLOW_MEMO_ATTACHMENTS_MAX_MB", default=50) * 1024 * 1024
MEMOFLOW_IMAGE_MAX_PIXELS = env.int("MEMOFLOW_IMAGE_MAX_PIXELS", default=50_000_000)
# Signature images (ลายมือชื่อ) as uploaded or drawn, before cleaning (signatures.images).
MEMOFLOW_SIGNATURE_IMAGE_MAX_UPLOAD_BYTES = (
    env.int("MEMOFLOW_SIGNATURE_IMAGE_MAX_MB", default=8) * 1024 * 1024
)
MEMOFLOW_SIGNATURE_IMAGE_MAX_PIXELS = env.int("MEMOFLOW_SIGNATURE_IMAGE_MAX_PIXELS", default=50_000_000)
MEMOFLOW_SIGNATURE_IMAGE_MAX_SIDE = env.int("MEMOFLOW_SIGNATURE_IMAGE_MAX_SIDE", default=12_000)
# Bounded work per memo: what one memo may ask of the renderer (docs/configuration.md).
MEMOFLOW_MEMO_MAX_ENCLOSURES = env.int("MEMOFLOW_MEMO_MAX_ENCLOSURES", default=20)
MEMOFLOW_MEMO_MAX_IMAGE_PIXELS = env.int("MEMOFLOW_MEMO_MAX_IMAGE_PIXELS", default=200_000_000)
MEMOFLOW_MEMO_MAX_BODY_CHARS = env.int("MEMOFLOW_MEMO_MAX_BODY_CHARS", default=50_000)
# Due times (issue 13, core.workdays): working days a step may take per urgency, 0 = the same working day
# (ด่วนที่สุด), and the end of office hours, when a step falls due; a step that reaches its signatory after it,
# or on a weekend or holiday (org.models.Holiday), counts from the next working day (docs/configuration.md).
MEMOFLOW_DUE_WORKING_DAYS = {
    "most_urgent": 0,
    "very_urgent": 1,
    "urgent": 2,
    "normal": 3,
    **env.dict("MEMOFLOW_DUE_WORKING_DAYS", cast={"value": int}, default={}),
}
if set(MEMOFLOW_DUE_WORKING_DAYS) - {"most_urgent", "very_urgent", "urgent", "normal"} or any(
    not 0 <= days <= 60 for days in MEMOFLOW_DUE_WORKING_DAYS.values()
):
    raise ImproperlyConfigured(
        "MEMOFLOW_DUE_WORKING_DAYS takes most_urgent, very_urgent, urgent and normal, each 0 to 60 working days"
    )
MEMOFLOW_OFFICE_HOURS_END = env.str("MEMOFLOW_OFFICE_HOURS_END", default="16:30")
try:
    datetime.strptime(MEMOFLOW_OFFICE_HOURS_END, "%H:%M")
except ValueError:
    raise ImproperlyConfigured("MEMOFLOW_OFFICE_HOURS_END must be a time as HH:MM, e.g. 16:30") from None
# Reminders of overdue steps (workflow.reminders): one at the due time, then each working morning at this time
# (Bangkok); the superior is told once a step is this many working days overdue; the workers look every N
# minutes (a divisor of 60).
MEMOFLOW_REMINDER_AT = env.str("MEMOFLOW_REMINDER_AT", default="08:30")
MEMOFLOW_ESCALATE_AFTER_WORKING_DAYS = env.int("MEMOFLOW_ESCALATE_AFTER_WORKING_DAYS", default=2)
MEMOFLOW_REMINDER_SCAN_MINUTES = env.int("MEMOFLOW_REMINDER_SCAN_MINUTES", default=5)
if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", MEMOFLOW_REMINDER_AT):
    raise ImproperlyConfigured("MEMOFLOW_REMINDER_AT must be a time as HH:MM, e.g. 08:30")
if not 1 <= MEMOFLOW_ESCALATE_AFTER_WORKING_DAYS <= 60:
    raise ImproperlyConfigured("MEMOFLOW_ESCALATE_AFTER_WORKING_DAYS takes 1 to 60 working days")
if MEMOFLOW_REMINDER_SCAN_MINUTES < 1 or 60 % MEMOFLOW_REMINDER_SCAN_MINUTES:
    raise ImproperlyConfigured(
        "MEMOFLOW_REMINDER_SCAN_MINUTES must divide an hour: 1, 2, 5, 10, 15, 30 or 60"
    )
# Uploads above this size go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Notifications go out through the office's SMTP relay (local development prints them instead).
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env.str("EMAIL_HOST", default="localhost"),
            "port": env.int("EMAIL_PORT", default=25),
            "username": env.str("EMAIL_HOST_USER", default=""),
            "password": env.str("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=False),
            "timeout": 20,
        },
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="memoflow@localhost")
# The official memo PDF (memos/pdf/render.py). Laksaman (Debian fonts-tlwg-laksaman-ttf) has TH Sarabun's
# outlines drawn 1.5x larger, so official point sizes are scaled by 2/3; with TH Sarabun New files set the
# family, the files and a scale of 1.0. Digits in documents: "thai" (๐-๙, the official preference) or "arabic".
MEMOFLOW_PDF_FONT_FAMILY = env.str("MEMOFLOW_PDF_FONT_FAMILY", default="Laksaman")
MEMOFLOW_PDF_FONT_SCALE = env.float("MEMOFLOW_PDF_FONT_SCALE", default=2 / 3)
_font_dir = env.str("MEMOFLOW_PDF_FONT_DIR", default="")
MEMOFLOW_PDF_FONT_FILES = (
    {
        "regular": f"{_font_dir}/THSarabunNew.ttf",
        "bold": f"{_font_dir}/THSarabunNew Bold.ttf",
        "italic": f"{_font_dir}/THSarabunNew Italic.ttf",
        "bold_italic": f"{_font_dir}/THSarabunNew BoldItalic.ttf",
    }
    if _font_dir
    else None
)
MEMOFLOW_PDF_DIGITS = env.str("MEMOFLOW_PDF_DIGITS", default="thai")
if MEMOFLOW_PDF_DIGITS not in ("thai", "arabic"):
    raise ImproperlyConfigured("MEMOFLOW_PDF_DIGITS must be 'thai' or 'arabic'")
# A memo's PDF is rendered by the "render" worker in a child process that is killed after this many seconds.
MEMOFLOW_PDF_RENDER_TIMEOUT = env.float("MEMOFLOW_PDF_RENDER_TIMEOUT", default=60.0)
if MEMOFLOW_PDF_RENDER_TIMEOUT <= 0:
    raise ImproperlyConfigured("MEMOFLOW_PDF_RENDER_TIMEOUT must be a positive number of seconds")
# Image enclosures are printed at most at this resolution on their A4 page (larger images are scaled down).
MEMOFLOW_PDF_IMAGE_DPI = env.int("MEMOFLOW_PDF_IMAGE_DPI", default=150)
# Archived PDFs (written once, never overwritten); default: MEDIA_ROOT/archive.
MEMOFLOW_ARCHIVE_ROOT = env.str("MEMOFLOW_ARCHIVE_ROOT", default="") or None
# Signed checkpoints of the audit chain (manage.py audit_checkpoint), one JSON file each, to be copied off the server.
MEMOFLOW_AUDIT_CHECKPOINT_DIR = Path(
    env.str("MEMOFLOW_AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit-checkpoints"))
)
# The worker (manage.py memoflow_worker) beats every HEARTBEAT seconds; a job RUNNING under a worker silent for
# STALE seconds is retried, at most MAX_ATTEMPTS runs in all (core/worker.py, docs/adr/0004-task-recovery.md).
MEMOFLOW_WORKER_HEARTBEAT_SECONDS = env.float("MEMOFLOW_WORKER_HEARTBEAT_SECONDS", default=10.0)
MEMOFLOW_WORKER_STALE_SECONDS = env.float("MEMOFLOW_WORKER_STALE_SECONDS", default=60.0)
MEMOFLOW_TASK_MAX_ATTEMPTS = env.int("MEMOFLOW_TASK_MAX_ATTEMPTS", default=3)
# Scheduled jobs, run by the workers (core/schedule.py, docs/adr/0008-scheduled-jobs.md). Each app registers its
# jobs with a default time; here a job's time of day (HH:MM, Bangkok time) is changed, or the job turned off:
# MEMOFLOW_SCHEDULE=audit_checkpoint=02:30 or MEMOFLOW_SCHEDULE=audit_checkpoint=off (comma-separated pairs).
MEMOFLOW_SCHEDULE: dict[str, str] = env.dict("MEMOFLOW_SCHEDULE", default={})
for _job, _at in MEMOFLOW_SCHEDULE.items():
    if _at != "off" and not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", _at):
        raise ImproperlyConfigured(
            f"MEMOFLOW_SCHEDULE: {_job}={_at}: give a time of day as HH:MM (00:00 to 23:59) or 'off'"
        )

# No page may be framed. The one exception, the memo's PDF that the memo page shows in a frame, allows the
# application's own pages on that response only (core.http.frameable_by_own_pages).
X_FRAME_OPTIONS = "DENY"
# Common phrases one tap away on the memo page, per role of the step (override in a settings module; an
# organisation's own phrases for a role, edited in the admin, replace that role's). On the decision step the
# decision's own words (ทราบ, อนุมัติ, ไม่อนุมัติ) choose the decision.
MEMOFLOW_OPINION_PHRASES: dict[str, list[str]] = {
    "cosign": ["เห็นชอบ", "ตรวจสอบแล้ว", "เรียนเพื่อโปรดพิจารณา"],
    "opinion": ["เห็นควรพิจารณา", "เห็นควรอนุมัติ", "เห็นชอบ", "เรียนเพื่อโปรดทราบ"],
    "decision": ["ทราบ", "อนุมัติ", "ไม่อนุมัติ"],
}

# Where links in notifications point, e.g. https://memo.example.go.th
MEMOFLOW_BASE_URL = env.str("MEMOFLOW_BASE_URL", default="http://127.0.0.1:8000")
# Outbound webhooks (webhooks app, docs/integrations.md): each request's time limit (seconds, per connect and per
# read), the waits before each retry (minutes; the last one repeats), and the attempts in all before giving up.
MEMOFLOW_WEBHOOK_TIMEOUT = env.float("MEMOFLOW_WEBHOOK_TIMEOUT", default=10.0)
MEMOFLOW_WEBHOOK_RETRY_MINUTES: list[int] = [
    int(m) for m in env.list("MEMOFLOW_WEBHOOK_RETRY_MINUTES", default=["1", "5", "30", "120", "720"])
]
MEMOFLOW_WEBHOOK_MAX_ATTEMPTS = env.int("MEMOFLOW_WEBHOOK_MAX_ATTEMPTS", default=6)
if (
    MEMOFLOW_WEBHOOK_TIMEOUT <= 0
    or MEMOFLOW_WEBHOOK_MAX_ATTEMPTS < 1
    or not MEMOFLOW_WEBHOOK_RETRY_MINUTES
    or any(m < 0 for m in MEMOFLOW_WEBHOOK_RETRY_MINUTES)
):
    raise ImproperlyConfigured(
        "MEMOFLOW_WEBHOOK_TIMEOUT must be positive, MEMOFLOW_WEBHOOK_MAX_ATTEMPTS 1 or more and "
        "MEMOFLOW_WEBHOOK_RETRY_MINUTES a comma-separated list of minutes (0 or more)"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO; only its warnings matter in production logs.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Signing keys and the organisation's CA (docs/signatures.md, docs/adr/0006-signing-keys.md).
# Each person's private key is stored only encrypted (AES-256-GCM) under a key derived from their password by
# this KDF; the parameters are stored with each key, so changing them applies to keys wrapped from then on.
# Argon2id at RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes): 145 ms per derivation on a lightly
# loaded 2-core machine, 560-810 ms under heavy load (`manage.py signing_kdf_measure`).
MEMOFLOW_SIGNING_KDF: dict[str, Any] = {
    "algorithm": env.str("MEMOFLOW_SIGNING_KDF_ALGORITHM", default="argon2id"),
    "memory_cost": env.int("MEMOFLOW_SIGNING_KDF_MEMORY_KIB", default=65536),
    "iterations": env.int("MEMOFLOW_SIGNING_KDF_ITERATIONS", default=3),
    "lanes": env.int("MEMOFLOW_SIGNING_KDF_LANES", default=4),
}
if MEMOFLOW_SIGNING_KDF["algorithm"] != "argon2id":
    raise ImproperlyConfigured("MEMOFLOW_SIGNING_KDF_ALGORITHM must be 'argon2id'")
# People's keys: ec-p256 (default: Adobe Reader, pdfsig and pyHanko validate ECDSA P-256; pyHanko re-loads the
# key for each signature, which costs 0.15-0.5 s for RSA-3072 and nothing for P-256) or rsa-3072 (for readers
# that know RSA only). The CA and the seal are RSA-3072 whatever this says (docs/adr/0006-signing-keys.md).
MEMOFLOW_SIGNING_KEY_ALGORITHM = env.str("MEMOFLOW_SIGNING_KEY_ALGORITHM", default="ec-p256")
if MEMOFLOW_SIGNING_KEY_ALGORITHM not in ("rsa-3072", "ec-p256"):
    raise ImproperlyConfigured("MEMOFLOW_SIGNING_KEY_ALGORITHM must be 'rsa-3072' or 'ec-p256'")
# True: nobody signs with a password an administrator set (a new account, a reset) — they change it on the
# profile page first, which gives them a key nobody else could have opened (docs/signatures.md).
MEMOFLOW_SIGNING_REQUIRE_OWN_PASSWORD = env.bool("MEMOFLOW_SIGNING_REQUIRE_OWN_PASSWORD", default=False)
MEMOFLOW_SIGNING_CERT_DAYS = env.int("MEMOFLOW_SIGNING_CERT_DAYS", default=3 * 365)
MEMOFLOW_CA_CERT_DAYS = env.int("MEMOFLOW_CA_CERT_DAYS", default=20 * 365)
MEMOFLOW_CRL_DAYS = env.int("MEMOFLOW_CRL_DAYS", default=7)
# Secrets that unlock the CA's key (issuing certificates and CRLs) and the organisation's seal key. Long random
# strings from the environment (or a secrets manager), never in the database: a database dump alone unlocks
# neither. Empty: signing is not set up (`manage.py signing_init` refuses to run).
MEMOFLOW_CA_KEY_PASSPHRASE = env.str("MEMOFLOW_CA_KEY_PASSPHRASE", default="")
MEMOFLOW_SEAL_KEY_PASSPHRASE = env.str("MEMOFLOW_SEAL_KEY_PASSPHRASE", default="")

# Public verification of signed PDFs (/verify/, POST /api/v1/verify/): the largest file accepted, and how often
# one address may ask (each verification costs ~0.1 s of CPU per signature).
MEMOFLOW_VERIFY_MAX_BYTES = env.int("MEMOFLOW_VERIFY_MAX_MB", default=30) * 1024 * 1024

# RFC 3161 timestamp authority for every PAdES signature (B-T) and the archive timestamp (B-LTA): "" = none
# (B-B), "local" = the organisation's own TSA in process (demo, tests; also served at /pki/tsa), or the URL of
# an independent TSA — what production should use: the local one's clock is the organisation's own
# (docs/signatures.md).
# Each signatory's PAdES signature on the memo's PDF (issue 10, docs/adr/0007-pdf-signatures.md): the round's
# PDF is rendered at submit with a field per step, the writer certifies it and each step signs its field with
# their own key; the archive is that PDF with revocation data and an archive timestamp. Needs the CA
# (`manage.py signing_init`): without one, signing is refused rather than recorded without a signature.
MEMOFLOW_PDF_SIGNATURES = env.bool("MEMOFLOW_PDF_SIGNATURES", default=True)
MEMOFLOW_TSA_URL = env.str("MEMOFLOW_TSA_URL", default="")
MEMOFLOW_TSA_TIMEOUT = env.float("MEMOFLOW_TSA_TIMEOUT", default=10.0)
# The independent TSA's root certificate(s) (PEM or DER files, comma-separated): trusted for its timestamps.
MEMOFLOW_TSA_TRUST_ROOTS = env.list("MEMOFLOW_TSA_TRUST_ROOTS", default=[])
