"""Open Badges 3.0 credentials: Data Integrity signing and verification (eddsa-rdfc-2022)."""

from learners.openbadges.dataintegrity import (
    ContextNotAllowedError,
    DataIntegrityError,
    VerificationResult,
    canonicalize,
    did_document,
    did_web_for_host,
    document_loader,
    generate_private_key,
    hash_data,
    private_key_from_multibase,
    private_key_to_multibase,
    public_key_from_multibase,
    public_key_multibase,
    sign,
    verify,
)

__all__ = [
    "ContextNotAllowedError",
    "DataIntegrityError",
    "VerificationResult",
    "canonicalize",
    "did_document",
    "did_web_for_host",
    "document_loader",
    "generate_private_key",
    "hash_data",
    "private_key_from_multibase",
    "private_key_to_multibase",
    "public_key_from_multibase",
    "public_key_multibase",
    "sign",
    "verify",
]
