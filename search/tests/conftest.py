"""Fixtures more than one module of the search tests uses."""

import socket

import pytest


@pytest.fixture
def hung_engine_url():
    """A real socket that accepts connections but never answers, like a hung node."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        host, port = listener.getsockname()
        yield f"http://{host}:{port}"
