"""Test settings: fast hashing, in-memory e-mail; database and broker from the environment."""

import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ.get("SECRET_KEY", "test-only-not-secret")  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
# Tests call tasks eagerly unless a test starts a real worker; the broker URL stays set so
# the health check and worker tests can reach it.
CELERY_TASK_ALWAYS_EAGER = True
# Tests run in a transaction another thread cannot see: everything stays in the test's thread
# (tests/learners/services/test_outbox_in_process_background.py turns it on).
OUTBOX_IN_PROCESS_BACKGROUND: list[str] = []
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_AUTOREFRESH = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Browser tests wait for the live server's last answer before the database is emptied.
MIDDLEWARE = ["tests.e2e.inflight.InFlightMiddleware", *MIDDLEWARE]  # noqa: F405
