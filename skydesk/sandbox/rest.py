"""The sandbox's REST API as a FastAPI application (being filled in)."""

from __future__ import annotations

from fastapi import FastAPI

from .service import SandboxService


def create_app(service: SandboxService) -> FastAPI:
    """A FastAPI app serving the Skylight REST contract on top of ``service``."""
    app = FastAPI(title="skydesk sandbox")
    app.state.service = service
    return app
