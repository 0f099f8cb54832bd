"""GB 3095 limits as data, by date, and exceedance."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from qingshan.standards import gb3095

D = datetime.date


def test_editions_by_date():
    assert gb3095.edition_for(D(2020, 5, 1)).code == "2012"
    assert gb3095.edition_for(D(2026, 2, 28)).code == "2012"
    assert gb3095.edition_for(D(2026, 3, 1)).code == "2026-transitional"
    assert gb3095.edition_for(D(2030, 12, 31)).code == "2026-transitional"
    assert gb3095.edition_for(D(2031, 1, 1)).code == "2026-final"
    assert gb3095.edition_for(D(2010, 1, 1)).code == "2012"  # no earlier edition carried
    assert gb3095.edition_for(datetime.datetime(2026, 3, 1, 8)).code == "2026-transitional"


@pytest.mark.parametrize(
    "pollutant,averaging,day,zone,expected",
    [
        ("PM2.5", "24h", D(2025, 1, 1), 2, "75"),
        ("PM2.5", "24h", D(2026, 3, 1), 2, "60"),
        ("PM2.5", "24h", D(2031, 1, 1), 2, "50"),
        ("PM2.5", "annual", D(2025, 1, 1), 2, "35"),
        ("PM2.5", "annual", D(2027, 1, 1), 2, "30"),
        ("PM2.5", "annual", D(2031, 1, 1), 2, "25"),
        ("PM10", "24h", D(2026, 3, 1), 2, "120"),
        ("PM10", "annual", D(2031, 1, 1), 2, "50"),
        ("SO2", "annual", D(2031, 1, 1), 2, "20"),
        ("SO2", "1h", D(2025, 1, 1), 2, "500"),
        ("SO2", "1h", D(2025, 1, 1), 1, "150"),
        ("NO2", "24h", D(2031, 1, 1), 2, "50"),
        ("CO", "24h", D(2031, 1, 1), 2, "4"),
        ("O3", "8h", D(2026, 3, 1), 2, "160"),
        ("O3", "8h", D(2026, 3, 1), 1, "100"),
        ("BaP", "24h", D(2026, 3, 1), 2, "0.0025"),
        ("NOx", "24h", D(2031, 1, 1), 2, "70"),
    ],
)
def test_limits(pollutant, averaging, day, zone, expected):
    assert gb3095.limit(pollutant, averaging, day, zone) == Decimal(expected)


def test_iaqi_100_breakpoints_equal_the_secondary_daily_limits_until_2031():
    from qingshan.standards import hj633

    for day, rules in ((D(2025, 1, 1), hj633.RULES_2012), (D(2026, 3, 1), hj633.RULES_2026)):
        for key, pol in (("SO2_24h", "SO2"), ("NO2_24h", "NO2"), ("PM10_24h", "PM10"), ("PM2.5_24h", "PM2.5"), ("CO_24h", "CO")):
            assert rules.breakpoints[key][2] == gb3095.limit(pol, "24h", day)
    # from 2031 "AQI ≤ 100" no longer means compliance
    assert gb3095.limit("PM2.5", "24h", D(2031, 1, 1)) < hj633.RULES_2026.breakpoints["PM2.5_24h"][2]


def test_exceeds_and_multiple():
    assert not gb3095.exceeds(75, "PM2.5", "24h", D(2025, 1, 1))
    assert gb3095.exceeds(76, "PM2.5", "24h", D(2025, 1, 1))
    assert gb3095.exceeds(61, "PM2.5", "24h", D(2026, 3, 1))
    assert gb3095.exceedance_multiple(90, 60) == Fraction(1, 2)
    assert gb3095.exceedance_multiple(30, 60) == Fraction(-1, 2)
    assert gb3095.exceedance_multiple(0.3, "0.1") == 2


def test_errors():
    with pytest.raises(gb3095.LimitError, match="no limits"):
        gb3095.limit("Hg", "annual", D(2025, 1, 1))
    with pytest.raises(gb3095.LimitError, match="has: 1h, 24h"):
        gb3095.limit("CO", "annual", D(2025, 1, 1))
    with pytest.raises(gb3095.LimitError, match="zone"):
        gb3095.limit("CO", "24h", D(2025, 1, 1), 3)
    with pytest.raises(gb3095.LimitError):
        gb3095.edition_for("1996")
    with pytest.raises(gb3095.LimitError):
        gb3095.exceedance_multiple(1, 0)
    with pytest.raises(gb3095.LimitError):
        gb3095.exceedance_multiple(None, 1)


def test_validity_table():
    v = gb3095.VALIDITY
    assert (v["hours_per_day"], v["hours_per_8h"], v["minutes_per_hour"]) == (20, 6, 45)
    assert (v["days_per_year"], v["days_per_month"], v["days_per_february"]) == (324, 27, 25)
