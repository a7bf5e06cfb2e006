"""skydesk.events."""
