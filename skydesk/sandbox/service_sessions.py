"""Session operations of the sandbox domain (being filled in)."""

from __future__ import annotations

from .service_base import ServiceBase


class SessionOps(ServiceBase):
    """Sessions, participants, data and timelines."""
