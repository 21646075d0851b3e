"""Open Badges 3.0 Data Integrity (eddsa-rdfc-2022): test vector, round trips and failures."""

import copy
import datetime as dt
import hashlib
import json
from pathlib import Path

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.utils import translation

from learners.openbadges import dataintegrity as di
from learners.openbadges.credentials import build_credential
from learners.services.certificates import COURSE_NARRATIVE

VECTOR_DIR = Path(__file__).resolve().parents[2] / "data" / "ob-v3p0-eddsa-rdfc-2022"
CREATED = "2024-05-01T12:00:00Z"
METHOD = "did:web:badges.example.no#key-1"


def _read(name: str) -> str:
    return (VECTOR_DIR / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def vector() -> dict:
    return json.loads(_read("vector.json"))


@pytest.fixture(scope="module")
def unsigned() -> dict:
    return json.loads(_read("credential-unsigned.json"))


@pytest.fixture(scope="module")
def vector_key(vector) -> Ed25519PrivateKey:
    seed = bytes.fromhex(vector["private_key_hex_seed_then_public"])[:32]
    return Ed25519PrivateKey.from_private_bytes(seed)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return di.generate_private_key()


@pytest.fixture(scope="module")
def signed(unsigned, key) -> dict:
    return di.sign(
        credential=unsigned, private_key=key, verification_method=METHOD, created=CREATED
    )


def _resolver(key: Ed25519PrivateKey):
    return lambda method: key.public_key() if method == METHOD else None


# --- The 1EdTech test vector is reproduced exactly ------------------------------------------


def test_vector_key_pair_is_consistent(vector, vector_key):
    raw = vector_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert raw.hex() == vector["public_key_hex"]


def test_vector_canonical_document(unsigned):
    assert di.canonicalize(unsigned) == _read("document-canon.nq")


def test_vector_canonical_proof_options(vector, unsigned):
    options = {**vector["proof_options"], "@context": unsigned["@context"]}
    assert di.canonicalize(options) == _read("proof-canon.nq")


def test_vector_hashes_and_signature(vector, unsigned, vector_key):
    options = {**vector["proof_options"], "@context": unsigned["@context"]}
    document_hash = hashlib.sha256(di.canonicalize(unsigned).encode()).hexdigest()
    proof_hash = hashlib.sha256(di.canonicalize(options).encode()).hexdigest()
    assert document_hash == vector["document_hash_hex"]
    assert proof_hash == vector["proof_hash_hex"]
    data = di.hash_data(document=unsigned, proof_options=options)
    assert data.hex() == vector["data_to_sign_hex"]
    assert vector_key.sign(data).hex() == vector["signature_hex"]


def test_vector_proof_value_and_signed_credential(vector, unsigned, vector_key):
    options = vector["proof_options"]
    result = di.sign(
        credential=unsigned,
        private_key=vector_key,
        verification_method=options["verificationMethod"],
        created=options["created"],
        proof_purpose=options["proofPurpose"],
    )
    assert result["proof"]["proofValue"] == vector["proof_value"]
    assert result == json.loads(_read("credential-signed.json"))
    assert "proof" not in unsigned  # sign() works on a deep copy


def test_vector_signed_credential_verifies(vector):
    signed = json.loads(_read("credential-signed.json"))
    public_key = di.public_key_from_multibase(vector["public_key_multibase"])
    methods = {vector["proof_options"]["verificationMethod"]: public_key}
    assert di.verify(credential=signed, resolve_public_key=methods.get) == di.VerificationResult(
        valid=True, reason="valid"
    )


# --- Round trip and tampering ---------------------------------------------------------------


def test_sign_then_verify_is_valid(signed, key):
    result = di.verify(credential=signed, resolve_public_key=_resolver(key))
    assert result.valid
    assert result.reason == "valid"
    assert signed["proof"]["type"] == "DataIntegrityProof"
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"]["proofPurpose"] == "assertionMethod"


@pytest.mark.parametrize(
    "path",
    [
        ("name",),
        ("issuer", "name"),
        ("issuer", "id"),
        ("validFrom",),
        ("credentialSubject", "id"),
        ("credentialSubject", "achievement", "name"),
        ("credentialSubject", "achievement", "criteria", "narrative"),
        ("proof", "created"),
        ("proof", "verificationMethod"),
    ],
)
def test_changing_one_character_is_tampered(signed, key, path):
    tampered = copy.deepcopy(signed)
    parent = tampered
    for step in path[:-1]:
        parent = parent[step]
    value = parent[path[-1]]
    # Change the second character: keeps dates and IRIs well-formed, so only the signature fails.
    parent[path[-1]] = value[0] + ("1" if value[1] == "0" else "0") + value[2:]
    # Keep resolving the same key so a changed verificationMethod still reaches the signature.
    result = di.verify(credential=tampered, resolve_public_key=lambda _m: key.public_key())
    assert result == di.VerificationResult(valid=False, reason="tampered")


@pytest.mark.parametrize("position", [1, 20, -1])
def test_changing_the_proof_value_is_tampered(signed, key, position):
    tampered = copy.deepcopy(signed)
    proof_value = tampered["proof"]["proofValue"]
    index = position % len(proof_value)
    replacement = "2" if proof_value[index] != "2" else "3"
    tampered["proof"]["proofValue"] = proof_value[:index] + replacement + proof_value[index + 1 :]
    result = di.verify(credential=tampered, resolve_public_key=_resolver(key))
    assert result.reason == "tampered"
    assert not result.valid


def test_signature_from_another_key_is_tampered(signed):
    other = di.generate_private_key()
    result = di.verify(credential=signed, resolve_public_key=lambda _m: other.public_key())
    assert result.reason == "tampered"


def test_unknown_verification_method_is_unknown_issuer(signed, key):
    unknown = copy.deepcopy(signed)
    unknown["proof"]["verificationMethod"] = "did:web:elsewhere.example#key-1"
    assert di.verify(credential=unknown, resolve_public_key=_resolver(key)).reason == (
        "unknown_issuer"
    )


def test_failing_resolver_is_unknown_issuer(signed):
    def broken(_method: str):
        raise ConnectionError("resolver down")

    assert di.verify(credential=signed, resolve_public_key=broken).reason == "unknown_issuer"


# --- Malformed input never raises -----------------------------------------------------------


def _without(doc: dict, *path: str) -> dict:
    result = copy.deepcopy(doc)
    parent = result
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return result


def _with(doc: dict, value, *path: str) -> dict:
    result = copy.deepcopy(doc)
    parent = result
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return result


@pytest.mark.parametrize(
    "make",
    [
        lambda s: None,
        lambda s: "not a credential",
        lambda s: 42,
        lambda s: [s],
        lambda s: {},
        lambda s: _without(s, "proof"),
        lambda s: _without(s, "@context"),
        lambda s: _with(s, "garbage", "proof"),
        lambda s: _with(s, [s["proof"]], "proof"),
        lambda s: _with(s, "ecdsa-rdfc-2019", "proof", "cryptosuite"),
        lambda s: _with(s, "Ed25519Signature2020", "proof", "type"),
        lambda s: _without(s, "proof", "proofValue"),
        lambda s: _with(s, 12345, "proof", "proofValue"),
        lambda s: _with(s, "u" + s["proof"]["proofValue"][1:], "proof", "proofValue"),
        lambda s: _without(s, "proof", "verificationMethod"),
        lambda s: _with(s, "yesterday", "proof", "created"),
        lambda s: _with(s, ["https://example.org/evil-context"], "@context"),
        lambda s: _with(s, [*s["@context"], "https://example.org/extra"], "@context"),
        lambda s: _with(s, "not signed", "undefinedTerm"),
        lambda s: _with(s, {"@id": 5}, "credentialSubject"),
    ],
)
def test_garbage_is_malformed_without_raising(signed, key, make):
    result = di.verify(credential=make(signed), resolve_public_key=_resolver(key))
    assert result == di.VerificationResult(valid=False, reason="malformed")


def test_deeply_nested_garbage_is_malformed(signed, key):
    garbage = copy.deepcopy(signed)
    node: dict = garbage["credentialSubject"]
    for _ in range(5000):
        node["achievement"] = {}
        node = node["achievement"]
    assert di.verify(credential=garbage, resolve_public_key=_resolver(key)).reason in {
        "malformed",
        "tampered",
    }


def test_sign_refuses_undefined_terms_and_existing_proofs(unsigned, key, signed):
    with pytest.raises(di.DataIntegrityError):
        di.sign(
            credential={**unsigned, "undefinedTerm": "x"},
            private_key=key,
            verification_method=METHOD,
            created=CREATED,
        )
    with pytest.raises(di.DataIntegrityError):
        di.sign(credential=signed, private_key=key, verification_method=METHOD, created=CREATED)


# --- Document loader ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [di.VC_V2_CONTEXT, di.OB_V3_CONTEXT])
def test_loader_serves_bundled_contexts(url):
    remote = di.document_loader(url, {})
    assert remote["documentUrl"] == url
    assert "@context" in remote["document"]
    remote["document"]["@context"] = "mutated"
    assert di.document_loader(url, {})["document"]["@context"] != "mutated"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/context.jsonld",
        "https://www.w3.org/2018/credentials/v1",
        "http://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "file:///etc/passwd",
    ],
)
def test_loader_refuses_other_urls(url):
    with pytest.raises(di.ContextNotAllowedError, match="not bundled"):
        di.document_loader(url, {})


def test_canonicalize_with_unknown_context_raises_clear_error():
    with pytest.raises(di.DataIntegrityError):
        di.canonicalize({"@context": "https://example.org/ctx", "name": "x"})


# --- Keys and DIDs --------------------------------------------------------------------------


def test_public_key_multibase_matches_vector(vector, vector_key):
    encoded = di.public_key_multibase(vector_key.public_key())
    assert encoded == vector["public_key_multibase"]
    decoded = di.public_key_from_multibase(encoded)
    assert di.public_key_multibase(decoded) == encoded


def test_secret_key_multibase_round_trips(vector, vector_key):
    from_vector = di.private_key_from_multibase(vector["secret_key_multibase"])
    assert di.public_key_multibase(from_vector.public_key()) == vector["public_key_multibase"]
    encoded = di.private_key_to_multibase(vector_key)
    assert base58.b58decode(encoded[1:])[:2] == b"\x80\x26"
    again = di.private_key_from_multibase(encoded)
    assert di.private_key_to_multibase(again) == encoded
    fresh = di.generate_private_key()
    restored = di.private_key_from_multibase(di.private_key_to_multibase(fresh))
    assert di.public_key_multibase(restored.public_key()) == di.public_key_multibase(
        fresh.public_key()
    )


@pytest.mark.parametrize(
    "value", ["", "z", "6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "z0OIl", "zabc"]
)
def test_bad_public_key_multibase_raises(value):
    with pytest.raises(di.DataIntegrityError):
        di.public_key_from_multibase(value)


def test_public_key_header_is_not_accepted_as_secret_key(vector):
    with pytest.raises(di.DataIntegrityError):
        di.private_key_from_multibase(vector["public_key_multibase"])


def test_did_web_for_host():
    assert di.did_web_for_host("Badges.Example.no") == "did:web:badges.example.no"
    assert di.did_web_for_host("localhost:8000") == "did:web:localhost%3A8000"
    for bad in ["", "https://example.no", "example.no/path", "exa mple.no", "-bad.no"]:
        with pytest.raises(ValueError, match="did:web"):
            di.did_web_for_host(bad)


def test_did_document(vector):
    public_key = di.public_key_from_multibase(vector["public_key_multibase"])
    did = di.did_web_for_host("localhost:8000")
    document = di.did_document(did=did, public_key=public_key)
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": "did:web:localhost%3A8000",
        "verificationMethod": [
            {
                "id": "did:web:localhost%3A8000#key-1",
                "type": "Multikey",
                "controller": "did:web:localhost%3A8000",
                "publicKeyMultibase": vector["public_key_multibase"],
            }
        ],
        "assertionMethod": ["did:web:localhost%3A8000#key-1"],
        "authentication": ["did:web:localhost%3A8000#key-1"],
    }


@pytest.mark.django_db
def test_the_credential_texts_are_bokmal_whatever_language_the_request_is_in():
    when = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)

    def build():
        return build_credential(
            code="ABCD-EFGH", learner_name="Kari Nordmann", title="Personvern",
            municipality_name="Bergen", completed_at=when, estimated_hours="1,5",
            issuer_name="Endra", issued_at=when, achievement_id="urn:x",
            narrative=COURSE_NARRATIVE,
        )  # fmt: skip

    with translation.override("en"):
        english_request = build()
    with translation.override("nn"):
        nynorsk_request = build()
    assert english_request == nynorsk_request
    assert english_request["name"] == "Kursbevis: Personvern"
    achievement = english_request["credentialSubject"]["achievement"]
    assert achievement["description"] == (
        "Personvern: fullført på Endra, læringsplattform for ledere i norske kommuner. "
        "Anslått omfang 1,5 timer. Kommune: Bergen."
    )
    assert achievement["criteria"]["narrative"] == (
        "Alle moduler i kurset er fullført, og eventuelle avsluttende quizer er bestått."
    )
