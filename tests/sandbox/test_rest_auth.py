"""Login, refresh and bearer-token refusals (CONTRACT §1) over real TLS."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.sandbox.conftest import RestServer

LOGIN = "/v1/authentication/login/realms/{}"
REFRESH = "/v1/authentication/token/refresh"


def login(
    rest: RestServer, username: str = "tech", password: str = "tech-demo-pw", realm: str = "demo"
) -> httpx.Response:
    with rest.client() as c:
        return c.post(LOGIN.format(realm), json={"username": username, "password": password, "realm": realm})


@contextmanager
def ttl(rest: RestServer, *, access: int | None = None, refresh: int | None = None) -> Iterator[None]:
    """Temporarily change the issuer's lifetimes (negative = already expired when issued)."""
    old = rest.issuer.token_ttl, rest.issuer.refresh_ttl
    rest.issuer.token_ttl = access if access is not None else old[0]
    rest.issuer.refresh_ttl = refresh if refresh is not None else old[1]
    try:
        yield
    finally:
        rest.issuer.token_ttl, rest.issuer.refresh_ttl = old


def test_login_returns_rs256_tokens_with_contract_claims(rest_server: RestServer) -> None:
    r = login(rest_server)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"access_token", "expires_in", "refresh_token", "refresh_expires_in"}
    assert body["expires_in"] == 300 and body["refresh_expires_in"] == 1800
    assert r.headers["cache-control"] == "no-store"
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"
    access = jwt.decode(body["access_token"], rest_server.issuer.public_key_pem(), algorithms=["RS256"])
    assert access["sub"] == rest_server.user_id("tech")
    assert access["realm"] == "demo" and access["preferred_username"] == "tech"
    assert access["exp"] - access["iat"] == 300 and access["typ"] == "access"
    refresh = jwt.decode(body["refresh_token"], rest_server.issuer.public_key_pem(), algorithms=["RS256"])
    assert refresh["sub"] == access["sub"] and refresh["typ"] == "refresh"
    assert refresh["exp"] - refresh["iat"] == 1800


@pytest.mark.parametrize(
    ("username", "password"), [("tech", "wrong"), ("nobody", "tech-demo-pw"), ("tech", "TECH-DEMO-PW")]
)
def test_bad_credentials_get_401(rest_server: RestServer, username: str, password: str) -> None:
    r = login(rest_server, username, password)
    assert r.status_code == 401
    assert r.json() == {"error": "Invalid username or password"}


def test_body_realm_must_equal_path_realm(rest_server: RestServer) -> None:
    with rest_server.client() as c:
        r = c.post(
            LOGIN.format("demo"), json={"username": "tech", "password": "tech-demo-pw", "realm": "other"}
        )
    assert r.status_code == 400
    assert r.json()["details"][0]["field"] == "realm"


def test_unknown_realm_gets_404(rest_server: RestServer) -> None:
    r = login(rest_server, realm="elsewhere")
    assert r.status_code == 404
    assert "elsewhere" in r.json()["error"]


def test_login_body_fields_are_required(rest_server: RestServer) -> None:
    with rest_server.client() as c:
        r = c.post(LOGIN.format("demo"), json={"username": "tech"})
    assert r.status_code == 400
    assert {d["field"] for d in r.json()["details"]} == {"password", "realm"}


def test_passwords_are_stored_hashed(rest_server: RestServer) -> None:
    with rest_server.service.store.read() as conn:
        rows = conn.execute("SELECT username, password_hash FROM users").fetchall()
    assert len(rows) == 4
    for row in rows:
        assert f"{row['username']}-demo-pw" not in row["password_hash"]
        assert row["password_hash"].startswith("scrypt$")


def test_refresh_issues_new_working_tokens(rest_server: RestServer) -> None:
    first = login(rest_server).json()
    with rest_server.client() as c:
        r = c.post(REFRESH, json={"refreshToken": first["refresh_token"]})
        assert r.status_code == 200
        fresh = r.json()
        assert fresh["access_token"] != first["access_token"]
        apps = c.get(
            "/v1/application/applications", headers={"Authorization": f"Bearer {fresh['access_token']}"}
        )
    assert apps.status_code == 200


def test_access_token_is_not_accepted_as_refresh_token(rest_server: RestServer) -> None:
    tokens = login(rest_server).json()
    with rest_server.client() as c:
        r = c.post(REFRESH, json={"refreshToken": tokens["access_token"]})
    assert r.status_code == 401
    assert r.json() == {"error": "Not a refresh token"}


def test_refresh_token_is_not_accepted_as_access_token(rest_server: RestServer) -> None:
    tokens = login(rest_server).json()
    with rest_server.client(Authorization=f"Bearer {tokens['refresh_token']}") as c:
        r = c.get("/v1/application/applications")
    assert r.status_code == 401
    assert "not an access token" in r.json()["error"]


def test_expired_refresh_token_gets_401(rest_server: RestServer) -> None:
    with ttl(rest_server, refresh=-5):
        tokens = login(rest_server).json()
    with rest_server.client() as c:
        r = c.post(REFRESH, json={"refreshToken": tokens["refresh_token"]})
    assert r.status_code == 401
    assert r.json() == {"error": "The refresh token has expired"}


def test_expired_access_token_gets_401(rest_server: RestServer) -> None:
    with ttl(rest_server, access=-5):
        tokens = login(rest_server).json()
    with rest_server.client(Authorization=f"Bearer {tokens['access_token']}") as c:
        r = c.get("/v1/application/applications")
    assert r.status_code == 401
    assert r.json() == {"error": "The access token has expired"}


def test_token_expires_while_in_use(rest_server: RestServer) -> None:
    with ttl(rest_server, access=1):
        tokens = login(rest_server).json()
    with rest_server.client(Authorization=f"Bearer {tokens['access_token']}") as c:
        assert c.get("/v1/application/applications").status_code == 200
        time.sleep(2.1)  # PyJWT compares whole seconds; wait past exp
        assert c.get("/v1/application/applications").status_code == 401


def test_missing_token_gets_the_reference_error(rest_server: RestServer) -> None:
    with rest_server.client() as c:
        r = c.get("/v1/application/applications")
    assert r.status_code == 401
    assert r.json() == {"error": "No authorization token found"}


@pytest.mark.parametrize(
    "header", ["Bearer", "Token abc", "Basic dGVjaDp0ZWNoLWRlbW8tcHc=", "Bearer not.a.jwt", "Bearer abc"]
)
def test_malformed_authorization_gets_401(rest_server: RestServer, header: str) -> None:
    with rest_server.client(Authorization=header) as c:
        r = c.get("/v1/application/applications")
    assert r.status_code == 401
    assert set(r.json()) == {"error"}


def test_reference_style_bearer_colon_is_tolerated(rest_server: RestServer) -> None:
    token = rest_server.token("tech")
    with rest_server.client(Authorization=f"Bearer: {token}") as c:
        assert c.get("/v1/application/applications").status_code == 200


def test_token_signed_by_another_key_gets_401(rest_server: RestServer) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    forged = jwt.encode(
        {
            "sub": rest_server.user_id("dispatch"),
            "iat": now,
            "exp": now + 300,
            "realm": "demo",
            "typ": "access",
        },
        other,
        algorithm="RS256",
    )
    with rest_server.client(Authorization=f"Bearer {forged}") as c:
        r = c.get("/v1/application/applications")
    assert r.status_code == 401
    assert r.json() == {"error": "The access token is invalid"}


def test_unsigned_token_gets_401(rest_server: RestServer) -> None:
    now = int(time.time())
    token = jwt.encode(
        {
            "sub": rest_server.user_id("dispatch"),
            "iat": now,
            "exp": now + 300,
            "realm": "demo",
            "typ": "access",
        },
        key=None,  # type: ignore[arg-type]  # deliberately unsigned: alg "none" takes no key
        algorithm="none",
    )
    with rest_server.client(Authorization=f"Bearer {token}") as c:
        assert c.get("/v1/application/applications").status_code == 401


def test_refresh_body_must_hold_a_token(rest_server: RestServer) -> None:
    with rest_server.client() as c:
        r = c.post(REFRESH, json={"refresh_token": "x"})
    assert r.status_code == 400
    assert r.json()["details"] == [
        {"field": "refreshToken", "message": "is required and must be a non-empty string"}
    ]


def test_token_for_another_realm_gets_401(rest_server: RestServer) -> None:
    # Same signing key (a state dir reused with another --realm), so only the realm claim tells it apart.
    tokens = rest_server.issuer.issue(user_id=rest_server.user_id("tech"), username="tech", realm="other")
    with rest_server.client(Authorization=f"Bearer {tokens['access_token']}") as c:
        r = c.get("/v1/application/applications")
    assert r.status_code == 401
    assert r.json() == {"error": "The token was issued for another realm"}
