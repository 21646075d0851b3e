"""Start a real Celery worker process against the test database and the configured broker."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

ROOT = Path(__file__).resolve().parent.parent


def require_broker_and_server_database():
    if not settings.CELERY_BROKER_URL:
        pytest.skip("No CELERY_BROKER_URL configured: the real-worker tests need Redis.")
    if connection.vendor != "postgresql":
        pytest.skip("The real-worker tests share the test database, which needs PostgreSQL.")


def database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@contextmanager
def celery_worker(
    *,
    concurrency: int = 1,
    extra_env: dict | None = None,
    broker_url: str | None = None,
    queue: str | None = None,
    own_process_group: bool = False,
):
    """Yield the queue name a fresh worker consumes and its process; stop the worker
    afterwards. `broker_url` defaults to settings.CELERY_BROKER_URL; `queue` to a fresh name;
    with `own_process_group` the worker and its children can be killed together
    (os.killpg(process.pid, ...))."""
    queue = queue or f"test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url or settings.CELERY_BROKER_URL,
        **(extra_env or {}),
    }
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=own_process_group,
    )
    try:
        yield queue, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.2):
    """Poll until predicate() is truthy; fail the test with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Condition not met within {timeout} s")


# A Redis of the test's own, to stop and start it (broker outages) without touching the shared
# one, and pointing this process's Celery app at it.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_redis_server() -> str:
    path = shutil.which("redis-server")
    if path is None:
        pytest.skip("redis-server is not installed: this test starts and stops its own Redis.")
    return path


@contextmanager
def redis_server(port: int):
    """Run `redis-server` on 127.0.0.1:`port` (no persistence) until the block ends."""
    process = subprocess.Popen(  # noqa: S603
        [
            require_redis_server(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _port_open(port), timeout=10, interval=0.05)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def point_celery_at(url: str, *, eager: bool) -> None:
    """Make this process's Celery app publish to `url` (dropping pooled connections to the
    previous broker); set settings.CELERY_BROKER_URL with pytest's `settings` fixture too."""
    from config.celery import app

    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    if url:
        os.environ["CELERY_BROKER_URL"] = url
    else:
        os.environ.pop("CELERY_BROKER_URL", None)
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    # Close pooled connections and empty kombu's pool registry, so nothing reuses a closed pool.
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
