"""skydesk.models."""
