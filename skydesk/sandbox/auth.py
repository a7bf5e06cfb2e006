"""Tokens and passwords: RS256 JWT access/refresh tokens and salted scrypt password hashes."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ACCESS = "access"
REFRESH = "refresh"

# scrypt cost: enough to make the stored hashes real hashes, cheap enough for many logins in tests.
_SCRYPT_N = 2**13
_SCRYPT_R = 8
_SCRYPT_P = 1


class InvalidToken(Exception):
    """A token that is malformed, badly signed, expired or of the wrong type; the message is safe to show."""


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` in the form ``scrypt$n$r$p$salt$hash`` (hex)."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(actual.hex(), digest)


class TokenIssuer:
    """Issues and verifies the sandbox's RS256 JWTs; the signing key persists at ``key_path``."""

    def __init__(self, key_path: Path, *, token_ttl: int, refresh_ttl: int) -> None:
        self.key_path = Path(key_path)
        self.token_ttl = token_ttl  # mutable at runtime: tests shorten it to provoke expiry
        self.refresh_ttl = refresh_ttl
        self._private_key = self._load_or_create_key(self.key_path)
        self._public_key = self._private_key.public_key()
        # expire_all(): tokens issued up to this second are dead, except those issued after the call
        # within that same second (iat has whole seconds), whose ids are kept here.
        self._revoked_through = {ACCESS: 0, REFRESH: 0}
        self._issued_since_revoke: dict[str, set[str]] = {ACCESS: set(), REFRESH: set()}
        self._revoke_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenIssuer(key_path={str(self.key_path)!r}, token_ttl={self.token_ttl})"

    @staticmethod
    def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise ValueError(f"{path} does not hold an RSA private key")
            return key
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write owner-only from the start; the key signs every token the sandbox accepts.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        return key

    def public_key_pem(self) -> bytes:
        """The verification key, for anyone who wants to check tokens offline."""
        return self._public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def expire_all(self, *, refresh: bool = True) -> None:
        """Make every access token issued so far (and every refresh token, unless ``refresh`` is False)
        count as expired from now on; tokens issued afterwards work as usual."""
        now = int(time.time())
        with self._revoke_lock:
            for typ in (ACCESS, REFRESH) if refresh else (ACCESS,):
                self._revoked_through[typ] = now
                self._issued_since_revoke[typ] = set()

    def _note_issued(self, typ: str, claims: dict[str, Any]) -> None:
        with self._revoke_lock:
            if claims["iat"] == self._revoked_through[typ]:
                self._issued_since_revoke[typ].add(claims["jti"])

    def _revoked(self, typ: str, claims: dict[str, Any]) -> bool:
        iat = claims.get("iat")
        with self._revoke_lock:
            through = self._revoked_through[typ]
            if not isinstance(iat, int | float) or iat > through:
                return False
            return iat < through or claims.get("jti") not in self._issued_since_revoke[typ]

    def issue(self, *, user_id: str, username: str, realm: str) -> dict[str, Any]:
        """A login/refresh response: ``{access_token, expires_in, refresh_token, refresh_expires_in}``."""
        now = int(time.time())
        access = {
            "sub": user_id,
            "iat": now,
            "exp": now + self.token_ttl,
            "realm": realm,
            "preferred_username": username,
            "typ": ACCESS,
            "jti": uuid.uuid4().hex,
        }
        refresh = {
            "sub": user_id,
            "iat": now,
            "exp": now + self.refresh_ttl,
            "realm": realm,
            "typ": REFRESH,
            "jti": secrets.token_hex(16),
        }
        self._note_issued(ACCESS, access)
        self._note_issued(REFRESH, refresh)
        return {
            "access_token": jwt.encode(access, self._private_key, algorithm="RS256"),
            "expires_in": self.token_ttl,
            "refresh_token": jwt.encode(refresh, self._private_key, algorithm="RS256"),
            "refresh_expires_in": self.refresh_ttl,
        }

    def _verify(self, token: str, typ: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                options={"require": ["sub", "exp", "iat"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken(f"The {typ} token has expired") from None
        except jwt.PyJWTError:
            raise InvalidToken(f"The {typ} token is invalid") from None
        if claims.get("typ") != typ:
            raise InvalidToken(f"The token is not an {typ} token" if typ == ACCESS else "Not a refresh token")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise InvalidToken(f"The {typ} token has no subject")
        if self._revoked(typ, claims):
            raise InvalidToken(f"The {typ} token has expired")
        return claims

    def verify_access(self, token: str) -> dict[str, Any]:
        """The claims of a valid, unexpired access token; raises :class:`InvalidToken` otherwise."""
        return self._verify(token, ACCESS)

    def verify_refresh(self, token: str) -> dict[str, Any]:
        """The claims of a valid, unexpired refresh token; raises :class:`InvalidToken` otherwise."""
        return self._verify(token, REFRESH)
