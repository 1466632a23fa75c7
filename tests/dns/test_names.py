import re
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domains import names
from domains.names import DEFAULT_RESERVED, InvalidName, ValidName

PARENT = "balangankab.go.id"


def validate_name(text: object, parent: str = PARENT,
                  reserved: Iterable[str] = DEFAULT_RESERVED) -> ValidName:
    """`domains.names.validate_name` under the test office's parent domain by default."""
    return names.validate_name(text, parent, reserved)
LDH = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def reason(text: str, **kwargs) -> InvalidName:
    with pytest.raises(InvalidName) as info:
        validate_name(text, **kwargs)
    return info.value


@pytest.mark.parametrize(
    "text",
    ["dinkes", "Dinkes", " dinkes ", "DINKES.BALANGANKAB.GO.ID.", "dinkes.balangankab.go.id"],
)
def test_accepts_label_with_or_without_parent(text: str) -> None:
    assert validate_name(text) == ValidName(
        "dinkes", "dinkes", "dinkes", "dinkes.balangankab.go.id"
    )


def test_fullwidth_and_ideographic_dots_are_normalised() -> None:
    assert validate_name("ｄｉｎｋｅｓ。balangankab。go。id").label == "dinkes"


def test_idn_is_shown_both_ways() -> None:
    name = validate_name("Bücher")
    assert name.label == name.ace_label == "xn--bcher-kva"
    assert name.unicode_label == "bücher"
    assert name.fqdn == "xn--bcher-kva.balangankab.go.id"
    assert name.display() == "bücher.balangankab.go.id (xn--bcher-kva.balangankab.go.id)"
    assert validate_name("xn--bcher-kva") == name


def test_other_parent_is_a_parameter() -> None:
    assert validate_name("app.wild.test", parent="wild.test").fqdn == "app.wild.test"


@pytest.mark.parametrize(
    ("text", "code", "suggestion"),
    [
        ("", "empty", None),
        ("   ", "empty", None),
        ("-bad-", "hyphen_edge", "bad"),
        ("din kes", "invalid_chars", "din-kes"),
        ("Dinas_Kesehatan", "invalid_chars", "dinas-kesehatan"),
        ("a.b", "multiple_labels", "a-b"),
        ("dinkes.example.com", "multiple_labels", "dinkes-example-com"),
        ("ab--cd", "hyphen_34", "ab-cd"),
        ("xn--abc", "bad_alabel", None),
        # "аррӏе" in Cyrillic, given as its A-label (Unicode's data reads ӏ as i)
        ("xn--80ak6aa92e", "confusable", "appie"),
        # Latin look-alikes of ASCII letters, from Unicode's confusables data
        ("\u1d05inkes", "confusable", "dinkes"),  # ᴅ LATIN LETTER SMALL CAPITAL D
        ("\u0131nfo", "confusable", "info"),  # ı dotless i
        ("\u0585\u0585\u0585", "confusable", "ooo"),  # Armenian օօօ
        ("stra\u00dfe", "confusable", "strasse"),  # ß reads as β / B
        ("x" * 64, "too_long", "x" * 63),
        ("www", "reserved", "www-app"),
        ("MAIL", "reserved", "mail-app"),
        ("balangankab.go.id", "is_parent", None),
        ("\U0001f600", "idna_invalid", None),
        # Latin "p" + Cyrillic "а" (U+0430): a look-alike of "paypal"
        ("p\u0430ypal", "mixed_script", "paypal"),
        # all Cyrillic letters that look Latin
        ("\u0440\u0430\u0443\u0440\u0430", "confusable", "paypa"),
    ],
)
def test_refusals_carry_code_indonesian_reason_and_suggestion(
    text: str, code: str, suggestion: str | None
) -> None:
    exc = reason(text)
    assert exc.reason_code == code
    assert exc.message_id.endswith(".")
    assert exc.suggestion == suggestion
    if suggestion is not None:
        validate_name(suggestion)  # a suggestion is always acceptable


def test_reason_is_indonesian() -> None:
    assert "huruf, angka, dan tanda hubung" in reason("a_b").message_id
    assert "dicadangkan" in reason("www").message_id


def test_xn_label_must_round_trip() -> None:
    assert reason("xn--zz").reason_code == "bad_alabel"
    assert validate_name("XN--BCHER-KVA") == validate_name("bücher")
    assert validate_name("xn--p1ai").unicode_label == "рф"  # a whole-Cyrillic label is fine


def test_fqdn_length_limit() -> None:
    long_parent = ".".join(["p" * 60] * 3) + ".id"  # 186 characters
    assert validate_name("a" * 63, parent=long_parent).fqdn.endswith(long_parent)
    exc = reason("a" * 63 + "b" * 0, parent=".".join(["p" * 62] * 3) + ".go.id")
    assert exc.reason_code == "fqdn_too_long"


def test_reserved_names_are_configurable() -> None:
    assert validate_name("www", reserved=()).label == "www"
    assert reason("dinkes", reserved=("dinkes",)).reason_code == "reserved"
    assert {"www", "mail", "ns1", "ns2", "ftp", "admin", "smtp", "pop", "imap"} <= set(
        DEFAULT_RESERVED
    )
    assert {"webmail", "cpanel", "localhost"} <= set(DEFAULT_RESERVED)


def test_allowed_script_mixes() -> None:
    assert validate_name("日本語テスト").unicode_label == "日本語テスト"  # Han + Katakana
    assert validate_name("kota-中文").unicode_label == "kota-中文"  # Latin + Han


def test_non_text_is_refused() -> None:
    assert reason(None).reason_code == "not_text"  # type: ignore[arg-type]


# --- properties --------------------------------------------------------------------------

label_alphabet = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-")
ascii_labels = st.text(label_alphabet, min_size=1, max_size=70)
anything = st.one_of(
    st.text(max_size=80),
    ascii_labels,
    st.text(st.sampled_from("aAbB-.xn-_ üéаοр中ー。1 "), max_size=20),
)


def assert_valid_shape(name: ValidName) -> None:
    assert name.label == name.ace_label
    assert LDH.fullmatch(name.ace_label), name
    assert name.ace_label[2:4] != "--" or name.ace_label.startswith("xn--")
    assert name.fqdn == f"{name.ace_label}.{PARENT}"
    assert len(name.fqdn) <= 253
    assert name.ace_label not in DEFAULT_RESERVED
    assert name.unicode_label == name.unicode_label.strip()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anything)
def test_never_crashes_and_never_accepts_an_invalid_label(text: str) -> None:
    try:
        name = validate_name(text)
    except InvalidName as exc:
        assert exc.reason_code
        assert exc.message_id
        if exc.suggestion is not None:
            assert_valid_shape(validate_name(exc.suggestion))
        return
    assert_valid_shape(name)


@settings(max_examples=400, deadline=None)
@given(anything)
def test_accepted_names_revalidate_to_themselves(text: str) -> None:
    try:
        name = validate_name(text)
    except InvalidName:
        return
    assert validate_name(name.label) == name
    assert validate_name(name.fqdn) == name
    assert validate_name(name.unicode_label) == name
    assert validate_name(f"  {name.fqdn.upper()}. ") == name


@settings(max_examples=300, deadline=None)
@given(ascii_labels)
def test_ascii_rules_match_the_letter_of_the_rules(text: str) -> None:
    expected = (
        len(text) <= 63
        and not text.startswith("-")
        and not text.endswith("-")
        and text[2:4] != "--"
        and text not in DEFAULT_RESERVED
    )
    try:
        validate_name(text)
        accepted = True
    except InvalidName:
        accepted = False
    assert accepted == expected


@pytest.mark.parametrize("text", ["bücher", "münchen", "señor", "дом", "東京", "ελλάδα"])
def test_real_letters_of_other_languages_still_pass(text: str) -> None:
    assert validate_name(text).unicode_label == text
