"""Working-day calendar: State Council holiday notices, 调休, override tables, deadlines."""

import datetime
import json

import pytest

from qingshan.standards import workdays as wd
from qingshan.standards.workdays import (
    DayKind,
    DeadlineState,
    OverrideTable,
    OverrideTableError,
    UnknownYearError,
    WorkdayCalendar,
    WorkdayError,
)

D = datetime.date.fromisoformat
CAL = wd.default_calendar()


# --------------------------------------------------------------------------- known holiday periods


def test_2024_spring_festival_and_make_up_sundays():
    # 国办发明电〔2023〕7号: 2024-02-10..17 off; Sun 02-04 and Sun 02-18 are working days
    for day in range(10, 18):
        info = CAL.day_info(datetime.date(2024, 2, day))
        assert not info.is_workday and info.kind is DayKind.HOLIDAY, day
    for makeup in ("2024-02-04", "2024-02-18"):
        info = CAL.day_info(makeup)
        assert info.is_workday and info.kind is DayKind.MAKEUP_WORKDAY
    assert CAL.is_workday("2024-02-09")  # 除夕 2024 was a working Friday
    assert not CAL.is_workday("2024-02-03")  # an ordinary Saturday
    # February 2024: 21 weekdays, 5 of them off (12–16), 2 make-up Sundays
    assert wd.workdays_between("2024-01-31", "2024-02-29") == 21 - 5 + 2


def test_2025_national_day_and_mid_autumn():
    # 2025-10-01..08 off (National Day + Mid-Autumn); Sun 09-28 and Sat 10-11 are working days
    off = [D("2025-10-01") + datetime.timedelta(days=i) for i in range(8)]
    assert not any(CAL.is_workday(d) for d in off)
    assert CAL.day_info("2025-10-06").name == "Mid-autumn Festival"
    assert CAL.is_workday("2025-09-28") and CAL.day_info("2025-09-28").kind is DayKind.MAKEUP_WORKDAY
    assert CAL.is_workday("2025-10-11") and CAL.day_info("2025-10-11").kind is DayKind.MAKEUP_WORKDAY
    assert CAL.is_workday("2025-10-09")
    assert CAL.day_info("2025-10-12").kind is DayKind.WEEKEND


def test_day_info_sources():
    assert CAL.day_info("2025-10-01").source == wd.SOURCE_PACKAGE
    assert CAL.day_info("2025-10-10").source == wd.SOURCE_WEEKDAY
    assert CAL.day_info(datetime.datetime(2025, 10, 10, 23, 59)).date == D("2025-10-10")


# --------------------------------------------------------------------------- counting


def test_add_workdays_starts_the_day_after():
    # Thu 2024-02-08 + 5 working days: Fri 09, (10–17 off), Sun 18 make-up, Mon 19, Tue 20, Wed 21
    assert wd.add_workdays("2024-02-08", 1) == D("2024-02-09")
    assert wd.add_workdays("2024-02-08", 2) == D("2024-02-18")
    assert wd.add_workdays("2024-02-08", 5) == D("2024-02-21")
    # receipt on a rest day: the count still starts the next day
    assert wd.add_workdays("2024-02-10", 1) == D("2024-02-18")
    # across National Day 2025
    assert wd.add_workdays("2025-09-30", 1) == D("2025-10-09")
    assert wd.add_workdays("2025-09-26", 2) == D("2025-09-29")  # Sat 27 off, Sun 28 make-up, Mon 29
    assert wd.add_workdays("2025-10-10", 1) == D("2025-10-11")  # Saturday make-up day


def test_add_workdays_zero_and_negative():
    assert wd.add_workdays("2025-10-04", 0) == D("2025-10-04")
    assert wd.add_workdays("2025-10-09", -1) == D("2025-09-30")
    assert wd.add_workdays("2025-10-10", -7) == D("2025-09-24")  # 7 working days before Fri 10-10


@pytest.mark.parametrize("start", ["2024-02-01", "2024-09-12", "2025-09-25", "2025-12-24"])
def test_workdays_between_inverts_add_workdays(start):
    for n in range(0, 25):
        assert wd.workdays_between(start, wd.add_workdays(start, n)) == n
    assert wd.workdays_between("2025-10-09", "2025-09-30") == -1


def test_add_calendar_days_and_roll_forward():
    assert wd.add_calendar_days("2025-08-03", 60) == D("2025-10-02")
    assert wd.add_calendar_days("2025-08-03", 60, roll_forward=True) == D("2025-10-09")
    assert wd.add_calendar_days("2025-08-01", 15, roll_forward=True) == D("2025-08-18")  # Sat 16 → Mon 18
    assert wd.add_calendar_days("2024-02-01", 17, roll_forward=True) == D("2024-02-18")  # Sunday make-up day


def test_add_months_civil_code_art_202():
    assert wd.add_months("2025-01-31", 1) == D("2025-02-28")
    assert wd.add_months("2024-01-31", 1) == D("2024-02-29")
    assert wd.add_months("2025-03-15", 3) == D("2025-06-15")
    assert wd.add_months("2025-03-31", -1) == D("2025-02-28")
    assert wd.add_months("2025-11-30", 3) == D("2026-02-28")


def test_deadline_object():
    d = CAL.deadline("2025-08-03", 60, "calendar_days", roll_forward=True)
    assert (d.due, d.rolled_from, d.estimated) == (D("2025-10-09"), D("2025-10-02"), False)
    d = CAL.deadline("2025-09-29", 5, "workdays")
    assert d.due == D("2025-10-13") and d.rolled_from is None
    assert CAL.deadline("2025-01-31", 3, "months").due == D("2025-04-30")
    with pytest.raises(WorkdayError, match="unknown unit"):
        CAL.deadline("2025-01-01", 3, "weeks")


# --------------------------------------------------------------------------- status


def test_status_states_and_day_counts():
    due = D("2025-10-09")
    on_time = CAL.status(due, "2025-09-20")
    assert on_time.state is DeadlineState.ON_TIME and on_time.remaining_days == 19
    soon = CAL.status(due, "2025-10-06")  # holiday week: only 10-09 left
    assert soon.state is DeadlineState.DUE_SOON and soon.remaining_workdays == 1
    today = CAL.status(due, due)
    assert today.state is DeadlineState.DUE_SOON and today.remaining_days == 0
    late = CAL.status("2025-09-30", "2025-10-09")
    assert late.state is DeadlineState.OVERDUE and (late.overdue_days, late.overdue_workdays) == (9, 1)
    done = CAL.status(due, "2025-12-01", completed_on="2025-10-09")
    assert done.state is DeadlineState.DONE_ON_TIME and not done.is_late
    done_late = CAL.status(due, "2025-12-01", completed_on="2025-10-13")
    assert done_late.state is DeadlineState.DONE_LATE and done_late.overdue_days == 4
    assert done_late.overdue_workdays == 3  # 10, 11 (Saturday make-up), 13
    assert CAL.status(due, "2025-09-20", due_soon_workdays=20).state is DeadlineState.DUE_SOON


def test_status_rejects_inconsistent_input():
    with pytest.raises(WorkdayError, match="after as_of"):
        CAL.status("2025-10-09", "2025-10-01", completed_on="2025-10-05")
    with pytest.raises(WorkdayError):
        CAL.status("2025-10-09", "2025-10-01", due_soon_workdays=-1)


# --------------------------------------------------------------------------- unknown years and fallback


def test_unknown_year_raises_a_clear_error():
    last = max(CAL.known_years)
    with pytest.raises(UnknownYearError) as exc:
        CAL.is_workday(datetime.date(last + 1, 1, 4))
    assert exc.value.year == last + 1
    assert "override table" in str(exc.value)
    with pytest.raises(UnknownYearError):
        CAL.add_workdays(datetime.date(last, 12, 20), 30)


def test_weekend_fallback_flags_estimates():
    cal = wd.default_calendar(weekend_fallback=True)
    assert cal is not CAL and cal.known_years == CAL.known_years
    last = max(cal.known_years)
    info = cal.day_info(datetime.date(last + 1, 1, 1))
    assert info.estimated and info.source == wd.SOURCE_FALLBACK
    d = cal.deadline(datetime.date(last, 12, 20), 30, "workdays")
    assert d.estimated
    assert not cal.deadline("2025-01-02", 3, "workdays").estimated
    st = cal.status(datetime.date(last + 1, 2, 1), datetime.date(last, 12, 30))
    assert st.estimated


# --------------------------------------------------------------------------- override tables


OVERRIDES_2099 = {
    "format": "qingshan.workday_overrides/1",
    "years": {
        "2099": {
            "complete": True,
            "source": "hypothetical notice for a test",
            "holidays": {"2099-01-01": "New Year's Day", "2099-01-21/2099-01-27": "Spring Festival"},
            "workdays": {"2099-01-18": "Spring Festival make-up day"},
        },
        "2025": {"holidays": {"2025-03-03": "local rest day"}, "workdays": {"2025-10-12": "local make-up"}},
    },
}


def test_override_table_adds_a_year_and_corrects_known_years():
    cal = WorkdayCalendar(OVERRIDES_2099)
    assert 2099 in cal.known_years
    assert not cal.is_workday("2099-01-01")  # Thursday holiday
    assert not cal.is_workday("2099-01-23")
    assert cal.is_workday("2099-01-18") and cal.day_info("2099-01-18").kind is DayKind.MAKEUP_WORKDAY
    assert cal.is_workday("2099-01-28") and cal.day_info("2099-01-28").source == wd.SOURCE_WEEKDAY
    assert not cal.is_workday("2099-01-24")
    # corrections of a package year take precedence
    assert not cal.is_workday("2025-03-03") and cal.day_info("2025-03-03").source == wd.SOURCE_OVERRIDE
    assert cal.is_workday("2025-10-12")
    assert 2098 not in cal.known_years
    assert cal.overrides.sources[2099] == "hypothetical notice for a test"


def test_override_table_without_the_package():
    cal = WorkdayCalendar(OVERRIDES_2099, use_package=False)
    assert cal.known_years == frozenset({2099})
    with pytest.raises(UnknownYearError):
        cal.is_workday("2025-10-01")


def test_override_table_from_file(tmp_path):
    path = tmp_path / "overrides.json"
    path.write_text(json.dumps(OVERRIDES_2099), encoding="utf-8")
    table = wd.load_override_table(path)
    assert D("2099-01-27") in table.holidays and table.complete_years == frozenset({2099})
    with pytest.raises(OverrideTableError, match="cannot read"):
        wd.load_override_table(tmp_path / "missing.json")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"format": "other/1", "years": {}}, "unsupported"),
        ({"years": {"20x9": {}}}, "four digits"),
        ({"years": {"2099": {"holidays": {"2098-12-31": "x"}}}}, "not in 2099"),
        ({"years": {"2099": {"holidays": {"2099-01-01": "x"}, "workdays": {"2099-01-01": "y"}}}}, "both"),
        ({"years": {"2099": {"holidays": {"2099-02-30": "x"}}}}, "not a date"),
        ({"years": {"2099": {"holidays": {"2099-02-05/2099-02-01": "x"}}}}, "ends before"),
        ({"years": {"2099": {"complete": "yes"}}}, "true or false"),
        ({"years": {"2099": {"holidys": {}}}}, "unknown keys"),
        ({"years": []}, "object keyed by year"),
    ],
)
def test_bad_override_tables_are_refused(data, message):
    with pytest.raises(OverrideTableError, match=message):
        OverrideTable.from_mapping(data)


def test_bad_json_is_refused():
    with pytest.raises(OverrideTableError, match="not valid JSON"):
        OverrideTable.from_json("{not json")


def test_packaged_override_table_is_valid():
    table = wd.packaged_override_table()
    assert isinstance(table, OverrideTable)
    assert {2004, 2024, 2025, 2026} <= CAL.known_years


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", 20250101, None, 3.5])
def test_bad_dates_are_refused(value):
    with pytest.raises(WorkdayError):
        CAL.is_workday(value)


@pytest.mark.parametrize("n", [True, 1.5, "five", 10**7])
def test_bad_counts_are_refused(n):
    with pytest.raises(WorkdayError):
        CAL.add_workdays("2025-01-02", n)


def test_date_range_overflow_is_a_typed_error():
    with pytest.raises(WorkdayError):
        WorkdayCalendar(weekend_fallback=True).add_calendar_days("9999-12-30", 5)
