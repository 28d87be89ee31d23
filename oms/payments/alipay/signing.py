"""RSA2 (SHA256withRSA, PKCS#1 v1.5, base64) as Alipay's open API uses it.

What is signed is always a string built from raw values (never URL-encoded) and encoded as UTF-8:

- a request: every non-empty parameter except ``sign``, sorted by key, as ``k=v&k=v``;
- a notification or a return redirect: the same, but without ``sign`` *and* ``sign_type``;
- an API answer: the exact text of the ``*_response`` value in the HTTP body.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_REQUEST_UNSIGNED = frozenset({"sign"})
_NOTIFICATION_UNSIGNED = frozenset({"sign", "sign_type"})


def sign_content(params: Mapping[str, str], *, exclude: Iterable[str] = _REQUEST_UNSIGNED) -> str:
    """``k=v&...`` over the non-empty params not in ``exclude``, sorted by key (code point order)."""
    skip = frozenset(exclude)
    return "&".join(
        f"{key}={params[key]}" for key in sorted(params) if key not in skip and params[key] not in ("", None)
    )


def request_sign_content(params: Mapping[str, str]) -> str:
    return sign_content(params, exclude=_REQUEST_UNSIGNED)


def notification_sign_content(params: Mapping[str, str]) -> str:
    return sign_content(params, exclude=_NOTIFICATION_UNSIGNED)


def rsa2_sign(content: str, private_key_pem: str) -> str:
    key = load_private_key(private_key_pem)
    signature = key.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def rsa2_verify(content: str, signature: str, public_key_pem: str) -> bool:
    """True only for a valid signature; any malformed input (bad base64, wrong types) is simply False."""
    try:
        raw = base64.b64decode(signature, validate=True)
        load_public_key(public_key_pem).verify(raw, content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError, AttributeError, binascii.Error):
        return False
    return True


def sign_request(params: Mapping[str, str], private_key_pem: str) -> str:
    return rsa2_sign(request_sign_content(params), private_key_pem)


def sign_notification(params: Mapping[str, str], private_key_pem: str) -> str:
    return rsa2_sign(notification_sign_content(params), private_key_pem)


def verify_request(params: Mapping[str, str], public_key_pem: str) -> bool:
    """Check a request's ``sign`` (what Alipay's gateway does; the sandbox uses it)."""
    try:
        signature = params.get("sign")
        if not isinstance(signature, str) or not all(isinstance(v, str) for v in params.values()):
            return False
        return rsa2_verify(request_sign_content(params), signature, public_key_pem)
    except (TypeError, AttributeError, ValueError):
        return False


def verify_notification(params: Mapping[str, str], public_key_pem: str) -> bool:
    """Check an async notification or a return redirect. Never raises."""
    try:
        signature = params.get("sign")
        if not isinstance(signature, str) or not all(isinstance(v, str) for v in params.values()):
            return False
        return rsa2_verify(notification_sign_content(params), signature, public_key_pem)
    except (TypeError, AttributeError, ValueError):
        return False


def top_level_members(body: str) -> dict[str, str]:
    """The raw text of each member of a top-level JSON object, exactly as it appears in ``body``.

    Alipay signs the bytes it sent, so the ``*_response`` value must not be parsed and re-serialized (key
    order, escapes such as ``\\/`` and spacing would change). ``ValueError`` unless ``body`` is one JSON
    object.
    """
    decoder = json.JSONDecoder()
    members: dict[str, str] = {}
    pos = _skip_ws(body, 0)
    if body[pos : pos + 1] != "{":
        raise ValueError("not a JSON object")
    pos = _skip_ws(body, pos + 1)
    if body[pos : pos + 1] == "}":
        return _expect_end(body, pos + 1, members)
    while True:
        key, pos = decoder.raw_decode(body, pos)
        if not isinstance(key, str):
            raise ValueError("object key is not a string")
        pos = _skip_ws(body, pos)
        if body[pos : pos + 1] != ":":
            raise ValueError("expected ':'")
        start = _skip_ws(body, pos + 1)
        _, end = decoder.raw_decode(body, start)
        members[key] = body[start:end]
        pos = _skip_ws(body, end)
        if body[pos : pos + 1] == "}":
            return _expect_end(body, pos + 1, members)
        if body[pos : pos + 1] != ",":
            raise ValueError("expected ',' or '}'")
        pos = _skip_ws(body, pos + 1)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def _expect_end(body: str, pos: int, members: dict[str, str]) -> dict[str, str]:
    if _skip_ws(body, pos) != len(body):
        raise ValueError("trailing data after the JSON object")
    return members


def generate_key_pair(key_size: int = 2048) -> tuple[str, str]:
    """A fresh (PKCS#8 private PEM, SubjectPublicKeyInfo public PEM) pair, as the Alipay key tool makes."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem


# Keys are parsed once per distinct PEM text: parsing costs more than a signature. Keyed on the text itself,
# so a rotated key is simply a new entry.
@lru_cache(maxsize=32)
def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Accept PEM (PKCS#8 or PKCS#1) or the bare base64 the Alipay console shows; ``ValueError`` otherwise."""
    text = pem.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    else:
        key = serialization.load_der_private_key(_bare_base64(text), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the app private key is not an RSA key")
    return key


@lru_cache(maxsize=32)
def load_public_key(pem: str) -> rsa.RSAPublicKey:
    """Accept PEM or the bare base64 the Alipay console shows; ``ValueError`` otherwise."""
    text = pem.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode("ascii"))
    else:
        key = serialization.load_der_public_key(_bare_base64(text))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the Alipay public key is not an RSA key")
    return key


def _bare_base64(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except binascii.Error as exc:
        raise ValueError("key is neither PEM nor base64") from exc
