"""Heavy-pollution alert levels (2018 and 2024 rule sets) and rankings."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from qingshan.standards import air_alerts as aa
from qingshan.standards import hj663


def level(series, rules):
    return aa.evaluate_alert(series, rules).level


@pytest.mark.parametrize(
    "series,expected",
    [
        ([150, 180, 200], None),  # > 200, not ≥ 200
        ([150, 201, 180], "blue"),
        ([210, 220, 150], "yellow"),
        ([210, 220, 230], "yellow"),  # three days but none > 300
        ([210, 220, 310], "orange"),
        ([210, 310, 320, 230], "red"),
        ([210, 310, 250, 230], "orange"),  # four days, only one > 300
        ([100, 500, 100], "red"),  # AQI reaching 500
        ([210, None, 220], "blue"),  # a missing day breaks the run
        ([310, 100, 210, 220, 230], "yellow"),  # the > 300 day is not in the 3-day episode
    ],
)
def test_2018_four_levels(series, expected):
    assert level(series, "2018") == expected


@pytest.mark.parametrize(
    "series,expected",
    [
        ([150, 150, 150], None),
        ([120, 140], None),
        ([160, 170], "yellow"),
        ([201], "yellow"),
        ([160, 170, 180], "orange"),
        ([210, 220], "orange"),
        ([210, 220, 230], "orange"),
        ([210, 220, 310], "red"),
        ([310, 120, 310], "yellow"),
    ],
)
def test_2024_three_levels(series, expected):
    assert level(series, "2024") == expected


def test_decision_explains_itself():
    d = aa.evaluate_alert([120, 210, 230, 320, 180], "2024", basis="forecast", start=datetime.date(2026, 1, 10))
    assert d.level == "red" and d.level_zh == "红色" and d.episode == aa.Episode(1, 3)
    assert d.start_date == datetime.date(2026, 1, 11) and d.max_aqi == 320
    assert "AQI > 200 for 3 days and AQI > 300 for 1 day" in d.reason
    assert "红色预警" in d.reason_zh and "2026年01月11日" in d.reason_zh
    none = aa.evaluate_alert([80, 90], "2018", basis="observed")
    assert none.level is None and "blue criteria" in none.reason and none.basis == "observed"


def test_thresholds_are_data():
    local = aa.AlertRuleSet(
        "local",
        "stricter local plan",
        "test",
        (aa.LevelRule("orange", ((aa.Clause(150, 2),),)), aa.LevelRule("blue", ((aa.Clause(100, 1),),))),
        merge_gap_days=1,
        verified=False,
    )
    assert level([120], local) == "blue"
    assert level([160, 140, 170], local) == "orange"  # one-day gap bridged: one episode
    with pytest.raises(aa.AlertError, match="highest first"):
        aa.AlertRuleSet("x", "x", "x", (aa.LevelRule("blue", ((aa.Clause(1),),)), aa.LevelRule("red", ((aa.Clause(2),),))))
    with pytest.raises(aa.AlertError, match="unknown alert level"):
        aa.AlertRuleSet("x", "x", "x", (aa.LevelRule("purple", ((aa.Clause(1),),)),))


def test_alert_errors():
    with pytest.raises(aa.AlertError, match="unknown alert rule set"):
        aa.evaluate_alert([1], "2010")
    with pytest.raises(aa.AlertError, match="#1"):
        aa.evaluate_alert([1, -5], "2024")
    with pytest.raises(aa.AlertError):
        aa.evaluate_alert([1, 2.5], "2024")
    with pytest.raises(aa.AlertError, match="basis"):
        aa.evaluate_alert([1], basis="guess")
    assert aa.evaluate_alert([], "2024").level is None


def test_daily_levels_replay():
    assert aa.daily_levels([100, 210, 220, 100, 100], "2024", horizon=3) == ["orange", "orange", "yellow", None, None]


# --------------------------------------------------------------------------- rankings


def test_competition_ranking_with_ties():
    r = aa.rank({"c": 4.5, "a": 3.2, "b": 4.5, "d": 5, "e": None})
    assert [(x.key, x.rank, x.tied) for x in r.ranked] == [("a", 1, False), ("b", 2, True), ("c", 2, True), ("d", 4, False)]
    assert r.unranked == (("e", "no valid value"),) and r.rank_of("d") == 4 and r.rank_of("e") is None
    desc = aa.rank({"x": Fraction(3, 4), "y": 0.8, "z": Decimal("0.75")}, descending=True)
    assert [(x.key, x.rank) for x in desc.ranked] == [("y", 1), ("x", 2), ("z", 2)]


def _ci(pm25):
    return hj663.composite_index({"SO2": 10, "NO2": 30, "PM10": 60, "PM2.5": pm25, "CO": 1.2, "O3": 150}, "2018")


def test_rank_by_composite_index_ties_at_two_decimals():
    # 35 and 35.4 (rounds to 35) give the same published index
    r = aa.rank_by_composite_index({"县A": _ci(35), "县B": _ci(35.4), "县C": _ci(30), "县D": None})
    assert [(x.key, x.rank, x.value) for x in r.ranked] == [("县C", 1, Decimal("3.87")), ("县A", 2, Decimal("4.01")), ("县B", 2, Decimal("4.01"))]
    assert r.unranked == (("县D", "no valid value"),)
    mixed = {"a": _ci(35), "b": hj663.composite_index({"SO2": 1, "NO2": 1, "PM10": 1, "PM2.5": 1, "CO": 1, "O3": 1}, "2026-transitional")}
    with pytest.raises(aa.RankingError, match="different bases"):
        aa.rank_by_composite_index(mixed)


def test_rank_invalid_statistics_are_unranked():
    ok = hj663.Statistic(Fraction(30), True, 31, 27, 31)
    bad = hj663.Statistic(Fraction(20), False, 20, 27, 31, 0, "months with too few valid days: 2025-01")
    r = aa.rank({"a": ok, "b": bad}, exclude={})
    assert [x.key for x in r.ranked] == ["a"] and r.unranked == (("b", "months with too few valid days: 2025-01"),)


def test_rank_by_change_rate():
    changes = {
        "A": hj663.change_rate(_ci(30), _ci(40)),  # improved
        "B": hj663.change_rate(_ci(45), _ci(35)),  # worse
        "C": hj663.change_rate(_ci(36), _ci(35)),  # slightly worse, but meets the standard
        "D": hj663.change_rate(_ci(35), _ci(35)),  # unchanged
    }
    cr = aa.rank_by_change_rate(changes, meets_standard={"C": True})
    assert [x.key for x in cr.improved.ranked] == ["A", "D", "C", "B"]
    assert cr.improved.ranked[0].value < 0
    assert [x.key for x in cr.worsened.ranked] == ["B"]
    assert cr.worsened.unranked == (("C", "all pollutants meet the secondary standard"),)


def test_rank_errors():
    with pytest.raises(aa.RankingError, match="twice"):
        aa.rank([("a", 1), ("a", 2)])
    assert aa.rank({"a": "x", "b": True}).unranked == (("a", "cannot rank 'x'"), ("b", "cannot rank True"))
    bad = aa.rank({"a": hj663.ChangeRate(Fraction(1), Fraction(0), None, None)})
    assert bad.unranked == (("a", "change rate without a previous value"),)


def test_episodes_of_an_observed_history():
    start = datetime.date(2026, 1, 1)
    aqis = [90, 160, 170, 120, 210, 230, 320, 180, 100, 205, 90]
    history = [(start + datetime.timedelta(days=i), a) for i, a in enumerate(aqis)]
    eps = aa.episodes(history, "2024")
    assert [(e.start.day, e.end.day, e.level) for e in eps] == [(2, 3, "yellow"), (5, 8, "red"), (10, 10, "yellow")]
    assert eps[1].max_aqi == 320 and "实测" in eps[1].reason_zh
    # 2018: only days above 200 start an episode; a missing date breaks the run
    history2 = dict(history)
    del history2[datetime.date(2026, 1, 6)]
    eps = aa.episodes(history2, "2018")
    assert [(e.start.day, e.end.day, e.level) for e in eps] == [(5, 5, "blue"), (7, 7, "blue"), (10, 10, "blue")]
    assert aa.episodes([], "2018") == []
    with pytest.raises(aa.AlertError):
        aa.episodes([("2026-01-01", 300)])
