"""The public credential check answers any input cheaply: a credential is matched with the
certificate Endra issued before any JSON-LD work, and what still needs canonicalising is
bounded (size, nesting, nodes, blank nodes), so a clique of blank nodes is refused at once."""

import copy
import json

import pytest
from pyld.jsonld import JsonLdProcessor

from learners import openbadges as ob
from learners.services import certificates as svc


@pytest.fixture(autouse=True)
def setup(certificate_settings):
    return certificate_settings


@pytest.fixture
def normalisations(monkeypatch):
    """Counts the canonicalisations PyLD runs (the real ones: the method is only wrapped)."""
    calls = []
    real = JsonLdProcessor.normalize

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(JsonLdProcessor, "normalize", counting)
    return calls


def _clique(size: int) -> list[dict]:
    """`size` blank nodes, each linked to all the others: RDFC-1.0 needs about size! steps."""
    ids = [f"_:n{i}" for i in range(size)]
    return [
        {"id": node, "type": ["Profile"], "knows": [other for other in ids if other != node]}
        for node in ids
    ]


def _with_clique(credential: dict, size: int = 8) -> dict:
    attacked = copy.deepcopy(credential)
    attacked["credentialSubject"]["knows"] = _clique(size)
    return attacked


@pytest.mark.django_db
def test_a_blank_node_clique_is_refused_without_canonicalising(client, certificate, normalisations):
    attacked = _with_clique(certificate.credential)
    assert len(json.dumps(attacked)) < 4_000
    response = client.post("/certificates/verify/", {"credential": json.dumps(attacked)})
    assert response.status_code == 200
    assert 'data-credential-status="malformed"' in response.content.decode()
    assert normalisations == []


@pytest.mark.django_db
def test_a_clique_under_an_unknown_id_is_refused_without_canonicalising(
    certificate, normalisations
):
    attacked = _with_clique(certificate.credential)
    attacked["id"] = "https://endra.example.no/certificates/ZZZZ-ZZZZ-ZZZZ/"
    assert svc.certificate_verify_credential(credential=attacked).status == "malformed"
    assert normalisations == []


@pytest.mark.django_db
def test_the_credential_endra_issued_is_recognised_without_canonicalising(
    certificate, normalisations
):
    check = svc.certificate_verify_credential(credential=copy.deepcopy(certificate.credential))
    assert (check.status, check.certificate) == ("valid", certificate)
    assert normalisations == []


@pytest.mark.django_db
def test_a_changed_credential_is_still_checked_by_its_signature(certificate, normalisations):
    changed = copy.deepcopy(certificate.credential)
    changed["credentialSubject"]["name"] = "Noen Andre"
    assert svc.certificate_verify_credential(credential=changed).status == "tampered"
    assert normalisations  # within the bounds, the signature decides


@pytest.mark.parametrize(
    "extra",
    [
        {"knows": [{"type": ["Profile"], "name": f"n{i}"} for i in range(6)]},  # identical star
        {"knows": {"a": {"b": {"c": {"d": {"e": {"f": {"g": "deep"}}}}}}}},
        {"description": "x" * 20_000},
        {"knows": {"@context": {"knows": "https://example.org/knows"}, "name": "inline"}},
    ],
    ids=["blank-star", "deep", "large", "nested-context"],
)
def test_documents_beyond_the_bounds_are_refused_before_json_ld(extra):
    document = {
        "@context": [ob.dataintegrity.VC_V2_CONTEXT, ob.dataintegrity.OB_V3_CONTEXT],
        "id": "https://endra.example.no/certificates/X/",
        "credentialSubject": {"type": ["AchievementSubject"], **extra},
    }
    with pytest.raises(ob.DataIntegrityError):
        ob.check_bounds(document)


def test_a_foreign_context_is_refused():
    with pytest.raises(ob.ContextNotAllowedError):
        ob.check_bounds({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "x"})


@pytest.mark.django_db
def test_json_nested_beyond_the_parser_is_an_answer_not_an_error(client):
    response = client.post("/certificates/verify/", {"credential": "[" * 50_000})
    assert response.status_code == 200
    assert "JSON" in response.content.decode()
