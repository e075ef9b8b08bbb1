"""The autosave floor: a bare FastAPI app doing the single-row write an autosave ends in.

Same server (uvicorn), same engine settings (`app.db.make_engine`: WAL and BEGIN IMMEDIATE on
SQLite, the same pools on PostgreSQL), same kind of route (the form parsed by an async
dependency, then a sync handler in the thread pool), same table and rows: one UPDATE of an
answer's value and version in its own transaction, then a small HTML fragment. No middleware,
session, sign-in, CSRF, validation, audit event or page view. Run it like the app:
`ASSAY_DATABASE_URL=… uvicorn --factory bench.floor_app:from_environment`.
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import update
from sqlmodel import Session, col
from starlette.datastructures import FormData

from app.db import begin_write, make_engine
from app.models import Answer, utcnow


async def form_data(request: Request) -> FormData:
    return await request.form()


def create(url: str) -> FastAPI:
    engine = make_engine(url)
    app = FastAPI()
    app.state.engine = engine

    @app.post("/answers/{answer_id}")
    def save(answer_id: int, form: Annotated[FormData, Depends(form_data)]) -> HTMLResponse:
        with Session(engine) as session:
            begin_write(session)
            version = session.execute(
                update(Answer)
                .where(col(Answer.id) == answer_id)
                .values(
                    value=int(str(form.get("value", "0"))),
                    version=Answer.version + 1,
                    answered_at=utcnow(),
                )
                .returning(Answer.version)
            ).scalar_one()
            session.commit()
        return HTMLResponse(f'<span class="save-state saved">Saved</span> <i>{version}</i>')

    return app


def from_environment() -> FastAPI:
    return create(os.environ["ASSAY_DATABASE_URL"])
