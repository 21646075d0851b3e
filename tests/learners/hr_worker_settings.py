"""Settings for the real worker in test_hr_worker: the test settings, but e-mail is written to
files in ENDRA_TEST_EMAIL_DIR so the test process can read what the worker sent."""

import os

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["ENDRA_TEST_EMAIL_DIR"]
