"""Search files for secrets: raw, UTF-16, base64-wrapped, JWT-shaped; report places, never the secrets."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

JWT_SHAPE = re.compile(rb"eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}")
BASE64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")


@dataclass(frozen=True)
class Finding:
    """Where a secret was found: never the secret itself."""

    path: Path
    offset: int
    kind: str

    def __str__(self) -> str:
        return f"{self.path} @ byte {self.offset}: {self.kind}"


def _base64_forms(secret: bytes) -> Iterator[bytes]:
    """What ``secret`` looks like inside base64 text, whatever its alignment in the encoded data."""
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        yield encode(secret).rstrip(b"=")  # the whole value encoded on its own (keyrings.alt style)
        for shift in (1, 2):
            # Encoded after `shift` other bytes: the first characters also carry those bytes, and the
            # last group may be partial, so keep only the characters that depend on the secret alone.
            encoded = encode(b"\0" * shift + secret).rstrip(b"=")
            middle = encoded[shift + 1 : len(encoded) - 3]
            if len(middle) >= 8:
                yield middle


def _needles(secrets: dict[str, str]) -> list[tuple[bytes, str]]:
    """(bytes to look for, what they are) for every secret, in every encoding we check."""
    needles: list[tuple[bytes, str]] = []
    for kind, secret in secrets.items():
        raw = secret.encode()
        needles.append((raw, kind))
        needles.append((secret.encode("utf-16-le"), f"{kind} (UTF-16)"))
        needles.extend((form, f"{kind} (base64)") for form in _base64_forms(raw))
        if secret.count(".") == 2:  # a JWT: its signature alone identifies it
            needles.append((raw.rsplit(b".", 1)[1], f"{kind} (signature part)"))
    return needles


def _decoded_base64_runs(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(offset, decoded bytes) for every long base64 or base64url run in ``data``."""
    for match in BASE64_RUN.finditer(data):
        run = match.group().rstrip(b"=")
        for altchars in (b"+/", b"-_"):
            for start in range(4):
                chunk = run[start:]
                chunk = chunk[: len(chunk) - len(chunk) % 4]
                try:
                    yield match.start(), base64.b64decode(chunk, altchars=altchars, validate=True)
                except (binascii.Error, ValueError):
                    continue


def scan(
    roots: Iterable[Path], secrets: dict[str, str], exclude: Iterable[Path] = ()
) -> tuple[int, list[Finding]]:
    """Search every regular file under ``roots`` (except ``exclude``); returns (files read, findings)."""
    needles = _needles(secrets)
    plain = [(s.encode(), kind) for kind, s in secrets.items()]
    excluded = [p.resolve() for p in exclude]
    findings: list[Finding] = []
    count = 0
    for root in roots:
        for path in sorted(root.rglob("*")):
            resolved = path.resolve()
            if any(resolved.is_relative_to(e) for e in excluded) or path.is_symlink() or not path.is_file():
                continue
            data = path.read_bytes()
            count += 1
            for needle, kind in needles:
                offset = data.find(needle)
                if offset >= 0:
                    findings.append(Finding(path, offset, kind))
            for match in JWT_SHAPE.finditer(data):
                findings.append(Finding(path, match.start(), "a JWT-shaped string"))
            for match in re.finditer(rb"(?i)bearer ", data):
                findings.append(Finding(path, match.start(), "'Bearer '"))
            for offset, decoded in _decoded_base64_runs(data):
                if JWT_SHAPE.search(decoded) or decoded.startswith(b"eyJ"):
                    findings.append(Finding(path, offset, "a base64-wrapped JWT"))
                findings.extend(
                    Finding(path, offset, f"{kind} (inside decoded base64)")
                    for needle, kind in plain
                    if needle in decoded
                )
    return count, sorted(set(findings), key=str)


def assert_clean(count: int, findings: list[Finding]) -> None:
    """Fail listing every finding (file, offset, kind of secret)."""
    assert not findings, f"secrets found on disk (scanned {count} files):\n" + "\n".join(map(str, findings))


def _database_files(state_dir: Path) -> list[Path]:
    return sorted(p for p in state_dir.glob("*.db*") if p.is_file())


def assert_database_holds_no_plaintext(state_dir: Path, secrets: dict[str, str]) -> None:
    """The sandbox's SQLite files in ``state_dir`` hold none of ``secrets``, and passwords only as hashes."""
    databases = _database_files(state_dir)
    assert databases, f"no sandbox database in {state_dir}"
    for path in databases:
        data = path.read_bytes()
        for kind, secret in secrets.items():
            offset = data.find(secret.encode())
            assert offset < 0, f"{path} @ byte {offset}: {kind} stored in the sandbox database"
    # SQLite may still hold the rows in its write-ahead log: look at every file of the database.
    assert any(b"scrypt$" in p.read_bytes() for p in databases), "passwords are stored as scrypt hashes"
