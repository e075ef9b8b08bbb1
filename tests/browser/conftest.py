"""Browser journeys: the real app served by uvicorn on loopback, driven in Debian's Chromium.

Without Chromium (/usr/bin/chromium, or ASSAY_CHROMIUM) the journeys skip with one line saying how
to enable them; with ASSAY_REQUIRE_BROWSER=1 (CI) a missing browser is a failure instead.

Every page a journey opens is watched: a console error, an uncaught exception or a CSP violation
fails the test, unless the journey declared it expected (`watch.expect_status(409)` for the
conflict screen's response, which Chromium logs as a failed resource).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlmodel import Session

from app.notifications.sender import send_pending
from tests.auth.conftest import smtp  # noqa: F401  (the loopback SMTP server fixture)
from tests.factories import PASSWORD
from tests.smtp import Mailbox

CHROMIUM = Path(os.environ.get("ASSAY_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture launches a browser; raised here (not in a fixture) so the skips of every
    journey fold into one summary line."""
    if CHROMIUM.exists():
        return
    message = "Chromium not found: apt-get install chromium to run the browser journeys"
    if os.environ.get("ASSAY_REQUIRE_BROWSER"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server_port() -> int:
    return free_port()


@pytest.fixture
def settings(settings, server_port, smtp):  # noqa: F811  (extends the suite's settings)
    """Links in emails point at the live server; mail goes to the loopback SMTP server."""
    _, smtp_port = smtp
    return settings.model_copy(
        update={
            "base_url": f"http://127.0.0.1:{server_port}",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
        }
    )


@pytest.fixture
def live_server(app, server_port) -> Iterator[str]:
    """The test's app served over real HTTP on 127.0.0.1."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=server_port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server_port}"
    server.should_exit = True
    thread.join(timeout=10)


# --- mail -----------------------------------------------------------------------------------------


@dataclass
class Mail:
    """What the loopback SMTP server received, delivered by the app's own outbox sender."""

    inbox: Mailbox
    deliver_now: Callable[[], None]

    def deliver(self) -> list[Message]:
        """Send the outbox now (background tasks are off in tests); return the new messages."""
        before = len(self.inbox.messages)
        self.deliver_now()
        return self.inbox.messages[before:]

    def to(self, address: str) -> list[Message]:
        return [m for m in self.inbox.messages if m["To"] == address]

    @staticmethod
    def text(message: Message) -> str:
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode()
        raise AssertionError("no text/plain part")

    @classmethod
    def link(cls, message: Message, pattern: str) -> str:
        found = re.search(pattern, cls.text(message))
        assert found, f"no link matching {pattern!r} in:\n{cls.text(message)}"
        return found.group(0)


@pytest.fixture
def mail(smtp, engine, settings) -> Mail:  # noqa: F811
    inbox, _ = smtp
    return Mail(inbox=inbox, deliver_now=lambda: send_pending(engine, settings))


# --- watching pages -------------------------------------------------------------------------------


@dataclass
class Watch:
    """Console errors, uncaught exceptions and CSP violations of every watched page."""

    problems: list[str] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)

    def page(self, page: Page) -> Page:
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda message: self._console(
                message.type, message.text, f"{page.url} {message.location}"
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        return page

    def _console(self, kind: str, text: str, url: str) -> None:
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append(f"CSP on {url}: {text}")
        elif kind == "error":
            # Chromium: "…responded with a status of 409"; htmx: "Response Status Error Code 409".
            failed = re.search(r"(?:status of|Status Error Code) (\d{3})", text)
            if failed and int(failed.group(1)) in self.expected_statuses:
                return
            self.problems.append(f"console error on {url}: {text}")

    def expect_status(self, status: int) -> None:
        """A response status the journey provokes on purpose (Chromium and htmx log it)."""
        self.expected_statuses.add(status)

    def check(self) -> None:
        assert not self.problems, "the browser reported problems:\n" + "\n".join(self.problems)


@pytest.fixture(autouse=True)
def watch(page: Page) -> Iterator[Watch]:
    """Watches the default page, and each `person`'s page as it opens; fails on any problem."""
    watcher = Watch()
    watcher.page(page)
    yield watcher
    watcher.check()


@pytest.fixture
def shoot(page, request):
    """Save a screenshot of a key page under tests/artifacts/<test>/NN-name.png."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(
        name: str, of: Page | None = None, *, full: bool = True, at: Locator | None = None
    ) -> Path:
        """`at`: the window scrolled to that element (the portal and review pages are very long:
        a full-page picture of them is tens of thousands of pixels)."""
        path = folder / f"{next(counter):02d}-{name}.png"
        if at is not None:
            at.scroll_into_view_if_needed()
            full = False
        # caret="initial": hiding the caret would put style="" on every input, and htmx's settle
        # step would then copy it, a CSP violation the product itself never causes.
        (of or page).screenshot(path=str(path), full_page=full, caret="initial")
        return path

    return take


def fresh(session: Session) -> Session:
    """The test's session, ready to read what the server wrote: end its transaction (a SQLite
    reader keeps the snapshot of its first read) and forget the rows it holds."""
    session.rollback()
    session.expire_all()
    return session


def flash(page: Page) -> Locator:
    """The page's flash message (the portal's per-question save states are statuses too)."""
    return page.locator("div.flash[role=status]")


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> Page:
    """Sign in through the login form like a person would."""
    page.goto(base + "/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator('form[action="/logout"]')).to_be_attached()  # in the closed user menu
    return page


@pytest.fixture
def person(new_context, watch, live_server) -> Callable[[str], Page]:
    """A second (third…) person at their own browser: `person(email)` signs them in."""

    def open_as(email: str) -> Page:
        context: BrowserContext = new_context()
        return sign_in(watch.page(context.new_page()), live_server, email)

    return open_as
