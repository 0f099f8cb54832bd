"""Complaint duplicate detection: haversine distance, topic similarity, time window."""

import datetime
import math

import pytest

from qingshan.standards import petitions as pet
from qingshan.standards.petitions import ComplaintPoint, DuplicateParams, PetitionInputError

BASE = {"id": "A", "received_at": "2025-05-01", "lat": 30.0, "lon": 120.0, "text": "化工厂夜间排放刺鼻气味", "category": "air"}


def other(**kw):
    row = dict(BASE, id="B")
    row.update(kw)
    return row


def test_haversine_known_distances():
    one_degree = math.pi / 180 * pet.EARTH_RADIUS_M
    assert pet.haversine_m(30, 120, 31, 120) == pytest.approx(one_degree, rel=1e-12)
    assert pet.haversine_m(0, 0, 0, 1) == pytest.approx(one_degree, rel=1e-12)
    assert pet.haversine_m(30, 120, 30, 120) == 0
    # Beijing Tiananmen → Shanghai People's Square ≈ 1,067 km
    assert pet.haversine_m(39.9087, 116.3975, 31.2304, 121.4737) == pytest.approx(1_067_000, rel=0.01)


def test_text_similarity():
    assert pet.text_similarity("化工厂排放异味", "化工厂排放异味") == 1.0
    assert pet.text_similarity("化工厂 排放，异味！", "化工厂排放异味") == 1.0  # punctuation and spaces ignored
    assert pet.text_similarity("ＡＢＣ", "abc") == 1.0  # NFKC + case folding
    assert pet.text_similarity("化工厂夜间排放刺鼻气味", "化工厂晚上排放刺鼻异味") == pytest.approx(0.5)
    assert pet.text_similarity("噪声扰民", "污水直排") == 0.0
    assert pet.text_similarity("", "污水") == 0.0


def test_same_place_same_topic_is_a_duplicate():
    m = pet.duplicate_score(BASE, other(received_at="2025-05-03", lat=30.0005, lon=120.0005, text="化工厂晚上排放刺鼻异味"))
    assert m.is_duplicate and m.distance_m == pytest.approx(73.5, abs=0.5)
    assert (m.topic_score, m.days_apart) == (0.5, 2.0)
    # 0.4 × place + 0.4 × 0.5 + 0.2 × (1 − 2/30)
    assert m.score == pytest.approx(0.4 * m.place_score + 0.4 * 0.5 + 0.2 * (1 - 2 / 30), abs=1e-4)


def test_beyond_radius_or_window_is_never_a_duplicate():
    far = pet.duplicate_score(BASE, other(lat=30.003))  # ≈ 334 m north, same text, same day
    assert not far.is_duplicate and "beyond 200 m" in far.reason
    late = pet.duplicate_score(BASE, other(received_at="2025-06-15"))
    assert not late.is_duplicate and "beyond 30 days" in late.reason
    wide = pet.duplicate_score(BASE, other(lat=30.003), {"radius_m": 500})
    assert wide.is_duplicate


def test_different_categories_do_not_match_on_topic():
    m = pet.duplicate_score(BASE, other(category="noise"))
    assert m.topic_score == 0 and not m.is_duplicate and "categories differ" in m.reason
    loose = pet.duplicate_score(BASE, other(category="noise"), DuplicateParams(category_must_match=False))
    assert loose.topic_score == 1.0 and loose.is_duplicate


def test_decimal_and_string_coordinates_are_accepted():
    from decimal import Decimal

    m = pet.duplicate_score(BASE, other(lat=Decimal("30.000500"), lon="120.0005"))
    assert m.distance_m == pytest.approx(73.5, abs=0.5)


def test_address_fallback_and_no_location():
    a = {"id": "A", "received_at": "2025-05-01", "text": "河道排污", "address": "青山镇东河村三组"}
    b = {"id": "B", "received_at": "2025-05-02", "text": "河道排污", "address": "青山镇东河村3组"}
    m = pet.duplicate_score(a, b)
    assert m.distance_m is None and 0 < m.place_score < 1 and m.is_duplicate
    bare = pet.duplicate_score({"id": "A", "received_at": "2025-05-01", "text": "河道排污"},
                               {"id": "B", "received_at": "2025-05-01", "text": "河道排污"})
    assert bare.place_score is None and "no location" in bare.reason and bare.score == 1.0


def test_datetimes_and_timezones():
    tz = datetime.timezone(datetime.timedelta(hours=8))
    a = ComplaintPoint("A", datetime.datetime(2025, 5, 1, 8, 0, tzinfo=tz), 30.0, 120.0, "噪声")
    b = ComplaintPoint("B", datetime.datetime(2025, 5, 1, 20, 0, tzinfo=tz), 30.0, 120.0, "噪声")
    assert pet.duplicate_score(a, b).days_apart == 0.5
    naive = ComplaintPoint("C", datetime.datetime(2025, 5, 1, 20, 0), 30.0, 120.0, "噪声")
    with pytest.raises(PetitionInputError, match="timezone"):
        pet.duplicate_score(a, naive)
    # a plain date is midnight in the other value's time zone: 08:00 → next midnight = 16 h
    mixed = pet.duplicate_score(a, ComplaintPoint("D", datetime.date(2025, 5, 2), 30.0, 120.0, "噪声"))
    assert mixed.days_apart == pytest.approx(16 / 24, abs=1e-4) and mixed.is_duplicate


def test_find_duplicates_orders_best_first_and_skips_itself():
    candidates = [
        BASE,
        other(id="near", lat=30.0002, text="化工厂夜间排放刺鼻气味"),
        other(id="nearer", lat=30.0001, text="化工厂夜间排放刺鼻气味"),
        other(id="far", lat=30.01),
        other(id="noise", category="noise"),
    ]
    found = pet.find_duplicates(BASE, candidates)
    assert [m.b for m in found] == ["nearer", "near"]
    assert len(pet.find_duplicates(BASE, candidates, include_all=True)) == 4


@pytest.mark.parametrize(
    "row, message",
    [
        (other(lat=91), "lat"),
        (other(lon=float("nan")), "lon"),
        (other(lon="east"), "lon"),
        (other(lat=[30]), "lat"),
        (other(lon=None), "both lat and lon"),
        (other(received_at="yesterday"), "ISO date"),
        (other(received_at=None), "date or datetime"),
        (other(text=5), "strings"),
    ],
)
def test_bad_complaints_are_refused(row, message):
    with pytest.raises(PetitionInputError, match=message):
        pet.duplicate_score(BASE, row)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"radius_m": 0}, "more than zero"),
        ({"threshold": 2}, "threshold"),
        ({"weight_place": -1}, "non-negative"),
        ({"weight_place": 0, "weight_topic": 0, "weight_time": 0}, "at least one weight"),
        ({"radius": 100}, "unknown duplicate parameters"),
    ],
)
def test_bad_parameters_are_refused(params, message):
    with pytest.raises(PetitionInputError, match=message):
        pet.duplicate_score(BASE, other(), params)
