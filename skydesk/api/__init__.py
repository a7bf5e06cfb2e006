"""skydesk.api."""
