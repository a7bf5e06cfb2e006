"""skydesk: a desktop client and Python SDK for the Skylight Integration API."""

__version__ = "0.1.0"
