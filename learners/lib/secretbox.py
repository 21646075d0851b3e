"""Secrets at rest (identity providers' client secrets): Fernet, with keys from
SSO_SECRET_KEYS (comma-separated Fernet keys, the first encrypts, all decrypt, so keys can be
rotated) or, without it, one key derived from SECRET_KEY."""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _fernet() -> MultiFernet:
    keys = [k.strip() for k in getattr(settings, "SSO_SECRET_KEYS", []) if k.strip()]
    if not keys:
        if not settings.SECRET_KEY:
            raise RuntimeError("SECRET_KEY or SSO_SECRET_KEYS is needed to store secrets.")
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"endra", info=b"endra-sso-secret"
        ).derive(settings.SECRET_KEY.encode())
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def secret_seal(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def secret_open(token: str) -> str:
    """The plaintext of `token`; ValueError when no configured key opens it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as e:
        raise ValueError("The secret cannot be decrypted with the configured keys.") from e
