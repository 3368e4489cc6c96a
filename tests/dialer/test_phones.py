"""Phone numbers as the import reads them: the short way for a plus and plain digits gives what
`phonenumbers.parse` gives, for every country, number type and way of writing them."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from dialer import phones
from dialer.phones import PhoneError, normalise_phone

TYPES = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.VOIP,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
]
EDGES = [
    "+",
    "+1",
    "+12",
    "+123",
    "+0 514 555 0101",
    "+999 123 4567",
    "+1 (514) 555-0101)",
    "+1 1 514 555 0101",
    "+44 0 20 7946 0000",
    "+44 (0)20 7946 0000",
    "+39 06 6988 0000",
    "+39 0 000 000",
    "+225 07 0000 0000",
    "+1 514 555 0101 ext 2",
    "+1-800-FLOWERS",
    "++1 514 555 0101",
    "+1 514 555 0101 #",
    "+1 514.555.0101",
    "+1 514 555 0101 " + "0" * 240,
    "+1 ١٥١٤ ٥٥٥ ٠١٠١",
    "+33 6 12 34 56 78 90 12 34 56 78 90",
    "+(1) 514 555 0101",
    "+ 1 514 555 0101",
    "+1  514  555  0101.",
    "+1 -514- 555 0101-",
    "+1()5145550101",
    "+1 (514 555 0101",
    "+.1.514.555.0101",
    "+1 514 555 0101 (",
]


def written(number: phonenumbers.PhoneNumber, rng: random.Random) -> list[str]:
    """One number the ways people write it, national prefix and brackets included."""
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    spaced = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    code = str(number.country_code)
    national = e164[1 + len(code) :]
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        number.country_code, phonenumbers.region_code_for_number(number)
    )
    prefix = (metadata.national_prefix or "") if metadata else ""
    separator = rng.choice([" ", "-", ".", ""])
    return [
        e164,
        spaced,
        f"+{code} ({national[:3]}) {national[3:6]}-{national[6:]}",
        f"+{code}{separator}{prefix}{separator}{national}",
        f"+{code} ({prefix}){national}",
        f"+{code} {national[:-1]}",  # a digit short
        f"+{code} {national}{rng.randrange(10)}",  # a digit too many
    ]


def corpus() -> list[str]:
    rng = random.Random(5)
    texts = list(EDGES)
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                texts += written(example, rng)
    for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        for _ in range(8):
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(0, 18)))
            texts.append(f"+{code} {digits}")
            texts.append(f"+{code}{digits}")
    return texts


def outcome(parse, text: str):
    try:
        return parse(text)
    except phonenumbers.NumberParseException as error:
        return error.error_type


def test_plain_numbers_parse_as_phonenumbers_parses_them():
    texts = corpus()
    assert len(texts) > 5000
    differ = [
        text
        for text in texts
        if outcome(phones._parse, text) != outcome(lambda t: phonenumbers.parse(t, None), text)
    ]
    assert differ == []


def test_plain_numbers_skip_the_general_parse(monkeypatch):
    def general(text, region=None):
        raise AssertionError(f"parse({text!r}) called")

    monkeypatch.setattr(phonenumbers, "parse", general)
    assert normalise_phone("+1 (514) 555-0101") == "+15145550101"
    assert normalise_phone("+44 0 20 7946 0000") == "+442079460000"
    assert normalise_phone("0033 6 12 34 56 78") == "+33612345678"
    with pytest.raises(PhoneError, match="not a valid number"):
        normalise_phone("+1 111 111 1111")


def test_normalised_numbers_are_those_phonenumbers_finds_valid():
    """Every number of the corpus, asked twice (the second time its region is already
    known): valid and in E.164 exactly when phonenumbers says it is valid."""
    texts = [t for t in corpus() if len(t) <= 250]
    for _ in range(2):
        for text in texts:
            try:
                number = phonenumbers.parse(text, None)
            except phonenumbers.NumberParseException:
                expected = None
            else:
                if len(str(number.national_number)) <= 6:
                    continue  # short numbers: the emergency rule comes first
                valid = phonenumbers.is_valid_number(number)
                expected = (
                    phonenumbers.format_number(number, PhoneNumberFormat.E164) if valid else None
                )
            try:
                got = normalise_phone(text)
            except PhoneError:
                got = None
            assert got == expected, text
