"""Media operations of the sandbox domain (being filled in)."""

from __future__ import annotations

from .service_base import ServiceBase


class MediaOps(ServiceBase):
    """Session media metadata and content."""
