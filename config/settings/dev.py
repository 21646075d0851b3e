"""Local development: `make run`. SQLite and in-process tasks unless the environment says more."""

import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-9f3c1b7e")  # noqa: S105
WHITENOISE_AUTOREFRESH = True
