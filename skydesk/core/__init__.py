"""skydesk.core."""
