"""HJ 212-2017 Appendix A CRC."""

from hypothesis import given, settings
from hypothesis import strategies as st

from qingshan.standards.hj212 import crc as crcmod
from qingshan.standards.hj212.crc import POSSIBLE_LOW_BYTES, crc16, crc16_hex, crc16_reference, crc16_text_codepoints

APPENDIX_A = b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
LOG_C41 = "QN=20160801085857334;ST=32;CN=3020;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&DataTime=20160801062035;PolId=w01018;i11001-Info=//清洗管路//&&"


def _modbus(data: bytes) -> int:
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def test_appendix_a_example():
    assert len(APPENDIX_A) == 101
    assert crc16_hex(APPENDIX_A) == "1C80"
    assert crc16_reference(APPENDIX_A) == 0x1C80


def test_not_crc16_modbus():
    # reference notes §0 item 1: CRC-16/MODBUS of the same data is 0759
    assert _modbus(APPENDIX_A) == 0x0759


def test_bytes_versus_codepoints_for_chinese_text():
    # reference notes §7.3: byte CRC 3E80, code-point CRC 9C01, 152 bytes / 144 chars
    assert len(LOG_C41.encode()) == 152 and len(LOG_C41) == 144
    assert crc16_hex(LOG_C41.encode()) == "3E80"
    assert crc16_text_codepoints(LOG_C41) == 0x9C01


def test_empty_input():
    assert crc16(b"") == crc16_reference(b"") == 0xFFFF


def test_lengths_around_the_fold_and_loop_limits():
    data = bytes(range(256)) * 40
    data = data * 3
    for n in (1, 2, 7, 8, 9, 255, 2047, 2048, 2049, 4096, 4097, 10000, 16384, 16385, 30000):
        assert crc16(data[:n]) == crc16_reference(data[:n]), n


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_fast_crc_equals_appendix_a_routine(data):
    assert crc16(data) == crc16_reference(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=400))
def test_only_256_values(data):
    # reference notes §1.5: low byte always one of 00,01,40,41,80,81,C0,C1
    value = crc16(data)
    assert value & 0xFF in POSSIBLE_LOW_BYTES
    assert POSSIBLE_LOW_BYTES == {0x00, 0x01, 0x40, 0x41, 0x80, 0x81, 0xC0, 0xC1}


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=300), st.data())
def test_single_byte_substitution_always_detected(data, d):
    i = d.draw(st.integers(0, len(data) - 1))
    b = d.draw(st.integers(0, 255).filter(lambda x: x != data[i]))
    changed = data[:i] + bytes([b]) + data[i + 1 :]
    assert crc16(changed) != crc16(data)


def test_table_is_the_standard_step():
    assert crcmod.CRC_TABLE[0] == 0 and crcmod.CRC_TABLE[1] == 0xC0C1
    assert len(set(t >> 8 for t in crcmod.CRC_TABLE)) == 256  # high byte is a permutation
