"""The municipality's identity provider for tests: the npm package oidc-provider (a dev
dependency), started on loopback by the test. Its signing key is made here, so tests can also
make tokens signed with the provider's own key (expired, for another audience, ...)."""

from __future__ import annotations

import json
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urljoin

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "peers" / "oidc_provider.mjs"
START_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rsa_jwk(kid: str):
    """A new RSA key and its private JWK (RS256)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key, as_dict=True)
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return key, jwk


class OIDCPeer:
    def __init__(self, *, clients: list[dict], accounts: dict[str, dict]):
        if shutil.which("node") is None or not (ROOT / "node_modules" / "oidc-provider").exists():
            raise RuntimeError("oidc-provider needs node and `npm ci` (make install).")
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key, jwk = rsa_jwk(f"peer-{uuid.uuid4().hex[:8]}")
        self.kid = jwk["kid"]
        self._dir = tempfile.TemporaryDirectory()
        config = Path(self._dir.name) / "config.json"
        config.write_text(
            json.dumps(
                {"port": self.port, "clients": clients, "accounts": accounts,
                 "jwks": {"keys": [jwk]}}
            )
        )  # fmt: skip
        self.process = subprocess.Popen(
            ["node", str(SCRIPT), str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(
            target=lambda: [lines.put(line) for line in self.process.stdout], daemon=True
        ).start()
        deadline = time.monotonic() + START_TIMEOUT
        output = []
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            output.append(line)
            if line.startswith("ready "):
                return
        self.stop()
        raise RuntimeError(f"oidc-provider did not start: {''.join(output)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._dir.cleanup()

    def jwks(self) -> dict:
        return requests.get(f"{self.issuer}/jwks", timeout=10).json()

    def sign(self, claims: dict, *, key=None, kid=None, algorithm="RS256") -> str:
        """A token signed with the provider's own key (or `key`)."""
        return jwt.encode(
            claims, key or self.key, algorithm=algorithm, headers={"kid": kid or self.kid}
        )

    def sign_in(self, authorize_url: str, login: str, stop_at: str) -> str:
        """Follow the provider's pages from `authorize_url` as a browser would, sign in as
        `login`, and return the first redirect that leaves for `stop_at` (the callback)."""
        session = requests.Session()
        url, method, data = authorize_url, "GET", None
        for _ in range(20):
            response = session.request(method, url, data=data, allow_redirects=False, timeout=10)
            if response.status_code in (301, 302, 303):
                url, method, data = urljoin(url, response.headers["Location"]), "GET", None
                if url.startswith(stop_at):
                    return url
                continue
            if response.status_code == 200 and 'name="login"' in response.text:
                method, data = "POST", {"login": login}
                continue
            raise AssertionError(f"provider answered {response.status_code}: {response.text}")
        raise AssertionError("too many redirects at the provider")
