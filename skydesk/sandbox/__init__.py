"""skydesk.sandbox."""
