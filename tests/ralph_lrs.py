"""Ralph (ralph-malph), a real xAPI Learning Record Store, run on loopback for the tests.

Started with uvicorn directly (its `runserver` reloads), on the file-system backend switched
to append (the stock backend refuses a second bulk write), with one Basic-auth user."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import requests

USERNAME = "endra-lrs"
PASSWORD = "lrs-test-password"  # noqa: S105 - a throwaway password for a loopback test server
START_TIMEOUT = float(os.environ.get("PEER_START_TIMEOUT", "180"))

APP_MODULE = """\
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402,F401
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RalphLrs:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        (directory / "app").mkdir(parents=True, exist_ok=True)
        (directory / "data").mkdir(exist_ok=True)
        (directory / "endra_ralph_app.py").write_text(APP_MODULE)
        (directory / "app" / "auth.json").write_text(
            json.dumps(
                [
                    {
                        "agent": {"mbox": "mailto:endra-lrs@example.com"},
                        "scopes": ["all"],
                        "username": USERNAME,
                        "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode(),
                    }
                ]
            )
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def start(self) -> RalphLrs:
        env = {
            **os.environ,
            "RALPH_APP_DIR": str(self.directory / "app"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.directory / "data"),
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-m", "uvicorn", "endra_ralph_app:app"]
            + ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            cwd=self.directory,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.directory / "ralph.log", "ab"),  # noqa: SIM115
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "Ralph stopped at start: " + (self.directory / "ralph.log").read_text()[-2000:]
                )
            try:
                if requests.get(self.endpoint.replace("/xAPI/", "/__lbheartbeat__"), timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"Ralph did not answer within {START_TIMEOUT} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def statement(self, statement_id: str) -> dict:
        response = requests.get(
            self.endpoint + "statements",
            params={"statementId": statement_id},
            auth=(USERNAME, PASSWORD),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=30,
        )
        response.raise_for_status()
        body = response.json()
        # xAPI answers a statementId query with the statement itself; Ralph's file-system
        # backend answers with a result list: accept both, and only the statement asked for.
        if "statements" in body:
            matches = [s for s in body["statements"] if s.get("id") == statement_id]
            assert len(matches) == 1, f"{statement_id}: {len(matches)} statements in the LRS"
            return matches[0]
        return body
