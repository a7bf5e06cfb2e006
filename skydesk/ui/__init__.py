"""skydesk.ui."""
