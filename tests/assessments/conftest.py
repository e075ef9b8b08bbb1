"""Fixtures for sending, reminders, review and re-assessment: a buyer team with three vendors
(tests/worlds.py; another tenant is the root `rival`), and a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.smtp import Mailbox, running_mailbox
from tests.worlds import Team, make_team


@pytest.fixture
def team(session) -> Team:
    built = make_team(session)
    session.commit()
    return built


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """The loopback SMTP server (tests/smtp.py), collecting what it receives."""
    with running_mailbox() as box:
        yield box


@pytest.fixture
def smtp_settings(settings, mailbox):
    return settings.model_copy(update={"smtp_host": mailbox.host, "smtp_port": mailbox.port})
