"""Callbacks shared by several pages."""
