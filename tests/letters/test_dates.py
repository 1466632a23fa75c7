import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from letters.dates import (
    DAYS_ID,
    MONTHS_ID,
    day_name_id,
    format_date_id,
    format_date_long_id,
    format_datetime_id,
    format_time_id,
    month_name_id,
)


def test_format_date_plain():
    assert format_date_id(dt.date(2026, 11, 29)) == "29 November 2026"
    assert format_date_id(dt.date(2026, 1, 5)) == "5 Januari 2026"
    assert format_date_id(dt.date(2027, 8, 17)) == "17 Agustus 2027"


def test_all_month_and_day_names():
    assert [month_name_id(m) for m in range(1, 13)] == list(MONTHS_ID)
    assert MONTHS_ID[1] == "Februari" and MONTHS_ID[4] == "Mei" and MONTHS_ID[11] == "Desember"
    # 2026-11-23 is a Monday; walk one week.
    week = [day_name_id(dt.date(2026, 11, 23) + dt.timedelta(days=i)) for i in range(7)]
    assert week == list(DAYS_ID) == ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def test_long_date_with_day_name():
    assert format_date_long_id(dt.date(2026, 11, 29)) == "Minggu, 29 November 2026"


@pytest.mark.parametrize("month", [0, 13])
def test_bad_month(month):
    with pytest.raises(ValueError, match="month"):
        month_name_id(month)


def test_datetime_on_the_office_clock_from_utc_and_naive():
    wita, wib = ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jakarta")
    utc = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)
    # 23:30 UTC is 07:30 the next day in WITA (UTC+8), 06:30 in WIB (UTC+7).
    assert format_datetime_id(utc, wita, "WITA") == "30 November 2026 pukul 07.30 WITA"
    assert format_datetime_id(utc, wita, "WITA", with_day=True) \
        == "Senin, 30 November 2026 pukul 07.30 WITA"
    assert format_datetime_id(utc, wib, "WIB") == "30 November 2026 pukul 06.30 WIB"
    naive = dt.datetime(2026, 11, 29, 14, 5)  # taken to be on the office clock already
    assert format_datetime_id(naive, wib, "WIB") == "29 November 2026 pukul 14.05 WIB"
    assert format_time_id(naive, wita, "WITA") == "14.05 WITA"
