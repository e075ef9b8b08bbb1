"""Queue an email in the caller's transaction: it is sent only if the change it announces commits."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session

from app.models import OutboxEmail
from app.web import PROJECT_ROOT

_env = Environment(
    loader=FileSystemLoader(PROJECT_ROOT / "templates" / "email"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """The text and HTML bodies of templates/email/<template>.txt and .html."""
    text = _env.get_template(f"{template}.txt").render(context)
    html = _env.get_template(f"{template}.html").render(context)
    return text, html


def queue_email(
    *,
    session: Session,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    kind: str,
    organisation_id: int | None = None,
    assessment_id: int | None = None,
) -> OutboxEmail:
    text, html = render_email(template, context)
    email = OutboxEmail(
        to_address=to,
        subject=subject[:300],
        text_body=text,
        html_body=html,
        kind=kind,
        organisation_id=organisation_id,
        assessment_id=assessment_id,
    )
    session.add(email)
    session.flush()
    return email
