"""Settings shared by every environment; everything that differs comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cms",
    "learners",
    "courses",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
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
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
]
FORM_RENDERER = "config.forms.FormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp.EndraCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.NorwegianByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # The signed-in person's language (their choice, else their municipality's målform).
    "learners.middleware.PreferredLanguageMiddleware",
    # Two-factor authentication before /hr/ (HR, unit managers) and the admin (staff).
    "learners.middleware.MFARequiredMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # «Du godkjente …» after a reviewer approves a page in the admin.
    "cms.middleware.ApprovalConfirmationMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must not fail a learner when requests overlap: WAL lets readers
    # and a writer work at once, IMMEDIATE takes the write lock when a transaction begins
    # (a deferred one that later wants to write fails at once with "database is locked"),
    # and the timeout makes a writer wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("SQLITE_TIMEOUT", "30")),
        }
    )
# The few queries every lesson page runs (learners.lib.prepared) are prepared statements on
# PostgreSQL: planned once per connection. Turn off behind a pooler in transaction mode that
# cannot keep them (PgBouncer before 1.21, or without max_prepared_statements).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "learners.User"
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
# Security headers in every environment (production adds HSTS and secure cookies).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): only our own scripts and styles, never inline scripts.
# config.csp.EndraCSPMiddleware relaxes it only where Wagtail's admin needs it (see there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# No third-party requests from the admin: no Gravatar (staff e-mail hashes), no update check.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Argon2id first; older PBKDF2 hashes still verify and are rehashed at the next login.
PASSWORD_HASHERS = [
    "config.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# Django's database sessions, read as a prepared statement (config.sessions).
SESSION_ENGINE = "config.sessions"
LOGIN_URL = "account_login"
WAGTAILADMIN_LOGIN_URL = "account_login"
# A page behind a login restriction sends the reader to Endra's own login, not Wagtail's.
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: e-mail is the login; the learner picks municipality and unit at sign-up.
ACCOUNT_ADAPTER = "learners.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_SIGNUP_FORM_CLASS = "learners.forms.account.SignupForm"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Lockout: the 6th failed login for one account within 5 minutes is refused, even with the
# right password. Counted in the default cache: production needs a shared one (REDIS_CACHE_URL).
# Logins and sign-ups per address are generous because a municipality's whole staff may come
# from one NAT address at the start of a course session (allauth's defaults, 30 logins and 20
# sign-ups a minute per address, refused an office); failures per address stay bounded so one
# address cannot try passwords across many accounts quickly.
ACCOUNT_RATE_LIMITS = {
    "login": "600/m/ip",
    "signup": "120/m/ip",
    "login_failed": "200/5m/ip,5/5m/key",
}
# Behind N reverse proxies that each append to X-Forwarded-For, the client's address is the
# N-th entry from the right; 0 (the default) uses the connection's own address. Set it only to
# the number of proxies really in front: a larger count lets a client choose its address.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Endra] "
# Single sign-on: each municipality's own OpenID Connect provider (learners.models.
# IdentityProvider), through allauth's openid_connect provider made stricter (learners.sso).
SOCIALACCOUNT_ADAPTER = "learners.sso.adapter.MunicipalitySocialAccountAdapter"
# ACCOUNT_ADAPTER (above) builds on learners.sso.stages.AccountAdapter: allauth's login stages,
# with the TOTP step skipped when the provider already did multi-factor.
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"provider_class": "learners.sso.provider.MunicipalityOIDCProvider"}
}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an address alone never links an account
SOCIALACCOUNT_STORE_TOKENS = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Endra"

LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
# Course content in bokmål and nynorsk: a nynorsk page is a translation of its bokmål page
# (same translation_key), served under /nn/ (config.content_urls); bokmål URLs have no prefix.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = [("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor", BASE_DIR / "node_modules" / "@digdir"),
    # scorm-again's browser bundles, served as they are (no build step).
    ("scorm-again", BASE_DIR / "node_modules" / "scorm-again" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "DEFAULT_FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Certificate PDFs: private, outside MEDIA_ROOT, handed out only by the permission-checked
    # download view (any Django storage without public access will do, e.g. a private bucket).
    "certificates": {
        "BACKEND": os.environ.get(
            "CERTIFICATE_STORAGE_BACKEND", "learners.storage.PrivateFileSystemStorage"
        )
    },
    # Unpacked SCORM packages: never at a plain media URL (a package's HTML served without its
    # sandbox would run as Endra), only through the sandboxing view courses.views.scorm_file.
    # Locally under PRIVATE_MEDIA_ROOT/scorm/; in production any storage, e.g. a private S3
    # bucket through django-storages.
    "scorm": {
        "BACKEND": os.environ.get(
            "SCORM_STORAGE_BACKEND", "learners.storage.PrivateFileSystemStorage"
        )
    },
}
# SCORM packages (courses.scorm): limits for an upload, and where package files are served.
# SCORM_CONTENT_ORIGIN empty: from Endra's own origin under /scorm/, each document in an
# opaque-origin CSP sandbox. Set it (e.g. https://scorm.example.no, a host that reaches the
# same Endra and shares no cookies with it) to serve packages from that separate origin.
SCORM_MAX_UPLOAD_BYTES = int(os.environ.get("SCORM_MAX_UPLOAD_BYTES", 300 * 1024 * 1024))
SCORM_MAX_UNPACKED_BYTES = int(os.environ.get("SCORM_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024))
SCORM_MAX_FILES = int(os.environ.get("SCORM_MAX_FILES", 10_000))
SCORM_CONTENT_ORIGIN = os.environ.get("SCORM_CONTENT_ORIGIN", "").rstrip("/")
if SCORM_CONTENT_ORIGIN:  # the module page frames the package from there
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"] = [SELF, SCORM_CONTENT_ORIGIN]
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))

# E-mail: console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Endra <ikke-svar@endra.example>")

# Celery: without a broker, tasks run eagerly in the web process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker, these slow tasks run on a background thread of the web process, after the
# commit, instead of in the request (learners.services.outbox).
OUTBOX_IN_PROCESS_BACKGROUND = [
    "learners.tasks.certificate_pdf_render_task",
    "learners.tasks.assignment_job_task",
]
# An assignment reaches its people in batches of this many, each one transaction that also
# records the progress HR sees (learners.services.assignments).
ASSIGNMENT_BATCH_SIZE = int(os.environ.get("ASSIGNMENT_BATCH_SIZE", "500"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connections before and after every task unless
# told to reuse them: a new PostgreSQL connection (a forked server process, its caches and the
# prepared statements lost) for each task. Reuse them for this many tasks; CONN_MAX_AGE and
# broken connections are still honoured after each task, as after a request (config/celery.py).
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "500"))
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A dead broker must fail fast in web requests: no publish retries (the outbox keeps what could
# not be published and learners.tasks.outbox_relay_task publishes it when the broker is back).
CELERY_TASK_PUBLISH_RETRY = False
# visibility_timeout: seconds before a task a worker took but never acknowledged (the worker
# died) is handed to another worker; it must exceed the longest task (CELERY_TASK_TIME_LIMIT)
# plus any countdown. Tests shorten it, the restore interval and the restore lock's expiry
# through the environment.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": int(os.environ.get("CELERY_UNACKED_RESTORE_THROTTLE", "10")),
    # The lock a worker holds while it hands such tasks on: a worker killed while holding it
    # keeps every other worker from doing so until it expires (kombu's default: 300 s).
    "unacked_mutex_expire": int(os.environ.get("CELERY_UNACKED_MUTEX_EXPIRE", "300")),
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    # Wagtail's scheduled publishing (go-live and expiry times set by editors).
    "cms-publish-scheduled": {
        "task": "cms.tasks.publish_scheduled_pages",
        "schedule": crontab(minute="*/5"),
    },
    # Faults: publish the tasks recorded in the outbox while the broker was down.
    "outbox-relay": {
        "task": "learners.tasks.outbox_relay_task",
        "schedule": crontab(minute="*"),
    },
    # HR: reminders and recertification every morning, HR digest on Mondays.
    "hr-assignments-reopen": {
        "task": "learners.tasks.hr_assignments_reopen",
        "schedule": crontab(hour=5, minute=30),
    },
    "hr-rollups-sweep": {
        "task": "learners.tasks.hr_rollups_sweep",
        "schedule": crontab(hour=0, minute=5),
    },
    "hr-reminders-send": {
        "task": "learners.tasks.hr_reminders_send",
        # Hourly through the working day: each reminder goes once (SentReminder), and a run
        # missed while the broker was down is made up an hour later.
        "schedule": crontab(hour="7-17", minute=0),
    },
    "hr-digest-send": {
        "task": "learners.tasks.hr_digest_send",
        "schedule": crontab(hour=7, minute=30, day_of_week="monday"),
    },
    # Change in practice: action-plan check-in reminders every morning.
    "change-followups-remind": {
        "task": "learners.tasks.change_followups_remind",
        # Hourly in the working day, like the HR reminders: each goes once (a unique marker).
        "schedule": crontab(hour="7-17", minute=15),
    },
    # Item analysis for editors: quizzes with new attempts, recomputed every hour.
    "quiz-statistics-refresh": {
        "task": "learners.tasks.quiz_statistics_refresh",
        "schedule": crontab(minute=40),
    },
    # Learning records waiting for a municipality's LRS (after a failure, with backoff).
    "xapi-deliver-due": {
        "task": "learners.tasks.xapi_deliver_due_task",
        "schedule": crontab(minute="*"),
    },
    # Privacy: anonymise people past their municipality's retention period.
    "privacy-retention-anonymise": {
        "task": "learners.tasks.retention_anonymise",
        "schedule": crontab(hour=3, minute=15),
    },
}

# Certificates and Open Badges 3.0. The platform signs credentials with one Ed25519 key,
# given as secretKeyMultibase in ENDRA_SIGNING_KEY (`manage.py create_signing_key` makes one).
# Without it, a key is generated once into ENDRA_SIGNING_KEY_FILE (git-ignored) so `make run`
# works; production should set ENDRA_SIGNING_KEY and ENDRA_SIGNING_KEY_AUTOGENERATE=false.
ENDRA_SIGNING_KEY = os.environ.get("ENDRA_SIGNING_KEY", "")
ENDRA_SIGNING_KEY_FILE = Path(
    os.environ.get("ENDRA_SIGNING_KEY_FILE", BASE_DIR / ".keys" / "dev-signing-key")
)
ENDRA_SIGNING_KEY_AUTOGENERATE = env_bool("ENDRA_SIGNING_KEY_AUTOGENERATE", True)
# Key rotation: give the new key a new id, and list the old public keys as retired so the
# credentials they signed stay verifiable (see README, Operations, Key rotation).
ENDRA_SIGNING_KEY_ID = os.environ.get("ENDRA_SIGNING_KEY_ID", "key-1")
ENDRA_RETIRED_PUBLIC_KEYS = env_list("ENDRA_RETIRED_PUBLIC_KEYS")
CERTIFICATE_ISSUER_NAME = os.environ.get("CERTIFICATE_ISSUER_NAME", "Endra")
# Public certificate pages: requests per IP per window (seconds), a fixed-window counter.
CERTIFICATE_RATE_LIMIT = (int(os.environ.get("CERTIFICATE_RATE_LIMIT", "30")), 60)
# SCIM requests per municipality token (and failed authentications per address) per minute.
# An Entra ID provisioning cycle stays far below; bulk loads of thousands fit in a few minutes.
SCIM_RATE_LIMIT = (int(os.environ.get("SCIM_RATE_LIMIT", "3000")), 60)

WAGTAIL_SITE_NAME = "Endra"
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "txt"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Uploads: documents and images only of these types and sizes; SVG is left out
# because it can carry scripts.
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Wagtail logs every page save and background task at INFO: too chatty for seeding.
    "loggers": {name: {"level": "WARNING"} for name in ("wagtail", "django_tasks", "modelsearch")},
}
