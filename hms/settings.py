"""HMS settings: one module, driven by the environment.

Every variable is documented in README.md ("Configuration"). A fresh clone runs on embedded
defaults (SQLite under var/, local-memory cache, filesystem Celery broker, e-mail written to
files); production sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DJANGO_DEBUG=false.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from hms.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("HMS_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()


def _running_tests() -> bool:
    # pytest is the only test runner of this project (see pyproject.toml).
    return Path(sys.argv[0]).name in {"pytest", "py.test"} or "pytest" in sys.argv[0]


TESTING = env.bool("DJANGO_TESTING", default=_running_tests())
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Bench mode exposes /_bench/hello, the trivial baseline view of the benchmark (bench/).
BENCH_MODE = env.bool("HMS_BENCH_MODE", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-dev-only-key-never-use-in-production-0123456789abcdef"
    elif env.bool("HMS_HELP_ONLY", default=False):
        # Set by manage.py for `help` and `<command> --help`, which sign nothing: the ops
        # commands are listed and explained before the real key is in place.
        SECRET_KEY = get_random_secret_key()
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or DJANGO_DEBUG=true for local development)."
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if (DEBUG or TESTING) else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Hospital -------------------------------------------------------------------------------
HOSPITAL_NAME = env.str("HOSPITAL_NAME", default="HMS General Hospital")
HOSPITAL_ADDRESS = env.str("HOSPITAL_ADDRESS", default="1 Health Street, Springfield")
HOSPITAL_PHONE = env.str("HOSPITAL_PHONE", default="+44 20 7946 0000")
# ISO 4217 code of the fees shown on every page (hms.lib.money, the `money` filter).
HOSPITAL_CURRENCY = env.str("HOSPITAL_CURRENCY", default="GBP").upper()
TIME_ZONE = env.str("HOSPITAL_TIME_ZONE", default="Europe/London")
# A reminder claimed by a worker that then died is sent by another after this many seconds.
HMS_NOTIFICATION_CLAIM_TIMEOUT = env.int("NOTIFICATION_CLAIM_TIMEOUT", default=600)
# How many reverse proxies (load balancers) append to X-Forwarded-For in front of HMS; the access
# log takes the client address from there. 0: use the connection's address.
HMS_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Booking rules (scheduling): how far ahead, how short notice, until when patients may cancel.
HMS_BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=14)
HMS_BOOKING_MIN_NOTICE_MINUTES = env.int("BOOKING_MIN_NOTICE_MINUTES", default=60)
HMS_PATIENT_CANCEL_CUTOFF_MINUTES = env.int("PATIENT_CANCEL_CUTOFF_MINUTES", default=120)
# Appointments still booked this long after their start become no-shows (a beat job); 0: off.
HMS_NO_SHOW_AFTER_MINUTES = env.int("NO_SHOW_AFTER_MINUTES", default=0)
# How long a freed slot offered to the first patient on the waitlist is held for them.
WAITLIST_HOLD_MINUTES = env.int("WAITLIST_HOLD_MINUTES", default=30)
# Where the site is reached, for links in e-mails sent by background jobs (no request there).
HMS_BASE_URL = env.str("HMS_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Calendar feeds (scheduling/feeds.py): the days they cover back and ahead, how often one
# address may be fetched, and the domain in event UIDs (keep it when the site's address moves,
# or calendar apps see every appointment as a new event).
HMS_CALENDAR_FEED_PAST_DAYS = env.int("CALENDAR_FEED_PAST_DAYS", default=30)
HMS_CALENDAR_FEED_FUTURE_DAYS = env.int("CALENDAR_FEED_FUTURE_DAYS", default=366)
HMS_CALENDAR_FEED_FETCHES_PER_MINUTE = env.int("CALENDAR_FEED_FETCHES_PER_MINUTE", default=6)
HMS_CALENDAR_UID_DOMAIN = env.str(
    "CALENDAR_UID_DOMAIN", default=urlsplit(HMS_BASE_URL).hostname or "hms.local"
)
# Phone numbers typed without a country code are read as numbers of this region.
PHONENUMBER_DEFAULT_REGION = env.str("HOSPITAL_PHONE_REGION", default="GB")
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
USE_TZ = True
LANGUAGE_CODE = "en-gb"
USE_I18N = True

# --- Applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django.forms",
    "django_celery_beat",
    "django_filters",
    "phonenumber_field",
    "simple_history",
    "hms.lib.outbox",
    "hms",
    "accounts",
    "clinic",
    "scheduling",
    "records",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hms.middleware.CleanQueryStringMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hms.middleware.PrivatePagesMiddleware",
    # Secure by default: every view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "scheduling.middleware.DoctorNotChosenMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Records who made each change in the versioned models (visit records, prescriptions).
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "hms.urls"
WSGI_APPLICATION = "hms.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

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
                "hms.context_processors.hospital",
                "hms.context_processors.navigation",
            ],
            "builtins": ["hms.lib.template_filters"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hms.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server, the Celery worker and beat read while one writes; IMMEDIATE takes
    # the write lock at BEGIN, so two bookings serialise instead of failing with "database locked"
    # half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests use a file too (not shared-cache memory), so concurrency tests see real SQLite locking;
    # one per test process, so two runs in one checkout don't share (and corrupt) one file.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-hms-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        # Redis first; when Redis is unreachable the cache fails over to the database table
        # below and logs, so pages, login rate limits and sessions keep working.
        "default": {
            "BACKEND": "hms.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="hms"),
            "TIMEOUT": 300,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "FALLBACK_ALIAS": "fallback",
                "RETRY_AFTER": 10,
            },
        },
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hms_cache_fallback",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "hms-default",
        },
    }

# With Redis, sessions are read from the shared cache (and kept in the database). Without it the
# cache is per process, and a session ended in one process (sign-out) would live on in another's
# copy: then sessions are read from the database only.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
# Minutes without a request after which a user is signed out (staff: admins and doctors).
HMS_IDLE_TIMEOUT_STAFF = env.int("IDLE_TIMEOUT_STAFF_MINUTES", default=15)
HMS_IDLE_TIMEOUT_PATIENT = env.int("IDLE_TIMEOUT_PATIENT_MINUTES", default=30)
# Two-factor sign-in (TOTP, with recovery codes) is open to everyone. When this is on, doctors and
# hospital admins must set it up before any other page opens, and may not switch it off.
HMS_REQUIRE_MFA_FOR_STAFF = env.bool("REQUIRE_MFA_FOR_STAFF", default=not (DEBUG or TESTING))

# --- Celery ---------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 1,
        "socket_timeout": 5,
        # An unacknowledged task (its worker died) is handed to another worker after this.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # How often workers look for such abandoned tasks (seconds x throttle).
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    }
else:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    _broker_dir = VAR_DIR / "celery" / "broker"
    for _dir in (_broker_dir, VAR_DIR / "celery" / "processed", VAR_DIR / "celery" / "control"):
        _dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
# Tests run tasks inline unless they start a real worker (they then switch this off).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a web request makes one short attempt (the outbox sweep publishes later).
CELERY_BROKER_CONNECTION_TIMEOUT = 1

# --- Outbox (hms/lib/outbox): e-mails and background jobs, each exactly once -----------------
# A message claimed by a worker that died is run again after this many seconds.
HMS_OUTBOX_CLAIM_TIMEOUT = env.int("OUTBOX_CLAIM_TIMEOUT", default=600)
# A message published but still pending after this long (a broker restart lost it) is published
# again by the sweep (a duplicate in the queue is harmless: the claim lets one run).
HMS_OUTBOX_REPUBLISH_AFTER = env.int("OUTBOX_REPUBLISH_AFTER", default=300)
# A failing message is retried (30 s, 1, 2, 4 … minutes, at most an hour apart) for this long,
# then marked "gave up"; one claimed this many times without an outcome (it kills its worker) too.
HMS_OUTBOX_GIVE_UP_AFTER = env.int("OUTBOX_GIVE_UP_AFTER", default=86400)
HMS_OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=20)
# /healthz calls the worker or beat stopped when not seen for this long (heartbeat every 30 s).
HMS_HEARTBEAT_STALE_AFTER = env.int("HEARTBEAT_STALE_AFTER", default=90)

# --- E-mail ---------------------------------------------------------------------------------
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{HOSPITAL_NAME} <no-reply@hms.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

# --- Authentication (django-allauth) --------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # ModelBackend and allauth's backend, reading the signed-in user and their permission set
    # from one cache entry instead of the database (hms/auth.py).
    "hms.auth.CachedPermissionsBackend",
    "hms.auth.CachedAllauthBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "reports:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "clinic.adapters.ClinicAccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "ACCOUNT_EMAIL_VERIFICATION", default="optional" if (DEBUG or TESTING) else "mandatory"
)
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{HOSPITAL_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if (DEBUG or TESTING) else "https"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = HOSPITAL_NAME
ACCOUNT_RATE_LIMITS = {
    # Failed logins: 5 per account per 5 minutes, 10 per minute per IP address.
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/300s/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}

# --- Forms and UI ---------------------------------------------------------------------------
# Every form (HMS's, allauth's, Django's, the filter bars) is drawn by Django's own field
# templates, overridden in templates/django/forms/ with Bootstrap markup.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Background exports of patient histories are deleted after this many days.
HMS_EXPORT_TTL_DAYS = env.int("EXPORT_TTL_DAYS", default=7)
# Doctor photos: at most this many bytes.
HMS_MAX_PHOTO_BYTES = env.int("HMS_MAX_PHOTO_BYTES", default=2 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not TESTING)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not TESTING)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not TESTING)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if TESTING else 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is an operator's one-way decision for the whole domain, not a code default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # Health checks from a load balancer come over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content-Security-Policy: scripts, styles, fonts and images come from this site only; an inline
# <script> runs only with the per-request nonce ({{ request.csp_nonce }}), and no inline style
# attribute is allowed (templates use classes; hms/tests/test_page_markup.py fails on one).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # data: for the TOTP QR code (allauth renders it as an inline SVG data URI).
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging: one JSON object a line on stdout (text in development) ------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = logging_config(level=LOG_LEVEL, format=LOG_FORMAT)

ADMINS = [("Ops", a) for a in env.list("ADMIN_EMAILS", default=[])]

if TESTING:
    # Hashing is deliberately slow; tests create many users and need no protection.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
