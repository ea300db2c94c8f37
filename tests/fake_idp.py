"""A small but real OpenID Connect provider for tests, served over HTTP on 127.0.0.1.

It runs in a background thread and speaks the authorization-code flow the way a municipal
identity provider does: discovery document, authorize (no login screen: the test says who
"logs in" with ``login_as``), token (checks the client secret, the redirect URI and the PKCE
verifier), userinfo and JWKS. The RSA signing key is made when the provider starts.

Tests can make it misbehave to check that the app refuses: sign the ID token with another
key, put in another issuer or audience, or let it expire.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "samverkan-test"
CLIENT_SECRET = "fake-idp-client-secret"  # a test fixture, not a secret


def new_signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Identity:
    """Who the next authorization request logs in, and how the ID token should look."""

    claims: dict[str, Any]
    id_token_overrides: dict[str, Any] = field(default_factory=dict)
    sign_with: rsa.RSAPrivateKey | None = None


@dataclass
class _Grant:
    identity: Identity
    client_id: str
    redirect_uri: str
    code_challenge: str
    code_challenge_method: str
    issued_at: float


class FakeIdP:
    def __init__(self) -> None:
        self.key = new_signing_key()
        self.kid = secrets.token_hex(8)
        self._identity: Identity | None = None
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request served
        self.token_requests: list[dict[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- life cycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "FakeIdP":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- what tests call --------------------------------------------------------------------

    def login_as(
        self,
        *,
        sub: str,
        email: str,
        email_verified: bool = True,
        id_token_overrides: dict[str, Any] | None = None,
        sign_with: rsa.RSAPrivateKey | None = None,
        **claims: Any,
    ) -> None:
        """The person who will "authenticate" at the next authorization request."""
        self._identity = Identity(
            claims={"sub": sub, "email": email, "email_verified": email_verified, **claims},
            id_token_overrides=id_token_overrides or {},
            sign_with=sign_with,
        )

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email"],
        }

    def jwks(self) -> dict[str, Any]:
        public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        """Answer an authorization request: (status, response headers or error body)."""
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != CLIENT_ID or not redirect_uri:
            return 400, {"error": "invalid_client"}
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return 400, {"error": "unsupported_response_type"}
        if self._identity is None:
            return 400, {"error": "nobody logged in at the fake IdP"}
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                identity=self._identity,
                client_id=query["client_id"],
                redirect_uri=redirect_uri,
                code_challenge=query.get("code_challenge", ""),
                code_challenge_method=query.get("code_challenge_method", ""),
                issued_at=time.time(),
            )
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        return 302, {"Location": f"{redirect_uri}?{urlencode(params)}"}

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.client_id != client_id:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        if grant.code_challenge and not _pkce_ok(form.get("code_verifier", ""), grant):
            return 400, {"error": "invalid_grant", "error_description": "code_verifier"}
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[access_token] = grant.identity.claims
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self._id_token(grant.identity, client_id),
        }

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        claims = self._access_tokens.get(token)
        if claims is None:
            return 401, {"error": "invalid_token"}
        return 200, claims

    # -- internals --------------------------------------------------------------------------

    def _id_token(self, identity: Identity, client_id: str) -> str:
        now = int(time.time())
        payload = {
            "iss": self.url,
            "aud": client_id,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
            **identity.claims,
            **identity.id_token_overrides,
        }
        key = identity.sign_with or self.key
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": self.kid})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_Handler,), {"idp": self})


class _Handler(BaseHTTPRequestHandler):
    """The provider's endpoints over HTTP; ``idp`` is the provider, set per server."""

    idp: FakeIdP

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.idp.requests.append(("GET", parts.path))
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/.well-known/openid-configuration":
            self._json(200, self.idp.discovery())
        elif parts.path == "/jwks":
            self._json(200, self.idp.jwks())
        elif parts.path == "/authorize":
            self._authorize(query)
        elif parts.path == "/userinfo":
            self._json(*self.idp.userinfo(self.headers.get("Authorization", "")))
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        self.idp.requests.append(("POST", parts.path))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if parts.path == "/token":
            self._json(*self.idp.token(form, self.headers.get("Authorization", "")))
        else:
            self._json(404, {"error": "not_found"})

    def _authorize(self, query: dict[str, str]) -> None:
        status, headers = self.idp.authorize(query)
        if status == 302:
            self.send_response(302)
            self.send_header("Location", headers["Location"])
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._json(status, headers)

    def _json(self, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _pkce_ok(verifier: str, grant: _Grant) -> bool:
    if grant.code_challenge_method != "S256":
        return verifier == grant.code_challenge
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return secrets.compare_digest(challenge, grant.code_challenge)


@contextmanager
def running_fake_idp() -> Iterator[FakeIdP]:
    idp = FakeIdP().start()
    try:
        yield idp
    finally:
        idp.stop()
