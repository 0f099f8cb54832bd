import pytest

from qingshan.standards import gb32100


@pytest.mark.parametrize("code", ["914403001922038216", "91110000802100433B", "91330100716105852F"])
def test_real_codes_are_valid(code):
    assert gb32100.validate(code) == code


def test_lowercase_is_normalised():
    assert gb32100.validate("91110000802100433b") == "91110000802100433B"


@pytest.mark.parametrize(
    "code, reason",
    [("91110000802100433C", "expected 'B'"), ("9111000080210043", "18 characters"),
     ("91110000802100433I", "not allowed"), ("911100O0802100433B", "not allowed"), ("91AB0000802100433B", "division")],
)
def test_invalid_codes_say_why(code, reason):
    with pytest.raises(gb32100.USCCError, match=reason):
        gb32100.validate(code)


def test_make_builds_valid_codes():
    assert gb32100.is_valid(gb32100.make("9", "1", "990101", "000000001"))
