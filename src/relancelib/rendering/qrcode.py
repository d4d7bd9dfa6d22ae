"""QR codes (ISO/IEC 18004) drawn fast, module for module as segno draws them.

segno chooses the mask of a QR code in pure Python, module by module: ≈ 7 ms a code, most of
the time of an e-mail that carries one.  This module makes the same symbol — byte mode, error
correction level M, the smallest version that holds the data, the mask with the lowest
penalty as segno scores it (quirks included) — with operations on whole symbols: a symbol is
one integer, one bit a module (dark = 1), row after row, each row followed by four light
padding bits so that a shift never carries a module into the next row.  The penalty rules
(runs, blocks, finder-like patterns, proportion of dark modules) become shifts, ands and bit
counts.  :func:`png` writes the image byte for byte as segno's PNG writer does.
``tests/test_qrcode.py`` checks both against segno on many payloads.

Only what the SEPA transfer code needs is here: no other mode, level or version choice.
"""

from __future__ import annotations

import functools
import operator
import struct
import zlib
from collections.abc import Callable

from relancelib.errors import InvalidFieldError

__all__ = ["QRSymbol", "encode", "png"]

# ISO/IEC 18004 Table 9, level M: (blocks, codewords per block, data codewords per block).
_BLOCKS_M = (
    ((1, 26, 16),), ((1, 44, 28),), ((1, 70, 44),), ((2, 50, 32),), ((2, 67, 43),),
    ((4, 43, 27),), ((4, 49, 31),), ((2, 60, 38), (2, 61, 39)), ((3, 58, 36), (2, 59, 37)),
    ((4, 69, 43), (1, 70, 44)), ((1, 80, 50), (4, 81, 51)), ((6, 58, 36), (2, 59, 37)),
    ((8, 59, 37), (1, 60, 38)), ((4, 64, 40), (5, 65, 41)), ((5, 65, 41), (5, 66, 42)),
    ((7, 73, 45), (3, 74, 46)), ((10, 74, 46), (1, 75, 47)), ((9, 69, 43), (4, 70, 44)),
    ((3, 70, 44), (11, 71, 45)), ((3, 67, 41), (13, 68, 42)), ((17, 68, 42),), ((17, 74, 46),),
    ((4, 75, 47), (14, 76, 48)), ((6, 73, 45), (14, 74, 46)), ((8, 75, 47), (13, 76, 48)),
    ((19, 74, 46), (4, 75, 47)), ((22, 73, 45), (3, 74, 46)), ((3, 73, 45), (23, 74, 46)),
    ((21, 73, 45), (7, 74, 46)), ((19, 75, 47), (10, 76, 48)), ((2, 74, 46), (29, 75, 47)),
    ((10, 74, 46), (23, 75, 47)), ((14, 74, 46), (21, 75, 47)), ((14, 74, 46), (23, 75, 47)),
    ((12, 75, 47), (26, 76, 48)), ((6, 75, 47), (34, 76, 48)), ((29, 74, 46), (14, 75, 47)),
    ((13, 74, 46), (32, 75, 47)), ((40, 75, 47), (7, 76, 48)), ((18, 75, 47), (31, 76, 48)),
)  # fmt: skip
# Annex E: the centres of the alignment patterns, versions 2 to 40.
_ALIGNMENT = (
    (6, 18), (6, 22), (6, 26), (6, 30), (6, 34), (6, 22, 38), (6, 24, 42), (6, 26, 46),
    (6, 28, 50), (6, 30, 54), (6, 32, 58), (6, 34, 62), (6, 26, 46, 66), (6, 26, 48, 70),
    (6, 26, 50, 74), (6, 30, 54, 78), (6, 30, 56, 82), (6, 30, 58, 86), (6, 34, 62, 90),
    (6, 28, 50, 72, 94), (6, 26, 50, 74, 98), (6, 30, 54, 78, 102), (6, 28, 54, 80, 106),
    (6, 32, 58, 84, 110), (6, 30, 58, 86, 114), (6, 34, 62, 90, 118), (6, 26, 50, 74, 98, 122),
    (6, 30, 54, 78, 102, 126), (6, 26, 52, 78, 104, 130), (6, 30, 56, 82, 108, 134),
    (6, 34, 60, 86, 112, 138), (6, 30, 58, 86, 114, 142), (6, 34, 62, 90, 118, 146),
    (6, 30, 54, 78, 102, 126, 150), (6, 24, 50, 76, 102, 128, 154), (6, 28, 54, 80, 106, 132, 158),
    (6, 32, 58, 84, 110, 136, 162), (6, 26, 54, 82, 110, 138, 166), (6, 30, 58, 86, 114, 142, 170),
)  # fmt: skip
# Annex C: the format information of level M with masks 0 to 7 (BCH code, masked).
_FORMAT_M = (21522, 20773, 24188, 23371, 17913, 16590, 20375, 19104)
# Annex D: the version information of versions 7 to 40.
_VERSION_INFO = (
    31892, 34236, 39577, 42195, 48118, 51042, 55367, 58893, 63784, 68472, 70749, 76311, 79154,
    84390, 87683, 92361, 96236, 102084, 102881, 110507, 110734, 117786, 119615, 126325, 127568,
    133589, 136944, 141498, 145311, 150283, 152622, 158308, 161089, 167017,
)  # fmt: skip
# 7.6: remainder bits after the codewords, by version.
_REMAINDER = {**dict.fromkeys(range(2, 7), 7), **dict.fromkeys((*range(14, 21), *range(28, 35)), 3)}
_REMAINDER.update(dict.fromkeys(range(21, 28), 4))
# 7.8.2 Table 10: the data mask conditions (i row, j column).
_MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)
# A finder pattern with its separator: rows 0 to 8, columns 0 to 8.
_FINDER = ("000000000", "011111110", "010000010", "010111010", "010111010",
           "010111010", "010000010", "011111110", "000000000")  # fmt: skip
_PAD = 4  # light bits after each row
_BITS = tuple(format(byte, "08b") for byte in range(256))


def _gf_tables() -> tuple[list[int], list[int]]:
    exp, log, value = [0] * 512, [0] * 256, 1
    for power in range(255):
        exp[power], log[value] = value, power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    for power in range(255, 512):
        exp[power] = exp[power - 255]
    return exp, log


_EXP, _LOG = _gf_tables()


@functools.cache
def _rs_table(degree: int) -> tuple[int, ...]:
    """For each leading coefficient, the generator polynomial (without its x^degree term)
    times it, as one integer of ``degree`` bytes: a Reed-Solomon step is a shift and an xor."""
    poly = [1]
    for power in range(degree):
        nxt = [*poly, 0]
        for k, coef in enumerate(poly):
            if coef:
                nxt[k + 1] ^= _EXP[_LOG[coef] + power]
        poly = nxt
    rows = []
    for factor in range(256):
        if factor == 0:
            rows.append(0)
            continue
        row = bytes(_EXP[_LOG[factor] + _LOG[c]] if c else 0 for c in poly[1:])
        rows.append(int.from_bytes(row, "big"))
    return tuple(rows)


def _ecc(block: bytes, degree: int) -> bytes:
    table, top, full = _rs_table(degree), 8 * (degree - 1), (1 << 8 * degree) - 1
    rest = 0
    for byte in block:
        rest = ((rest << 8) & full) ^ table[byte ^ (rest >> top)]
    return rest.to_bytes(degree, "big")


class _Layout:
    """What every symbol of one version shares: where the data bits go, the masks, the
    rows and columns the penalty rules look at."""

    def __init__(self, version: int) -> None:
        size = self.size = version * 4 + 17
        stride = self.stride = size + _PAD
        self.version = version
        grid = [[2] * size for _ in range(size)]  # 2: a data module
        if version >= 7:
            for i in range(6):
                for j in (size - 11, size - 10, size - 9):
                    grid[i][j] = grid[j][i] = 0
        for i in range(9):
            grid[i][8] = grid[8][i] = grid[-i][8] = grid[8][-i] = 0
        for i in range(8, size - 8):
            grid[i][6] = grid[6][i] = (i + 1) % 2
        for top, left, rows, cols in ((0, 0, 1, 1), (0, size - 8, 1, 0), (size - 8, 0, 0, 1)):
            for r in range(8):
                for c in range(8):
                    grid[top + r][left + c] = int(_FINDER[rows + r][cols + c])
        if version >= 2:
            centres = _ALIGNMENT[version - 2]
            corners = {(centres[0], centres[0]), (centres[0], centres[-1]),
                       (centres[-1], centres[0])}  # fmt: skip
            for x in centres:
                for y in centres:
                    if (x, y) not in corners:
                        for r in range(5):
                            for c in range(5):
                                ring = max(abs(r - 2), abs(c - 2))
                                grid[x - 2 + r][y - 2 + c] = int(ring != 1)
        grid[-8][8] = 3  # the dark module: not data, light while masks are scored
        order = self._placement(grid)
        blocks = _BLOCKS_M[version - 1]
        self.codewords = sum(count * total for count, total, _data in blocks)
        self.data_codewords = sum(count * data for count, _total, data in blocks)
        bits = self.codewords * 8 + _REMAINDER.get(version, 0)
        assert bits == len(order), (version, bits, len(order))
        # Each lane (bit of the symbol integer) takes a digit of the bit stream followed by
        # "01": the stream's bit, or a function module's constant.
        source = [bits] * (size * stride)
        for r in range(size):
            for c in range(size):
                if grid[r][c] == 1:
                    source[r * stride + c] = bits + 1
        for index, lane in enumerate(order):
            source[lane] = index
        # Last lane first: the string of the lanes is the binary numeral of the symbol.
        self.gather = operator.itemgetter(*reversed(source))
        lanes = [(lane // stride, lane % stride) for lane in order]
        self.masks = tuple(
            sum(1 << (r * stride + c) for r, c in lanes if rule(r, c)) for rule in _MASKS
        )
        self.interleave = self._interleave(blocks)
        self.row = sum(1 << c for c in range(size))
        self.modules = sum(self.row << (r * stride) for r in range(size))
        # Pairs of neighbours within the symbol: to the right, below.
        self.right = sum((self.row >> 1) << (r * stride) for r in range(size))
        self.below = sum(self.row << (r * stride) for r in range(size - 1))
        self.edge_rows = sum((1 | 1 << (size - 7)) << (r * stride) for r in range(size))
        self.edge_columns = (self.row | self.row << ((size - 7) * stride)) & self.modules
        self.info = tuple(self._info(mask) for mask in range(8))

    def _placement(self, grid: list[list[int]]) -> list[int]:
        """7.7.3: the data modules in the order the bit stream fills them (as segno does)."""
        size, order = self.size, []
        for right in range(size - 1, 0, -2):
            if right <= 6:
                right -= 1
            for vertical in range(size):
                for z in (0, 1):
                    j = right - z
                    upwards = ((right & 2) == 0) ^ (j < 6)
                    i = size - 1 - vertical if upwards else vertical
                    if grid[i][j] == 2:
                        order.append(i * self.stride + j)
        return order

    @staticmethod
    def _interleave(blocks: tuple[tuple[int, int, int], ...]) -> tuple[list[int], list[int]]:
        """7.6: where each data and error correction codeword goes in the final sequence."""
        data, ecc, start, ecc_start = [], [], 0, 0
        for count, total, size in blocks:
            for _ in range(count):
                data.append(range(start, start + size))
                ecc.append(range(ecc_start, ecc_start + total - size))
                start += size
                ecc_start += total - size
        longest = max(len(block) for block in data)
        data_order = [b[i] for i in range(longest) for b in data if i < len(b)]
        ecc_order = [b[i] for i in range(len(ecc[0])) for b in ecc]
        return data_order, ecc_order

    def _info(self, mask: int) -> int:
        """The format (and version) information of ``mask`` and the dark module, as set bits."""
        size, stride, cells = self.size, self.stride, {}
        fmt, v_off, h_off = _FORMAT_M[mask], 0, 0
        for i in range(8):
            vbit, hbit = (fmt >> i) & 1, (fmt >> (14 - i)) & 1
            if i == 6:
                v_off, h_off = v_off + 1, 1
            cells[(i + v_off, 8)] = vbit
            cells[(8, i + h_off)] = hbit
            cells[(8, size - 1 - i)] = vbit
            cells[(size - 1 - i, 8)] = hbit
        cells[(size - 8, 8)] = 1
        if self.version >= 7:
            info = _VERSION_INFO[self.version - 7]
            for i in range(6):
                for k in range(3):
                    bit = (info >> (i * 3 + k)) & 1
                    cells[(size - 11 + k, i)] = cells[(i, size - 11 + k)] = bit
        return sum(1 << (r * stride + c) for (r, c), bit in cells.items() if bit)


@functools.cache
def _layout(version: int) -> _Layout:
    return _Layout(version)


def _version(length: int) -> int:
    """The smallest version whose level-M capacity holds ``length`` bytes in byte mode."""
    for version, blocks in enumerate(_BLOCKS_M, start=1):
        capacity = 8 * sum(count * data for count, _total, data in blocks)
        if capacity >= 4 + (8 if version < 10 else 16) + 8 * length:
            return version
    raise InvalidFieldError(
        f"{length} bytes do not fit in a QR code (level M)", field="qr_payload", value=length
    )


def _codewords(data: bytes, layout: _Layout) -> bytes:
    """7.4 to 7.6: mode, length, data, terminator, padding (as segno pads: a whole zero
    byte when the stream already ends on a byte boundary), then the interleaved blocks and
    their Reed-Solomon codewords."""
    count_bits = 8 if layout.version < 10 else 16
    capacity = layout.data_codewords * 8
    length = 4 + count_bits + 8 * len(data)
    stream = ((0b0100 << count_bits) | len(data)) << 8 * len(data) | int.from_bytes(data, "big")
    terminator = min(capacity - length, 4)
    length += terminator
    padding = 8 - length % 8
    stream <<= terminator + padding
    length += padding
    message = stream.to_bytes(length // 8, "big")
    message = (message + b"\xec\x11" * layout.data_codewords)[: layout.data_codewords]
    data_order, ecc_order = layout.interleave
    ecc = bytearray()
    start = 0
    for count, total, size in _BLOCKS_M[layout.version - 1]:
        for _ in range(count):
            ecc += _ecc(message[start : start + size], total - size)
            start += size
    return bytes(map(message.__getitem__, data_order)) + bytes(map(ecc.__getitem__, ecc_order))


def _penalty(symbol: int, layout: _Layout) -> int:
    """7.8.3.1, scored as segno scores it: runs of five or more (3 + the modules past five),
    2×2 blocks (3 each), finder-like 1:1:3:1:1 patterns with four light modules before or
    after them or touching the edge (40 each, found as segno's search finds them), the
    proportion of dark modules (10 a 5 % step away from half)."""
    light = ~symbol & layout.modules
    score = 0
    sames = []
    for step, pairs, edges in ((1, layout.right, layout.edge_rows),
                               (layout.stride, layout.below, layout.edge_columns)):  # fmt: skip
        same = ~(symbol ^ (symbol >> step)) & pairs  # a module and the next one alike
        sames.append(same)
        two = same & same >> step
        five = two & two >> 2 * step  # five alike from here on
        score += five.bit_count() + 2 * (five & ~(same << step)).bit_count()
        dark3 = symbol & symbol >> step & symbol >> 2 * step
        found = symbol & light >> step & dark3 >> 2 * step & light >> 5 * step
        found &= symbol >> 6 * step  # dark, light, dark × 3, light, dark from here on
        if found:
            after = symbol | symbol >> step
            after |= after >> 2 * step  # a dark module among the four from here on
            before = symbol << step | symbol << 2 * step
            before |= before << 2 * step  # a dark module among the four before
            counted = found & (edges | ~before | ~(after >> 7 * step))
            near = found >> 4 * step | found >> 6 * step
            if found & near:
                close = found & (near | found << 4 * step | found << 6 * step)
                score += 40 * (counted & ~close).bit_count()
                score += 40 * _overlapping(close, counted, (4 * step, 6 * step))
            else:
                score += 40 * counted.bit_count()
    blocks = sames[0] & sames[0] >> layout.stride & sames[1]
    score += 3 * blocks.bit_count()
    percent = float(symbol.bit_count()) / (layout.size**2)
    return score + 10 * int(abs(percent * 100 - 50) / 5)


def _overlapping(close: int, counted: int, near: tuple[int, int]) -> int:
    """How many of the finder-like patterns 4 or 6 modules apart segno counts.

    segno searches a line for the pattern and resumes 7 modules after one it counts (4
    after one it does not): a pattern 4 or 6 modules after a counted one is never seen.
    Patterns are never 1, 2, 3 or 5 modules apart, so nothing else is skipped.
    """
    seen: set[int] = set()
    total = 0
    while close:
        low = close & -close
        close ^= low
        at = low.bit_length() - 1
        if at - near[0] in seen or at - near[1] in seen:
            continue
        if counted & low:
            seen.add(at)
            total += 1
    return total


class QRSymbol:
    """A QR code: its version (1 to 40), its mask (0 to 7) and its modules."""

    __slots__ = ("_bits", "_layout", "mask", "version")

    def __init__(self, layout: _Layout, mask: int, bits: int) -> None:
        self._layout, self._bits = layout, bits
        self.version, self.mask = layout.version, mask

    @property
    def size(self) -> int:
        """Modules a side, without the quiet zone."""
        return self._layout.size

    def rows(self) -> list[bytes]:
        """The modules, row by row: 1 dark, 0 light."""
        size, stride = self._layout.size, self._layout.stride
        text = format(self._bits, "b").zfill(size * stride)[::-1].encode("ascii")
        return [
            text[r * stride : r * stride + size].translate(_FROM_ASCII) for r in range(size)
        ]

    def _hex_rows(self) -> list[str]:
        """Each row as the hex digits of its pixels at 4 a module: dark 0, light f."""
        size, stride = self._layout.size, self._layout.stride
        text = format(self._bits, "b").zfill(size * stride)[::-1].translate(_TO_HEX)
        return [text[r * stride : r * stride + size] for r in range(size)]


_FROM_ASCII = bytes.maketrans(b"01", b"\0\1")
_TO_HEX = str.maketrans("01", "f0")


def encode(data: bytes) -> QRSymbol:
    """The QR code of ``data`` as ``segno.make_qr(data, error="m", boost_error=False)``
    makes it: byte mode, level M, the smallest version, segno's choice of mask."""
    layout = _layout(_version(len(data)))
    codewords = _codewords(data, layout)
    stream = "".join(map(_BITS.__getitem__, codewords))
    stream += "0" * _REMAINDER.get(layout.version, 0) + "01"
    unmasked = int("".join(layout.gather(stream)), 2)
    best, best_mask, best_score = 0, 0, -1
    for mask, pattern in enumerate(layout.masks):
        symbol = unmasked ^ pattern
        score = _penalty(symbol, layout)
        if best_score < 0 or score < best_score:
            best, best_mask, best_score = symbol, mask, score
    return QRSymbol(layout, best_mask, best | layout.info[best_mask])


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(symbol: QRSymbol) -> bytes:
    """``symbol`` as a PNG image, byte for byte as segno's ``save(kind="png", scale=4,
    border=4)`` writes it: greyscale, 1 bit a pixel, 4 pixels a module, a quiet zone of 4
    modules, each module row followed by three "Up"-filtered copies, zlib level 9."""
    size = symbol.size
    digits = size + 8  # hex digits of a line: 4 pixels each
    pad = "0" * (digits % 2)
    line_bytes = (digits + 1) // 2
    border = "00" + "f" * digits + pad
    copies = ("02" + "00" * line_bytes) * 3
    lines = [border * 16]
    lines.extend(f"00ffff{row}ffff{pad}{copies}" for row in symbol._hex_rows())
    lines.append(border * 16)
    width = digits * 4
    header = struct.pack(">2I5B", width, width, 1, 0, 0, 0, 0)
    image = zlib.compress(bytes.fromhex("".join(lines)), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", image)
        + _chunk(b"IEND", b"")
    )
