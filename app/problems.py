"""OpenAPI descriptions of the problem+json error answers, for `responses=` on API routes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as every API error is returned."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[str] | None = Field(
        default=None, description="For 422: one `field: message` entry per invalid field."
    )


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    texts = {
        401: "Not signed in: send `Authorization: Bearer <token>`.",
        403: "Your role does not allow this.",
        404: "Not found in your organisation.",
        409: "Conflict: the object changed since you read it.",
        413: "Too large.",
        422: "Invalid input: `errors` lists `field: message`.",
    }
    return {
        status: {
            "model": ProblemDetails,
            "description": texts[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }
