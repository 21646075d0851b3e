"""The platform's Open Badges 3.0 issuer: signing key, did:web identity, credential building.

Pure of database writes; `learners.services.certificates` stores what this builds. The key
comes from settings (see ENDRA_SIGNING_KEY in config/settings/base.py).
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from learners import openbadges as ob
from learners.models import Certificate
from learners.openbadges.dataintegrity import OB_V3_CONTEXT, VC_V2_CONTEXT

_key_lock = threading.Lock()
_key_cache: dict[str, Ed25519PrivateKey] = {}


def site_url() -> str:
    """The public base address (SITE_URL), without a trailing slash."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    return site_url() + path


def verification_url(code: str) -> str:
    """The public verification page of a certificate, as printed in its QR code."""
    return absolute_url(reverse("certificates:verify", args=[code]))


def issuer_did() -> str:
    """did:web for the site's host, e.g. did:web:endra.no or did:web:127.0.0.1%3A8000."""
    return ob.did_web_for_host(urlsplit(site_url()).netloc)


def verification_method() -> str:
    """The id of the current signing key in our DID document."""
    return f"{issuer_did()}#{settings.ENDRA_SIGNING_KEY_ID}"


def retired_public_keys() -> dict[str, Ed25519PublicKey]:
    """Keys used before a rotation, from ENDRA_RETIRED_PUBLIC_KEYS ("key-1=z6Mk…,key-2=…"):
    still published and accepted, so credentials issued with them stay verifiable."""
    keys = {}
    for entry in settings.ENDRA_RETIRED_PUBLIC_KEYS:
        name, _, value = entry.partition("=")
        try:
            keys[name.strip()] = ob.public_key_from_multibase(value.strip())
        except ob.DataIntegrityError as exc:
            raise ImproperlyConfigured(f"Retired key {name!r} is not valid: {exc}") from exc
    return keys


def _read_or_create_key_file() -> str:
    """The dev key: read it from the key file, or write a new one there (mode 0600)."""
    path = settings.ENDRA_SIGNING_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    if not settings.ENDRA_SIGNING_KEY_AUTOGENERATE:
        raise ImproperlyConfigured(
            "Set ENDRA_SIGNING_KEY (run `manage.py create_signing_key` to make one)."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    # The directory ignores itself, so a dev key never ends up in git.
    (path.parent / ".gitignore").write_text("*\n", encoding="ascii")
    value = ob.private_key_to_multibase(ob.generate_private_key())
    # O_EXCL: when two processes race to create it, one wins and the other reads its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def signing_key() -> Ed25519PrivateKey:
    """The platform's Ed25519 signing key, from ENDRA_SIGNING_KEY or the dev key file."""
    configured = settings.ENDRA_SIGNING_KEY or ""
    with _key_lock:
        cache_key = configured or str(settings.ENDRA_SIGNING_KEY_FILE)
        if cache_key not in _key_cache:
            value = configured or _read_or_create_key_file()
            try:
                _key_cache[cache_key] = ob.private_key_from_multibase(value)
            except ob.DataIntegrityError as exc:
                raise ImproperlyConfigured(f"The signing key is not valid: {exc}") from exc
        return _key_cache[cache_key]


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def did_document() -> dict:
    """The DID document served at /.well-known/did.json."""
    return ob.did_document(
        did=issuer_did(),
        public_key=public_key(),
        key_id=settings.ENDRA_SIGNING_KEY_ID,
        retired=retired_public_keys(),
    )


def resolve_public_key(method: str) -> Ed25519PublicKey | None:
    """Our current or a retired key for our own verification methods; anything else is an
    unknown issuer."""
    if method == verification_method():
        return public_key()
    prefix = f"{issuer_did()}#"
    if method.startswith(prefix):
        return retired_public_keys().get(method[len(prefix) :])
    return None


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_credential(
    *,
    code: str,
    learner_name: str,
    title: str,
    municipality_name: str,
    completed_at: datetime,
    estimated_hours: str,
    issuer_name: str,
    issued_at: datetime,
    achievement_id: str,
    narrative: str | Promise,
) -> dict:
    """An unsigned OpenBadgeCredential (VC 2.0) for one certificate.

    Only terms the bundled contexts define are used: canonicalisation refuses anything else.
    The texts are Norwegian bokmål (whatever language the request is in) and frozen at
    issuance, like the words on a paper certificate."""
    completed = completed_at.astimezone(UTC).date().isoformat()
    with translation.override("nb"):
        name = _("Certificate: %(title)s") % {"title": title}
        description = _(
            "%(title)s: completed on Endra, the learning platform for managers in Norwegian "
            "municipalities. Estimated at %(hours)s hours. Municipality: %(municipality)s."
        ) % {"title": title, "hours": estimated_hours, "municipality": municipality_name}
        narrative = str(narrative)
    return {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        "id": verification_url(code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_did(),
            "type": ["Profile"],
            "name": issuer_name,
            "url": site_url() + "/",
        },
        "validFrom": _timestamp(issued_at),
        "name": name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": learner_name,
            "activityEndDate": completed,
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "name": title,
                "description": description,
                "criteria": {"narrative": narrative},
            },
        },
    }


def sign_credential(*, credential: dict, created: datetime) -> dict:
    """Sign with the platform key (Ed25519 is deterministic: same input, same proof)."""
    return ob.sign(
        credential=credential,
        private_key=signing_key(),
        verification_method=verification_method(),
        created=_timestamp(created),
    )


def certificate_credential_sign(
    certificate: Certificate, *, achievement_id: str, narrative: str | Promise
) -> dict:
    """The signed credential for what `certificate` shows now (issuing and anonymising both
    sign through here, so a re-signed credential differs only in what changed)."""
    unsigned = build_credential(
        code=certificate.code,
        learner_name=certificate.learner_name,
        title=certificate.title,
        municipality_name=certificate.municipality_name,
        completed_at=certificate.completed_at,
        estimated_hours=f"{certificate.estimated_hours}".replace(".", ","),
        issuer_name=certificate.issuer_name,
        issued_at=certificate.issued_at,
        achievement_id=achievement_id,
        narrative=narrative,
    )
    return sign_credential(credential=unsigned, created=certificate.issued_at)


def verify_signature(*, credential: dict) -> str:
    """valid, tampered, unknown_issuer or malformed: the signature alone, no revocation."""
    return ob.verify(credential=credential, resolve_public_key=resolve_public_key).reason
