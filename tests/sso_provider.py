"""Start the loopback OpenID Connect provider (tests/sso/provider.mjs) for the SSO tests.

Without Node.js or its packages the SSO tests skip on a laptop; under CI=true they fail."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parent / "sso"
CLIENT_ID = "talenthub"
CLIENT_SECRET = "loopback-test-secret"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"SSO tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_oidc_provider(redirect_uri: str):
    """(issuer URL, process) of a fresh provider that accepts this redirect URI."""
    node = shutil.which("node")
    if node is None:
        _unavailable("Node.js is not installed (bin/install-test-services installs it)")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        _unavailable("run `npm ci --prefix tests/sso` (bin/install-test-services does)")
    port = _free_port()
    environment = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": redirect_uri,
    }
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [node, str(PROVIDER_DIR / "provider.mjs")],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _unavailable(f"the OIDC provider exited: {process.stdout.read()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return issuer, process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    _unavailable("the OIDC provider did not answer within 20 s")
    return None
