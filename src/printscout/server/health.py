"""Liveness and readiness probes for load balancers and process supervisors."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from printscout.storage.errors import StorageError
from printscout.storage.session import Database

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """The process can reach its database (503 otherwise)."""
    db: Database = request.app.state.db
    try:
        await anyio.to_thread.run_sync(_ping, db)
    except StorageError as exc:
        return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", "database": db.dialect})


def _ping(db: Database) -> None:
    with db.reader() as session:
        session.execute(text("SELECT 1"))
