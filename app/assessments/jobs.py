"""The periodic work while serving: deliver the outbox, send reminders, start due re-assessments.
(`assay serve` publishes the questionnaire library before the workers start.)

Started from the app lifespan when `settings.background_tasks` is on (tests turn it off). Every
step is safe to run in several processes at once (outbox rows are claimed, reminders are claimed
by their unique log row, re-assessments lock the vendor), so each uvicorn worker may run it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import anyio.to_thread
from sqlalchemy import Engine

from app.assessments.reassessment import run_reassessments
from app.assessments.reminders import send_reminders
from app.config import Settings
from app.notifications.sender import send_pending

log = logging.getLogger("assay.jobs")


def run_due_work(engine: Engine, settings: Settings) -> None:
    """Reminders and re-assessments, then deliver what they queued."""
    reminders = send_reminders(engine, settings)
    started = run_reassessments(engine, settings)
    if reminders.sent or started:
        log.info("queued %d reminder(s), started %d re-assessment(s)", reminders.sent, len(started))
    send_pending(engine, settings)


async def _guarded(what: str, job: Callable[[], None]) -> None:
    try:
        await anyio.to_thread.run_sync(job)
    except Exception:  # a failing job must not end the loop; it runs again next tick
        log.exception("background job %s failed", what)


async def periodic(engine: Engine, settings: Settings, stop: asyncio.Event) -> None:
    last_due_work = float("-inf")
    while not stop.is_set():
        if time.monotonic() - last_due_work >= settings.reminder_interval_seconds:
            last_due_work = time.monotonic()
            await _guarded("reminders", lambda: run_due_work(engine, settings))
        else:
            await _guarded("outbox", lambda: send_pending(engine, settings))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.outbox_interval_seconds)


def start_background(engine: Engine, settings: Settings) -> Callable[[], Awaitable[None]]:
    """Start the loop; returns the coroutine function that stops it (call it on shutdown)."""
    stop = asyncio.Event()
    task = asyncio.create_task(periodic(engine, settings, stop), name="assay-background")

    async def shutdown() -> None:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=30)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()

    return shutdown
