"""Real parts for identity tests: an OIDC provider and an SMTP server, both on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from tests.auth.oidc_provider import TestProvider


@pytest.fixture(scope="session")
def _provider() -> Iterator[TestProvider]:
    provider = TestProvider()
    server, thread = provider.serve()
    yield provider
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def idp(_provider: TestProvider) -> Iterator[TestProvider]:
    """The running provider, reset to a well-behaved state for each test."""
    _provider.reset()
    yield _provider
    _provider.reset()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """An aiosmtpd server on a free loopback port: (inbox, port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def body_of(message: Message, subtype: str = "plain") -> str:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            return part.get_payload(decode=True).decode()
    raise AssertionError(f"no text/{subtype} part")
