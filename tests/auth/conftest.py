"""Real parts for identity tests: an OIDC provider and an SMTP server, both on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import Message

import pytest

from tests.auth.oidc_provider import TestProvider
from tests.smtp import Mailbox, running_mailbox


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


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    """The loopback SMTP server (tests/smtp.py): (mailbox, port)."""
    with running_mailbox() as box:
        yield box, box.port


def body_of(message: Message, subtype: str = "plain") -> str:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            return part.get_payload(decode=True).decode()
    raise AssertionError(f"no text/{subtype} part")
