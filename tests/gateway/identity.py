"""A stand-in OIDC identity provider: signing keys by kid and a real JWKS HTTP endpoint on a free port."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from shared.natsserver import free_port

ISSUER, AUDIENCE = "https://login.example/tenant-1/v2.0", "api://dso-rollout"


class IdentityProvider:
    """Signing keys by kid, and the JWKS endpoint publishing their public halves."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[str, Any]] = {}
        self.fetches = 0
        self.up = True
        self.port = free_port()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                if not provider.up:
                    self.send_error(503)
                    return
                body = json.dumps(provider.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/discovery/v2.0/keys"

    def add_key(self, kid: str, algorithm: str) -> None:
        rsa_key = algorithm == "RS256"
        private = rsa.generate_private_key(65537, 2048) if rsa_key else ec.generate_private_key(ec.SECP256R1())
        self.keys[kid] = (algorithm, private)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, (algorithm, private) in self.keys.items():
            jwk = json.loads(jwt.algorithms.get_default_algorithms()[algorithm].to_jwk(private.public_key()))
            keys.append(jwk | {"kid": kid, "use": "sig", "alg": algorithm})
        return {"keys": keys}

    def token(self, kid: str, *, signer: Any = None, **overrides: Any) -> str:
        algorithm, private = self.keys[kid]
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "iat": now, "exp": now + 600, "org": "acme",
                  "role": "regional_admin", "regions": ["north"], "sid": "session-1"} | overrides
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, signer or private, algorithm=algorithm, headers={"kid": kid})


@contextmanager
def running_provider(*algorithms_by_kid: tuple[str, str]) -> Iterator[IdentityProvider]:
    """A provider serving its JWKS in a thread for the block."""
    provider = IdentityProvider()
    for kid, algorithm in algorithms_by_kid:
        provider.add_key(kid, algorithm)
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        provider.server.shutdown()
        provider.server.server_close()
