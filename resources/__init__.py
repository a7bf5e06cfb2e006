"""Bundled resources (icons, styles)."""
