"""Benchmark settings (`make bench`): production, plus the floor endpoint and a per-request
query count header. Never used by a deployment; bench/run.py sets the environment it needs
(SECRET_KEY, SECURE_SSL_REDIRECT=false for plain HTTP on loopback, CONN_MAX_AGE)."""

from .production import *  # noqa: F403

BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", True)  # noqa: F405
if BENCH_ENDPOINTS:
    MIDDLEWARE = ["config.bench_views.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
