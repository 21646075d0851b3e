"""Open Badges 3.0 Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite.

Pure module: no Django models and no network. Implements W3C "Data Integrity EdDSA
Cryptosuites" (vc-di-eddsa) for embedded proofs: RDFC-1.0 (URDNA2015) canonicalisation,
SHA-256 hashing, Ed25519 signatures, and Multikey/multibase key encoding.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import base58
from cachetools import LRUCache
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdError, JsonLdProcessor

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"

_CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"
_CONTEXT_FILES = {
    VC_V2_CONTEXT: "www.w3.org_ns_credentials_v2.jsonld",
    OB_V3_CONTEXT: "purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.json",
}
# Multicodec headers (unsigned varints): ed25519-pub 0xed, ed25519-priv 0x1300.
_ED25519_PUB_HEADER = b"\xed\x01"
_ED25519_PRIV_HEADER = b"\x80\x26"
_KEY_LEN = 32
_SIGNATURE_LEN = 64
_DATE_TIME_STAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.ASCII
)
_HOST = re.compile(
    r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?",
    re.ASCII,
)


class DataIntegrityError(ValueError):
    """Raised when a document cannot be canonicalised, signed or decoded."""


class ContextNotAllowedError(DataIntegrityError):
    """Raised when JSON-LD processing asks for a context we do not bundle."""


class DocumentTooComplexError(DataIntegrityError):
    """Raised before canonicalisation when a document is larger or more tangled than any
    credential we issue: RDFC-1.0 is exponential in the blank nodes that look alike."""


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of verify(): reason is valid, tampered, unknown_issuer or malformed."""

    valid: bool
    reason: str


VALID = VerificationResult(valid=True, reason="valid")
TAMPERED = VerificationResult(valid=False, reason="tampered")
UNKNOWN_ISSUER = VerificationResult(valid=False, reason="unknown_issuer")
MALFORMED = VerificationResult(valid=False, reason="malformed")


# --- JSON-LD processing -------------------------------------------------------------------

# Bounds for documents from outside. Our credentials have a handful of nodes, two of them
# blank (the subject and the criteria), nest five deep and weigh about 2 kB; a verifier
# refuses anything far beyond that before any JSON-LD processing starts.
MAX_DOCUMENT_BYTES = 16_000
MAX_DEPTH = 8
MAX_NODES = 16
MAX_BLANK_NODES = 4
ALLOWED_CONTEXTS = ([VC_V2_CONTEXT, OB_V3_CONTEXT],)


def check_bounds(document: Any) -> None:
    """Refuse a document before canonicalisation unless it is small, shallow, uses only the
    bundled contexts (at the top, nowhere else) and has at most MAX_BLANK_NODES blank nodes
    (objects without an id, or with a "_:" one), so the canonicalisation work stays bounded
    whatever anyone sends."""
    if not isinstance(document, dict):
        raise DocumentTooComplexError("A credential is a JSON object.")
    if document.get("@context") not in ALLOWED_CONTEXTS:
        raise ContextNotAllowedError("Only the bundled contexts are accepted, in order.")
    try:
        size = len(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError, RecursionError) as exc:
        raise DocumentTooComplexError("Not a JSON document.") from exc
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentTooComplexError(f"Larger than {MAX_DOCUMENT_BYTES} bytes.")
    nodes = blank = 0
    stack: list[tuple[Any, int, bool]] = [(document, 1, True)]
    while stack:
        value, depth, top = stack.pop()
        if depth > MAX_DEPTH:
            raise DocumentTooComplexError(f"Nested deeper than {MAX_DEPTH}.")
        if isinstance(value, list):
            stack.extend((item, depth + 1, False) for item in value)
            continue
        if not isinstance(value, dict):
            continue
        if not top and "@context" in value:
            raise ContextNotAllowedError("Nested contexts are not accepted.")
        if "@value" not in value:
            nodes += 1
            node_id = value.get("id", value.get("@id"))
            if not isinstance(node_id, str) or node_id.startswith("_:"):
                blank += 1
        if nodes > MAX_NODES or blank > MAX_BLANK_NODES:
            raise DocumentTooComplexError("More nodes than a credential has.")
        stack.extend((item, depth + 1, False) for key, item in value.items() if key != "@context")


@cache
def _load_context_file(url: str) -> dict[str, Any]:
    """Parse a bundled context once; callers get deep copies."""
    with (_CONTEXT_DIR / _CONTEXT_FILES[url]).open(encoding="utf-8") as fh:
        return json.load(fh)


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """PyLD document loader serving only the bundled contexts, never the network."""
    if url not in _CONTEXT_FILES:
        raise ContextNotAllowedError(f"JSON-LD context not bundled, refusing to load: {url!r}")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(_load_context_file(url)),
        # Tagged "static" so PyLD caches the processed context: the bundled files never change.
        "tag": "static",
    }


# A private, bounded cache: contexts resolved elsewhere with another loader are never reused
# here, and inline contexts from untrusted credentials cannot grow it without limit.
_context_cache: LRUCache = LRUCache(maxsize=64)


def _refuse_dropped_property(expanded_property: str | None) -> None:
    """Fail instead of silently leaving an undefined term out of the signed data."""
    raise DataIntegrityError(f"Undefined JSON-LD term would be dropped: {expanded_property!r}")


def canonicalize(doc: dict) -> str:
    """Return the RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document."""
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "base": "",
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_context_cache, document_loader),
    }
    processor = JsonLdProcessor(on_property_dropped=_refuse_dropped_property)
    try:
        return processor.normalize(doc, options)
    except JsonLdError as exc:
        raise DataIntegrityError(f"JSON-LD canonicalisation failed: {exc}") from exc


def hash_data(*, document: dict, proof_options: dict) -> bytes:
    """Return SHA-256(canonical proof options) || SHA-256(canonical document)."""
    proof_hash = hashlib.sha256(canonicalize(proof_options).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonicalize(document).encode("utf-8")).digest()
    return proof_hash + document_hash


# --- Keys -----------------------------------------------------------------------------------


def generate_private_key() -> Ed25519PrivateKey:
    """Create a new random Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def _decode_multibase(value: str, header: bytes) -> bytes:
    """Decode a base58-btc multibase string and strip the expected multicodec header."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise DataIntegrityError("Expected a base58-btc multibase string starting with 'z'")
    try:
        raw = base58.b58decode(value[1:])
    except ValueError as exc:
        raise DataIntegrityError("Invalid base58-btc encoding") from exc
    if not raw.startswith(header):
        raise DataIntegrityError("Unexpected multicodec header for an Ed25519 key")
    return raw[len(header) :]


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """Encode an Ed25519 public key as a Multikey publicKeyMultibase value."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(_ED25519_PUB_HEADER + raw).decode("ascii")


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """Decode a Multikey publicKeyMultibase value into an Ed25519 public key."""
    raw = _decode_multibase(value, _ED25519_PUB_HEADER)
    if len(raw) != _KEY_LEN:
        raise DataIntegrityError("An Ed25519 public key must be 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_to_multibase(private_key: Ed25519PrivateKey) -> str:
    """Encode an Ed25519 private key as secretKeyMultibase (0x8026 + 32-byte seed)."""
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return "z" + base58.b58encode(_ED25519_PRIV_HEADER + seed).decode("ascii")


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    """Decode secretKeyMultibase: a 32-byte seed, or seed + public key as some tools write."""
    raw = _decode_multibase(value, _ED25519_PRIV_HEADER)
    if len(raw) not in (_KEY_LEN, 2 * _KEY_LEN):
        raise DataIntegrityError("An Ed25519 secret key must be 32 or 64 bytes")
    private_key = Ed25519PrivateKey.from_private_bytes(raw[:_KEY_LEN])
    public_raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if len(raw) == 2 * _KEY_LEN and raw[_KEY_LEN:] != public_raw:
        raise DataIntegrityError("Secret key's embedded public key does not match its seed")
    return private_key


# --- DIDs -----------------------------------------------------------------------------------


def did_web_for_host(host: str) -> str:
    """Return the did:web for a host, percent-encoding a port's colon as %3A."""
    normalized = host.strip().lower() if isinstance(host, str) else ""
    if not _HOST.fullmatch(normalized):
        raise ValueError(f"Not a valid host name for did:web: {host!r}")
    return "did:web:" + normalized.replace(":", "%3A")


def did_document(
    *,
    did: str,
    public_key: Ed25519PublicKey,
    key_id: str = "key-1",
    retired: dict[str, Ed25519PublicKey] | None = None,
) -> dict:
    """Return a did:web DID document publishing the current key, and any retired keys that
    credentials issued earlier were signed with, as Multikeys for assertions."""
    keys = {key_id: public_key, **(retired or {})}
    methods = [
        {
            "id": f"{did}#{name}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(key),
        }
        for name, key in keys.items()
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": [f"{did}#{key_id}"],
    }


# --- Proofs ---------------------------------------------------------------------------------


def _proof_options(proof: dict, context: Any) -> dict:
    """Build the proof configuration that is signed: the proof minus proofValue, with @context."""
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    options["@context"] = context
    return options


def sign(
    *,
    credential: dict,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    proof_purpose: str = "assertionMethod",
) -> dict:
    """Return a deep copy of the credential with an embedded eddsa-rdfc-2022 proof."""
    if "proof" in credential:
        raise DataIntegrityError("Credential already has a proof")
    if not _DATE_TIME_STAMP.fullmatch(created):
        raise DataIntegrityError(f"created must be an XML Schema dateTimeStamp: {created!r}")
    document = copy.deepcopy(credential)
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    data = hash_data(document=document, proof_options=_proof_options(proof, document["@context"]))
    signature = private_key.sign(data)
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
    document["proof"] = proof
    return document


def _is_well_formed(credential: Any) -> bool:
    """Check the shape verify() relies on before doing any cryptography."""
    if not isinstance(credential, dict):
        return False
    context, proof = credential.get("@context"), credential.get("proof")
    if not isinstance(context, list) or not context or context[0] != VC_V2_CONTEXT:
        return False
    if not isinstance(proof, dict) or "@context" in proof:
        return False
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    created = proof.get("created")
    if created is not None and not (
        isinstance(created, str) and _DATE_TIME_STAMP.fullmatch(created)
    ):
        return False
    required = ("verificationMethod", "proofPurpose", "proofValue")
    if not all(isinstance(proof.get(key), str) and proof[key] for key in required):
        return False
    return proof["proofValue"].startswith("z")


def _decode_signature(proof_value: str) -> bytes | None:
    """Decode a base58-btc proofValue to a 64-byte signature, or None if it cannot be one."""
    try:
        signature = base58.b58decode(proof_value[1:])
    except ValueError:
        return None
    return signature if len(signature) == _SIGNATURE_LEN else None


def _resolve_key(
    resolve_public_key: Callable[[str], Ed25519PublicKey | None], verification_method: str
) -> Ed25519PublicKey | None:
    """Ask the caller's resolver for the key; any failure counts as an unknown issuer."""
    try:
        key = resolve_public_key(verification_method)
    except Exception:  # noqa: BLE001 - a failing resolver must not crash verification
        return None
    return key if isinstance(key, Ed25519PublicKey) else None


def verify(
    *,
    credential: dict,
    resolve_public_key: Callable[[str], Ed25519PublicKey | None],
) -> VerificationResult:
    """Verify an embedded eddsa-rdfc-2022 proof; never raises on bad input."""
    try:
        return _verify(credential, resolve_public_key)
    except Exception:  # noqa: BLE001 - any unexpected input problem is "malformed"
        return MALFORMED


def _verify(
    credential: Any, resolve_public_key: Callable[[str], Ed25519PublicKey | None]
) -> VerificationResult:
    """Run the checks of verify() in order: shape, issuer key, canonical form, signature."""
    if not _is_well_formed(credential):
        return MALFORMED
    proof = credential["proof"]
    public_key = _resolve_key(resolve_public_key, proof["verificationMethod"])
    if public_key is None:
        return UNKNOWN_ISSUER
    document = {key: value for key, value in credential.items() if key != "proof"}
    try:
        check_bounds(credential)
        data = hash_data(
            document=document, proof_options=_proof_options(proof, document["@context"])
        )
    except DataIntegrityError:
        return MALFORMED
    signature = _decode_signature(proof["proofValue"])
    if signature is None:
        return TAMPERED
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return TAMPERED
    return VALID
