"""Phone numbers as Switchboard checks them before anything reaches CCAI Platform: parsed with
`phonenumbers`, international format required (the contract's examples all start with `+` and a
country code), emergency numbers refused, stored and sent as E.164 so that duplicates are found
on the normalised number (one duplicate fails a whole provider import job)."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from django.utils.translation import gettext as _
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumberDesc,
    national_significant_number,
    phonenumberutil,
    region_code_for_number,
    shortnumberinfo,
)

_DIGITS = re.compile(r"\D+")
_E164 = re.compile(r"\+[1-9]\d{6,14}")
# Short codes answered by emergency services somewhere: refused even without a country code.
_EMERGENCY_REGIONS = ("US", "CA", "FR", "GB", "DE", "AU", "BE", "CH")


class PhoneError(ValueError):
    pass


def _emergency(number: str) -> PhoneError:
    return PhoneError(
        _("%(number)s is an emergency number; the dialer must never call it.") % {"number": number}
    )


def is_emergency(raw: str, region: str | None = None) -> bool:
    digits = _DIGITS.sub("", raw or "")
    if not digits or len(digits) > 6:
        return False
    regions = (region,) if region else _EMERGENCY_REGIONS
    return any(shortnumberinfo.is_emergency_number(digits, r) for r in regions if r)


def normalise_phone(raw: str) -> str:
    """`raw` as E.164 (`+15142110000`), or PhoneError with a sentence a user can act on."""
    text = (raw or "").strip()
    if not text:
        raise PhoneError(_("Enter a phone number."))
    digits = _DIGITS.sub("", text)
    if len(digits) <= 6 and is_emergency(text):  # emergency numbers are short
        raise _emergency(text)
    if not digits:
        raise PhoneError(_("%(number)s is not a phone number.") % {"number": repr(text)})
    if not text.startswith("+") and not text.startswith("00"):
        raise PhoneError(
            _("%(number)s has no country code: write it as +<country code> <number>.")
            % {"number": text}
        )
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = _parse(text)
    except NumberParseException:
        raise PhoneError(_("%(number)s is not a phone number.") % {"number": raw.strip()}) from None
    national = str(number.national_number)
    # Emergency numbers are short; looking up the region is costly, so only for short ones.
    if len(national) <= 6:
        region = region_code_for_number(number)
        if region and is_emergency(national, region):
            raise _emergency(raw.strip())
    if not _is_valid(number, national):
        raise PhoneError(
            _("%(number)s is not a valid number for its country.") % {"number": raw.strip()}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# What `phonenumbers.parse(text, None)` does to a number written as a plus and ASCII digits with
# spaces, dots, hyphens or brackets, the way nearly every file writes them: take the digits,
# the country code, then the national prefix a number may still carry (`+44 0 20…`), with
# the library's own steps. Looking first for letters, extensions, `tel:` URIs and Unicode
# digits cost more than the rest of the parse. Anything else, or any doubt, goes to `parse`;
# tests/dialer/test_phones.py holds the two to the same answers.
_PLAIN = re.compile(r"\+[0-9 ().-]+")
_LENGTH_REFUSED = (
    phonenumberutil.ValidationResult.TOO_SHORT,
    phonenumberutil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    phonenumberutil.ValidationResult.INVALID_LENGTH,
)
_STEPS = [
    getattr(phonenumberutil, name, None)
    for name in (
        "_extract_country_code",
        "_maybe_strip_national_prefix_carrier_code",
        "_test_number_length",
        "_set_italian_leading_zeros_for_phone_number",
    )
]


def _parse(text: str) -> phonenumbers.PhoneNumber:
    if len(text) > 250 or None in _STEPS or not _PLAIN.fullmatch(text):
        return phonenumbers.parse(text, None)
    country_code_of, strip_national_prefix, length_check, leading_zeros = _STEPS
    digits = _DIGITS.sub("", text)
    country_code, national = country_code_of(digits)
    if len(digits) < 3 or not country_code:
        return phonenumbers.parse(text, None)  # it raises, saying why
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, phonenumbers.region_code_for_country_code(country_code)
    )
    if metadata is None or len(national) < 2:
        return phonenumbers.parse(text, None)
    _, stripped, _ = strip_national_prefix(national, metadata)
    if length_check(stripped, metadata) not in _LENGTH_REFUSED:
        national = stripped
    if not 2 <= len(national) <= 17:
        return phonenumbers.parse(text, None)
    number = phonenumbers.PhoneNumber(country_code=country_code)
    leading_zeros(national, number)
    number.national_number = int(national)
    return number


# Finding a number's region walks every region sharing its country code (25 for +1): the
# costliest step of checking a 100,000-row import. Numbers with the same leading digits are
# nearly always in the same region, so that region is tried first; a miss falls back to the
# full check, so the answer is the same as `is_valid_number`'s.
_REGION_HINTS: dict[tuple[int, str], str] = {}


def _is_valid(number: phonenumbers.PhoneNumber, national: str) -> bool:
    key = (number.country_code, national[:4])
    hint = _REGION_HINTS.get(key)
    if hint and _valid_for_region(number, national, hint):
        return True
    if not phonenumbers.is_valid_number(number):
        return False
    if len(_REGION_HINTS) < 20_000:
        region = region_code_for_number(number)
        if region:
            _REGION_HINTS[key] = region
    return True


# phonenumbers' rule for "valid for a region": the region's general pattern, then any number
# type's pattern. It asks eight rare types (premium rate, toll free, pager…) before the usual
# landline and mobile; asked most common first, the answer is the same, found at once.
_TYPES = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


@lru_cache(maxsize=4096)
def _pattern(national_number_pattern: str) -> re.Pattern[str]:
    return re.compile(national_number_pattern)


def _matches(nsn: str, desc: PhoneNumberDesc | None) -> bool:
    """phonenumbers' `_is_number_matching_desc` (a possible length, then the whole number
    matching the pattern), each pattern compiled once: it looks the pattern up in `re`'s
    cache and matches it twice at every call."""
    if desc is None or not desc.national_number_pattern:
        return False
    if desc.possible_length and len(nsn) not in desc.possible_length:
        return False
    return _pattern(desc.national_number_pattern).fullmatch(nsn) is not None


def _valid_for_region(number: phonenumbers.PhoneNumber, national: str, region: str) -> bool:
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.country_code != number.country_code:
        return phonenumbers.is_valid_number_for_region(number, region)
    nsn = national if not number.italian_leading_zero else national_significant_number(number)
    if not _matches(nsn, metadata.general_desc):
        return False
    return any(_matches(nsn, getattr(metadata, kind)) for kind in _TYPES)


def loose_e164(raw: str) -> str:
    """Best-effort normal form of a number the provider sent back (never raises): used to match
    mirror rows and find duplicates even when a number was written loosely."""
    if _E164.fullmatch(raw or ""):
        return raw  # already in the normal form: parsing it again would change nothing
    try:
        return normalise_phone(raw)
    except PhoneError:
        digits = _DIGITS.sub("", raw or "")
        return f"+{digits}" if digits else ""


@lru_cache(maxsize=8192)
def international(number: str) -> str:
    """A number as people read it, one way for every number on a page: `+1 514-555-0101`
    (phonenumbers' international format); unchanged if it does not parse."""
    try:
        parsed = phonenumbers.parse(number, None)
    except NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
