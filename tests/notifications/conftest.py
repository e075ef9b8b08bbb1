"""The loopback SMTP server fixture lives with the identity tests that introduced it."""

from tests.auth.conftest import smtp  # noqa: F401
