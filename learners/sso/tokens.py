"""ID token checks, stricter than allauth's: the signature is always checked against the
provider's JWKS (also for tokens from the token endpoint), and so are issuer, audience,
expiry and the nonce Endra sent with this sign-in."""

from __future__ import annotations

import secrets

import jwt
from allauth.socialaccount.adapter import get_adapter

from .errors import TokenRefused

NONCE_SESSION_KEY = "endra_sso_nonces"
LEEWAY_SECONDS = 60


def nonce_issue(session) -> str:
    """A fresh nonce for one sign-in, remembered in the session (the last few, so that two
    tabs can sign in at once)."""
    nonce = secrets.token_urlsafe(24)
    session[NONCE_SESSION_KEY] = [*session.get(NONCE_SESSION_KEY, [])[-4:], nonce]
    return nonce


def nonce_consume(session, nonce: str | None) -> bool:
    pending = session.get(NONCE_SESSION_KEY, [])
    if not nonce or nonce not in pending:
        return False
    session[NONCE_SESSION_KEY] = [n for n in pending if n != nonce]
    return True


def jwks_fetch(jwks_uri: str) -> dict:
    with get_adapter().get_requests_session() as session:
        response = session.get(jwks_uri)
        response.raise_for_status()
        return response.json()


def _signing_key(credential: str, jwks: dict):
    try:
        header = jwt.get_unverified_header(credential)
    except jwt.PyJWTError as e:
        raise TokenRefused("invalid") from e
    kid, alg = header.get("kid"), header.get("alg")
    if alg in (None, "none") or alg.startswith("HS"):
        raise TokenRefused("signature")
    for jwk in jwks.get("keys", []):
        if jwk.get("kid") == kid and jwk.get("alg", alg) == alg:
            try:
                return alg, jwt.PyJWK(jwk, algorithm=alg).key
            except jwt.PyJWTError as e:
                raise TokenRefused("signature") from e
    raise TokenRefused("signature")


def id_token_verify(credential: str, *, jwks: dict, issuer: str, client_id: str, session) -> dict:
    """The claims of `credential` when it is signed by one of `jwks`, issued by `issuer` to
    `client_id`, not expired, and carries a nonce this session is waiting for; otherwise
    TokenRefused with the reason."""
    alg, key = _signing_key(credential, jwks)
    try:
        claims = jwt.decode(
            credential,
            key=key,
            algorithms=[alg],
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError as e:
        raise TokenRefused("expired") from e
    except jwt.InvalidIssuerError as e:
        raise TokenRefused("issuer") from e
    except jwt.InvalidAudienceError as e:
        raise TokenRefused("audience") from e
    except (jwt.InvalidSignatureError, jwt.DecodeError) as e:
        raise TokenRefused("signature") from e
    except jwt.PyJWTError as e:
        raise TokenRefused("invalid") from e
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise TokenRefused("audience")
    if not nonce_consume(session, claims.get("nonce")):
        raise TokenRefused("nonce")
    return claims


def says_mfa(claims: dict, acr_values: set[str]) -> bool:
    """Whether the ID token says the person signed in with more than one factor."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return "mfa" in amr or (bool(claims.get("acr")) and claims.get("acr") in acr_values)


def without_identity_number(data: dict) -> dict:
    """`data` without ID-porten's national identity number: Endra keeps none."""
    return {k: v for k, v in data.items() if k != "pid"}
