"""Small geometry helpers for routing by location (no GIS dependency)."""

from __future__ import annotations

import math


def point_in_polygon(lon: float, lat: float, polygon) -> bool:
    """Ray casting; ``polygon`` is a list of [lon, lat] vertices (closed or not)."""
    inside = False
    n = len(polygon)
    if n < 3:
        return False
    j = n - 1
    for i in range(n):
        xi, yi = polygon[i][0], polygon[i][1]
        xj, yj = polygon[j][0], polygon[j][1]
        if (yi > lat) != (yj > lat):
            x_cross = (xj - xi) * (lat - yi) / (yj - yi) + xi
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def locate(lon: float, lat: float, regions):
    """The deepest region whose boundary contains the point, or None.

    ``regions`` is an iterable of objects with ``level`` and ``boundary``;
    grids are checked before towns before counties.
    """
    best = None
    for region in regions:
        if region.boundary and point_in_polygon(lon, lat, region.boundary):
            if best is None or region.level > best.level:
                best = region
    return best


def feature_collection(regions, properties=("name", "code")) -> dict:
    """GeoJSON of the regions that have a boundary (one Polygon each), for ECharts ``registerMap``.

    ``regions``: objects with ``boundary`` (a list of [lon, lat]) and the attributes named in ``properties``.
    """
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {p: getattr(r, p) for p in properties},
         "geometry": {"type": "Polygon", "coordinates": [r.boundary]}}
        for r in regions if r.boundary]}


def bounds(points) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of [lon, lat] points, or None when there are none."""
    lons, lats = [], []
    for p in points:
        if p and p[0] is not None and p[1] is not None:
            lons.append(float(p[0]))
            lats.append(float(p[1]))
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)
