"""ID tokens Endra refuses: tampered, expired, foreign (another issuer, another audience,
another key), replayed or for another sign-in (nonce). Checked against the JWKS that a real
OpenID Connect provider (oidc-provider on loopback) publishes for its own signing key."""

import base64
import json
import time

import jwt
import pytest

from learners.sso.errors import TokenRefused, refusal_message
from learners.sso.tokens import (
    id_token_verify,
    nonce_issue,
    says_mfa,
    without_identity_number,
)
from tests.oidc_peer import OIDCPeer, rsa_jwk

CLIENT_ID = "endra-bergen"


@pytest.fixture(scope="module")
def peer():
    provider = OIDCPeer(
        clients=[
            {
                "client_id": CLIENT_ID,
                "client_secret": "bergen-hemmelig",
                "redirect_uris": ["http://testserver/cb"],
                "token_endpoint_auth_method": "client_secret_post",
            }
        ],
        accounts={},
    )
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def jwks(peer):
    keys = peer.jwks()
    assert [k["kid"] for k in keys["keys"]] == [peer.kid]
    assert "d" not in keys["keys"][0]  # the public half only
    return keys


@pytest.fixture
def session():
    return {}


def claims(peer, session, **changes):
    now = int(time.time())
    base = {
        "iss": peer.issuer,
        "aud": CLIENT_ID,
        "sub": "pairwise-subject",
        "iat": now,
        "exp": now + 300,
        "nonce": nonce_issue(session),
        "email": "kari@bergen.kommune.no",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def verify(token, peer, jwks, session):
    return id_token_verify(
        token, jwks=jwks, issuer=peer.issuer, client_id=CLIENT_ID, session=session
    )


def refused(token, peer, jwks, session) -> str:
    with pytest.raises(TokenRefused) as caught:
        verify(token, peer, jwks, session)
    return caught.value.reason


def test_a_token_signed_by_the_provider_for_endra_and_this_sign_in_is_accepted(peer, jwks, session):
    token = peer.sign(claims(peer, session))
    assert verify(token, peer, jwks, session)["email"] == "kari@bergen.kommune.no"


def test_a_tampered_token_is_refused(peer, jwks, session):
    header, payload, signature = peer.sign(claims(peer, session)).split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["email"] = "angriper@bergen.kommune.no"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    assert refused(f"{header}.{forged}.{signature}", peer, jwks, session) == "signature"


def test_an_expired_token_is_refused(peer, jwks, session):
    long_ago = int(time.time()) - 3600
    token = peer.sign(claims(peer, session, iat=long_ago - 300, exp=long_ago))
    assert refused(token, peer, jwks, session) == "expired"


def test_a_token_from_another_issuer_is_refused(peer, jwks, session):
    token = peer.sign(claims(peer, session, iss="http://trondheim-idp.example"))
    assert refused(token, peer, jwks, session) == "issuer"


def test_a_token_for_another_client_is_refused(peer, jwks, session):
    token = peer.sign(claims(peer, session, aud="endra-trondheim"))
    assert refused(token, peer, jwks, session) == "audience"
    shared = peer.sign(claims(peer, session, aud=[CLIENT_ID, "another-app"]))
    assert refused(shared, peer, jwks, session) == "audience"  # no azp naming Endra


def test_a_token_signed_with_a_foreign_key_is_refused(peer, jwks, session):
    foreign_key, _ = rsa_jwk(peer.kid)  # same key id, another key
    assert refused(peer.sign(claims(peer, session), key=foreign_key), peer, jwks, session) == (
        "signature"
    )
    unknown_kid = peer.sign(claims(peer, session), key=foreign_key, kid="someone-else")
    assert refused(unknown_kid, peer, jwks, session) == "signature"


def test_unsigned_and_shared_secret_tokens_are_refused(peer, jwks, session):
    unsigned = jwt.encode(claims(peer, session), None, algorithm="none", headers={"kid": peer.kid})
    assert refused(unsigned, peer, jwks, session) == "signature"
    hs256 = jwt.encode(
        claims(peer, session), "bergen-hemmelig" * 3, algorithm="HS256", headers={"kid": peer.kid}
    )
    assert refused(hs256, peer, jwks, session) == "signature"


def test_a_token_for_another_sign_in_or_a_replay_is_refused(peer, jwks, session):
    other = peer.sign(claims(peer, {}))  # a nonce this session never sent
    assert refused(other, peer, jwks, session) == "nonce"
    without = peer.sign(claims(peer, session, nonce=None))
    assert refused(without, peer, jwks, session) == "nonce"
    token = peer.sign(claims(peer, session))
    verify(token, peer, jwks, session)
    assert refused(token, peer, jwks, session) == "nonce"  # each nonce once


def test_refusals_are_explained_in_norwegian():
    from django.utils import translation

    with translation.override("nb"):
        assert "feil utsteder" in refusal_message("issuer")
        assert "feil mottaker" in refusal_message("audience")
        assert "feil nonce" in refusal_message("nonce")
        assert "feil state" in refusal_message("state")
        assert "utløpt" in refusal_message("expired")
        assert "Bergen har ikke koblet" in refusal_message("no_provider", "Bergen")


def test_multi_factor_is_read_from_amr_or_the_configured_acr():
    assert says_mfa({"amr": ["pwd", "mfa"]}, set())
    assert says_mfa({"amr": "mfa"}, set())
    assert says_mfa({"acr": "idporten-loa-high"}, {"idporten-loa-high"})
    assert not says_mfa({"amr": ["pwd"]}, {"idporten-loa-high"})
    assert not says_mfa({"acr": "idporten-loa-low"}, {"idporten-loa-high"})
    assert not says_mfa({}, set())


def test_the_national_identity_number_is_dropped():
    assert without_identity_number({"sub": "x", "pid": "24079012345"}) == {"sub": "x"}
