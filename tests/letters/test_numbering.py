import pytest
from hypothesis import given
from hypothesis import strategies as st

from letters.numbering import (
    DEFAULT_PATTERN,
    LetterNumber,
    format_letter_number,
    parse_letter_number,
    placeholder_letter_number,
    validate_pattern,
)


def test_default_pattern():
    assert (
        format_letter_number(DEFAULT_PATTERN, "555", 123, "Diskominfo-Blg", 2026)
        == "555/123/Diskominfo-Blg/2026"
    )
    assert (
        format_letter_number(DEFAULT_PATTERN, "188.45", 16, "Diskominfo-Blg", 2018)
        == "188.45/16/Diskominfo-Blg/2018"
    )


def test_padding_and_roman_month():
    pattern = "{classification}/{sequence:03d}/{unit}/{month_roman}/{year}"
    number = format_letter_number(pattern, "555", 7, "Diskominfo-Blg", 2026, month=11)
    assert number == "555/007/Diskominfo-Blg/XI/2026"
    expected = LetterNumber("555", 7, "Diskominfo-Blg", 2026, 11)
    assert parse_letter_number(number, pattern) == expected


def test_parse_default():
    parsed = parse_letter_number("188.45/16/Diskominfo-Blg/2018")
    assert parsed == LetterNumber("188.45", 16, "Diskominfo-Blg", 2018, None)


@pytest.mark.parametrize(
    "bad", ["555/abc/Diskominfo-Blg/2026", "555/12/2026", "", "555/12/Diskominfo-Blg/26"]
)
def test_parse_rejects(bad):
    with pytest.raises(ValueError, match="does not match"):
        parse_letter_number(bad)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{classification}/{seq}/{unit}/{year}", "unknown field {seq}"),
        ("{classification}/{unit}/{year}", "must contain {sequence}"),
        ("{}/{sequence}", "positional"),
        ("{sequence}/{sequence}", "repeated"),
        ("{sequence!r}", "conversion"),
        ("{sequence:zz}", "format spec"),
        ("{year:04d}/{sequence}", "format spec only"),
        ("{sequence", "invalid"),
    ],
)
def test_validate_pattern(pattern, message):
    with pytest.raises(ValueError, match=message):
        validate_pattern(pattern)


def test_format_rejects_bad_values():
    with pytest.raises(ValueError, match="positive"):
        format_letter_number(DEFAULT_PATTERN, "555", 0, "X", 2026)
    with pytest.raises(ValueError, match="four digits"):
        format_letter_number(DEFAULT_PATTERN, "555", 1, "X", 26)
    with pytest.raises(ValueError, match="needs a month"):
        format_letter_number("{sequence}/{month}/{year}", "555", 1, "X", 2026)


def test_placeholder_for_draft():
    assert placeholder_letter_number(DEFAULT_PATTERN, "Diskominfo-Blg", 2026) == (
        "…/…/Diskominfo-Blg/2026"
    )
    assert placeholder_letter_number(
        "{classification}/{sequence}/{unit}/{month_roman}/{year}", "Diskominfo-Blg", 2026, month=3
    ) == "…/…/Diskominfo-Blg/III/2026"


@given(
    classification=st.sampled_from(["555", "188.45", "000.1.2", "400"]),
    sequence=st.integers(min_value=1, max_value=99999),
    unit=st.sampled_from(["Diskominfo-Blg", "Diskominfo", "Setda-Blg.1"]),
    year=st.integers(min_value=1000, max_value=9999),
)
def test_roundtrip(classification, sequence, unit, year):
    number = format_letter_number(DEFAULT_PATTERN, classification, sequence, unit, year)
    assert parse_letter_number(number) == LetterNumber(classification, sequence, unit, year)
