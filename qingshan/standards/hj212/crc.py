"""HJ 212 CRC (HJ 212-2017 Appendix A, normative).

Appendix A's C code::

    crc_reg = 0xFFFF;
    for each byte b:
        crc_reg = (crc_reg >> 8) ^ b;          /* byte XORed into the HIGH byte */
        repeat 8 times: shift right, XOR 0xA001 if the bit shifted out was 1
    return crc_reg;                            /* printed high byte first */

This is **not** CRC-16/MODBUS (which does ``crc ^= b``): for the Appendix A
example ``QN=20160801085857223;…;CP=&&RtdInterval=30&&`` it gives ``1C80``
where CRC-16/MODBUS gives ``0759``. The CRC covers the data segment only, as
bytes (UTF-8 for Chinese text, HJ 212-2017 §6.3).

Because the byte is XORed into ``crc >> 8``, the register after each byte is
``T[(prev >> 8) ^ b]`` where ``T`` is the usual 256-entry table of eight
shift/XOR rounds. Only the high byte ``h`` of the register carries state:
``h' = H[h ^ b]`` with ``H[x] = T[x] >> 8``, and the result is ``T[h_prev ^ b_last]``.
``T`` is GF(2)-linear and ``H`` is an invertible linear map, so

    h_n = H^n(h_0) ^ XOR_i H^(n-i+1)(b_i)

is GF(2)-linear in the input bytes. ``H`` has order 8, so only the XOR of
the bytes at each distance from the end modulo 8 matters: :func:`crc16`
XOR-folds the data as one big integer (a few C-speed operations instead of a
Python loop over bytes) and finishes with 8 lookups in precomputed 256-entry
tables. :func:`crc16_reference` is the literal Appendix A algorithm; the test
suite checks both agree on random inputs.
"""

from __future__ import annotations

__all__ = [
    "CRC_TABLE",
    "crc16",
    "crc16_hex",
    "crc16_reference",
    "crc16_text_codepoints",
    "POSSIBLE_LOW_BYTES",
]

POLY = 0xA001
INIT = 0xFFFF


def _table() -> tuple[int, ...]:
    out = []
    for x in range(256):
        crc = x
        for _ in range(8):
            crc = (crc >> 1) ^ POLY if crc & 1 else crc >> 1
        out.append(crc)
    return tuple(out)


#: one Appendix A byte step: ``T[x]`` = eight shift/XOR-0xA001 rounds applied to ``x``
CRC_TABLE: tuple[int, ...] = _table()
_H = tuple(t >> 8 for t in CRC_TABLE)  # linear permutation of the 8-bit state
_H_INV = [0] * 256
for _x, _y in enumerate(_H):
    _H_INV[_y] = _x
#: final register value as a function of the 8-bit state ``h_n``
_FINAL = tuple(CRC_TABLE[_H_INV[h]] for h in range(256))
#: low bytes the HJ 212 CRC can produce (a diagnostic for senders using another CRC)
POSSIBLE_LOW_BYTES = frozenset(t & 0xFF for t in CRC_TABLE)


def crc16_reference(data: bytes) -> int:
    """Literal port of the HJ 212-2017 Appendix A routine (slow, for tests)."""
    crc = INIT
    for b in data:
        crc = (crc >> 8) ^ b
        for _ in range(8):
            lsb = crc & 1
            crc >>= 1
            if lsb:
                crc ^= POLY
    return crc


def _apply(row_mask: int, x: int) -> int:
    return (row_mask & x).bit_count() & 1


def _matrix_rows(func) -> list[int]:
    """Rows of the 8x8 GF(2) matrix of a linear byte map: row j = mask of input bits feeding output bit j."""
    rows = []
    for j in range(8):
        m = 0
        for i in range(8):
            if (func(1 << i) >> j) & 1:
                m |= 1 << i
        rows.append(m)
    return rows


def _mat_apply(rows: list[int], x: int) -> int:
    return sum(_apply(r, x) << j for j, r in enumerate(rows))


# Powers of H until they cycle (the order of H in GL(8, 2) divides a small number).
_POWERS: list[list[int]] = []  # _POWERS[k] = rows of H^(k+1)


def _build_powers() -> None:
    ident = [1 << j for j in range(8)]
    cur = ident
    while True:
        nxt = _matrix_rows(lambda x, c=cur: _H[_mat_apply(c, x)])
        if nxt == ident:
            _POWERS.append(nxt)
            break
        _POWERS.append(nxt)
        cur = nxt
        if len(_POWERS) > 65536:  # pragma: no cover - impossible for an invertible 8x8 map
            raise RuntimeError("H has no finite order")


_build_powers()
_ORDER = len(_POWERS)  # H^_ORDER == identity


def _residue_tables() -> tuple[tuple[int, ...], ...]:
    """``_RES[r][b]`` = contribution ``H^(r+1)(b)`` of byte ``b`` at distance ``r`` (mod the order) from the end."""
    return tuple(tuple(_mat_apply(_POWERS[r], b) for b in range(256)) for r in range(_ORDER))


_RES = _residue_tables()
assert _ORDER == 8, "the fold below assumes H^8 = I (64-bit period)"


# h_0 = 0xFF contribution: H^n(0xFF), periodic in n
def _init_terms() -> tuple[int, ...]:
    out = []
    h = 0xFF
    for _ in range(_ORDER):  # term[n % order] = H^n(0xFF)
        out.append(h)
        h = _H[h]
    return tuple(out)


_INIT_TERM = _init_terms()
_FOLD_MASKS: dict[int, int] = {}
_MAX_FOLDED = 16384  # frames are at most 9999 + 12 bytes; longer input uses the table loop


def crc16(data: bytes) -> int:
    """HJ 212-2017 Appendix A CRC of ``data`` (bytes), as an int 0..0xFFFF.

    ``h_n`` only depends on the XOR of the bytes at each distance from the end
    modulo 8 (``H^8`` is the identity), so the data is XOR-folded as a big
    integer down to 64 bits (halving, aligned on 8-byte boundaries from the
    end) and the 8 remaining bytes are looked up in ``_RES``.
    """
    n = len(data)
    if n > _MAX_FOLDED:  # bounded memory for arbitrary input: plain table loop
        crc = INIT
        table = CRC_TABLE
        for b in data:
            crc = table[(crc >> 8) ^ b]
        return crc
    if n == 0:
        return INIT
    x = int.from_bytes(data, "big")
    nb = n << 3
    masks = _FOLD_MASKS
    while nb > 64:
        half = ((nb + 127) >> 7) << 6  # a multiple of 64 bits, at least half of nb
        m = masks.get(half)
        if m is None:
            m = masks[half] = (1 << half) - 1
        x = (x >> half) ^ (x & m)
        nb = half
    r = _RES
    h = (
        r[0][x & 255]
        ^ r[1][(x >> 8) & 255]
        ^ r[2][(x >> 16) & 255]
        ^ r[3][(x >> 24) & 255]
        ^ r[4][(x >> 32) & 255]
        ^ r[5][(x >> 40) & 255]
        ^ r[6][(x >> 48) & 255]
        ^ r[7][x >> 56]
    )
    return _FINAL[h ^ _INIT_TERM[n & 7]]


def crc16_hex(data: bytes) -> str:
    """CRC as the 4 upper-case hex digits sent on the wire (high byte first)."""
    return "%04X" % crc16(data)


def crc16_text_codepoints(text: str) -> int:
    """The CRC some implementations compute over characters instead of bytes.

    Java/C#/Go parsers (xiaoyao9184/hj-t212-parser, IceCoffee.HJ212, flash520/hj212)
    XOR each whole UTF-16 char / rune (not each UTF-8 byte) into ``crc >> 8``.
    Only used in tolerant mode as a fallback when non-ASCII text is present
    (reference notes §0 item 3: ``9C01`` instead of ``3E80`` for the C.41 log
    packet).
    """
    crc = INIT
    for ch in text:
        crc = (crc >> 8) ^ ord(ch)
        for _ in range(8):
            lsb = crc & 1
            crc >>= 1
            if lsb:
                crc ^= POLY
    return crc
