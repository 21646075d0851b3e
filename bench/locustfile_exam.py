"""Locust user for `make bench-exam`: one exam-taking learner, the steps of
bench/exam_flow.run_exam (the same function the test drives with Django's test client).

bench/exam.py runs one headless locust process per ramp step and passes everything through
the environment:

    BENCH_EXAM_PLAN        JSON file from the preparation step (password, e-mails, URLs)
    BENCH_EXAM_STEP        which step's learners this run uses (index into the plan)
    BENCH_EXAM_START_AT    epoch seconds of the common start moment (0: start at once)
    BENCH_EXAM_THINK       "min,max" seconds between the quiz start and the submission
    BENCH_EXAM_OFFICE      learners per office address (X-Forwarded-For), 0 for none
    BENCH_EXAM_OUT         where this run writes its statistics (JSON) when it quits

Each user runs its exam once and stops; when the last one has finished, locust quits.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.exam_flow import STEPS, FlowError, run_exam  # noqa: E402

PLAN = json.loads(Path(os.environ["BENCH_EXAM_PLAN"]).read_text())
STEP = int(os.environ.get("BENCH_EXAM_STEP", "0"))
EMAILS = PLAN["steps"][STEP]
START_AT = float(os.environ.get("BENCH_EXAM_START_AT", "0"))
THINK = tuple(float(x) for x in os.environ.get("BENCH_EXAM_THINK", "30,90").split(","))
OFFICE = int(os.environ.get("BENCH_EXAM_OFFICE", "0"))
OUT = os.environ.get("BENCH_EXAM_OUT")

_numbers = itertools.count()
# finished: users whose exam ended (also when locust's time bound stopped them); completed:
# the whole exam went through; failed: a step answered wrongly (see "errors").
TALLY = {
    "finished": 0,
    "completed": 0,
    "failed": 0,
    "late_for_start": 0,
    "started_at": time.time(),
}


class BehindTLSProxy(DefaultCookiePolicy):
    """Production's cookies are Secure; the bench speaks plain HTTP to gunicorn as the TLS
    proxy in front would, so the virtual browser sends them back anyway."""

    def return_ok_secure(self, cookie, request):
        return True


class LocustClient:
    """exam_flow's client over locust's session: every request is one entry in the
    statistics, named by its step, and an unexpected answer is a failure."""

    def __init__(self, session, headers: dict[str, str]):
        self.session = session
        self.headers = headers

    def _checked(self, response, *, status: int, location: str | None = None):
        if response.status_code != status:
            response.failure(f"status {response.status_code}, expected {status}")
            raise FlowError(response.status_code)
        got = response.headers.get("Location") or ""
        if location is not None and not got.startswith(location):
            response.failure(f"redirected to {got!r}, expected {location!r}")
            raise FlowError(got)
        response.success()
        return got

    def get(self, path: str, name: str) -> str:
        with self.session.get(
            path, name=name, headers=self.headers, catch_response=True, allow_redirects=False
        ) as response:
            self._checked(response, status=200)
            return response.text

    def post(self, path: str, name: str, data: dict[str, str], *, location: str) -> str:
        with self.session.post(
            path,
            name=name,
            data=data,
            headers=self.headers,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            return self._checked(response, status=302, location=location)


def _wait_for_start() -> None:
    wait = START_AT - time.time()
    if wait > 0:
        gevent.sleep(wait)
    elif START_AT:
        TALLY["late_for_start"] += 1


def _think() -> None:
    gevent.sleep(random.uniform(*THINK))  # noqa: S311 - think time, not a secret


class ExamLearner(FastHttpUser):
    network_timeout = 300.0
    connection_timeout = 300.0

    def on_start(self):
        self.number = next(_numbers)
        self.client.cookiejar.set_policy(BehindTLSProxy())
        headers = {"Accept-Language": "nb"}
        if OFFICE:
            # The proxy's X-Forwarded-For: staff of one office share one public address.
            office = self.number // OFFICE
            headers["X-Forwarded-For"] = f"10.{office // 250}.{office % 250}.1"
        self.exam_client = LocustClient(self.client, headers)

    @task
    def exam(self):
        try:
            if self.number < len(EMAILS):
                run_exam(
                    self.exam_client,
                    email=EMAILS[self.number],
                    password=PLAN["password"],
                    plan=PLAN,
                    before_start=_wait_for_start,
                    think=_think,
                )
                TALLY["completed"] += 1
        except FlowError:
            TALLY["failed"] += 1  # the request is counted as a failure in the statistics
        finally:
            TALLY["finished"] += 1
        if TALLY["finished"] >= len(EMAILS):
            gevent.spawn_later(0.5, self.environment.runner.quit)
        raise StopUser()


def _summary(environment) -> dict:
    stats = environment.stats
    names = {}
    for name in STEPS:
        entry = next((e for (n, _m), e in stats.entries.items() if n == name), None)
        if entry is None or not entry.num_requests:
            names[name] = {"requests": 0, "failures": 0}
            continue
        names[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.50),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "max_ms": round(entry.max_response_time, 1),
        }
    return {
        "users": len(EMAILS),
        "requests": stats.total.num_requests,
        "failures": stats.total.num_failures,
        "errors": [
            {"name": e.name, "error": str(e.error), "count": e.occurrences}
            for e in stats.errors.values()
        ],
        "steps": names,
        **TALLY,
        "seconds": round(time.time() - TALLY["started_at"], 1),
    }


@events.quitting.add_listener
def _write_summary(environment, **_kwargs):
    if OUT:
        Path(OUT).write_text(json.dumps(_summary(environment), indent=2))
