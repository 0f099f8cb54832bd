"""Qingshan (青山): supervision platform for an environmental protection bureau."""

__version__ = "0.1.0"
