"""Certificate codes: generating them and reading back what people type (no database access)."""

import base64
import re
import secrets

# Crockford base32: no I, L, O or U, so codes survive being read aloud and typed by hand.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_STANDARD_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_CROCKFORD = str.maketrans(_STANDARD_B32, _CROCKFORD)
CODE_GROUPS, CODE_GROUP_LEN = 6, 5
CODE_CHARS = CODE_GROUPS * CODE_GROUP_LEN  # 30 characters x 5 bits = 150 random bits
_READ_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE_RE = re.compile(f"[{_CROCKFORD}]{{{CODE_CHARS}}}")


def certificate_code_generate() -> str:
    """A new code: 150 bits from `secrets`, Crockford base32 in groups, e.g. 7K3QF-...-M2X9D."""
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii")  # 160 bits, 32 chars
    chars = raw.translate(_TO_CROCKFORD)[:CODE_CHARS]
    groups = [chars[i : i + CODE_GROUP_LEN] for i in range(0, CODE_CHARS, CODE_GROUP_LEN)]
    return "-".join(groups)


def certificate_code_normalise(value: str) -> str | None:
    """The canonical form of a typed code (any case, spaces or dashes, O/I/L for 0/1), or
    None when it cannot be a code."""
    if not isinstance(value, str) or len(value) > 80:
        return None
    chars = re.sub(r"[\s-]", "", value).upper().translate(_READ_ALIKES)
    if not _CODE_RE.fullmatch(chars):
        return None
    return "-".join(chars[i : i + CODE_GROUP_LEN] for i in range(0, CODE_CHARS, CODE_GROUP_LEN))
