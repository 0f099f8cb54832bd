"""Unified social credit code (统一社会信用代码), GB 32100-2015.

An 18-character code: registration authority (1), organisation category (1),
administrative division (6), organisation identifier (9), check character (1).
The alphabet is 0-9 and the capital letters without I, O, Z, S, V (§4.2,
Table 1: 31 characters, each with its value 0..30). The check character is
computed per §4.3 / Annex B (ISO 7064 MOD 31-3 style):

    C18 = 31 - (Σ_{i=1}^{17} C_i · W_i mod 31),  W_i = 3^(i-1) mod 31,

and a result of 31 is written as ``0``.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


class USCCError(ValueError):
    """The code is not a well-formed unified social credit code."""


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015 §4.3)."""
    if len(first17) != 17:
        raise USCCError("expected 17 characters before the check character")
    try:
        total = sum(VALUES[ch] * w for ch, w in zip(first17.upper(), WEIGHTS))
    except KeyError as exc:
        raise USCCError(f"character {exc.args[0]!r} is not allowed (GB 32100-2015 Table 1)") from None
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """Return the normalised code, or raise :class:`USCCError` saying why it is wrong."""
    code = (code or "").strip().upper()
    if len(code) != 18:
        raise USCCError(f"must be 18 characters, got {len(code)}")
    bad = [ch for ch in code if ch not in VALUES]
    if bad:
        raise USCCError(f"character {bad[0]!r} is not allowed (GB 32100-2015 Table 1)")
    if not code[2:8].isdigit():
        raise USCCError("characters 3-8 must be the 6-digit administrative division code")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(f"check character is {code[17]!r}, expected {expected!r}")
    return code


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except USCCError:
        return False
    return True


def make(registration: str, category: str, division: str, organisation: str) -> str:
    """Build a valid code from its parts (used by the demo city generator)."""
    body = f"{registration}{category}{division}{organisation}".upper()
    return body + check_character(body)
