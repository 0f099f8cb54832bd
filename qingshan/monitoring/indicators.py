"""Indicators read by the targets app's county assessment (``targets.providers``)."""

from __future__ import annotations

from .services import county_effective_transmission_rate


def effective_transmission_rate(county, start, end) -> float | None:
    """Effective transmission rate (%) of the county's loggers for start–end (dates inclusive); None without loggers."""
    return county_effective_transmission_rate(county, start, end)
