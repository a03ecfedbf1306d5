"""A real SMTP server on loopback (aiosmtpd) for the outgoing-mail tests."""

import socket

from aiosmtpd.controller import Controller


class CollectingHandler:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp_server(port: int | None = None) -> tuple[Controller, CollectingHandler]:
    """Start a collecting SMTP server (on `port`, or a free one); stop it with .stop()."""
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller, handler
