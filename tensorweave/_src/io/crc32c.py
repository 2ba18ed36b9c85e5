"""CRC32C (Castagnoli) and TFRecord's masked CRC, in numpy.

Short inputs go through a byte-table loop; many or long inputs are cut into 64-byte chunks whose CRCs
are computed in parallel (one numpy op per byte column over all chunks), then combined per input with
precomputed "shift by k zero bytes" linear operators (CRC is linear over GF(2)).
"""

from __future__ import annotations

import numpy as np

_POLY = 0x82F63B78
_CHUNK = 64


def _make_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table[i] = c
    return table


TABLE = _make_table()
_TABLE_LIST = [int(x) for x in TABLE]


def crc32c_py(data: bytes, crc: int = 0) -> int:
    """Standard CRC32C of `data` (continuing from `crc`), byte by byte."""
    t = _TABLE_LIST
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


# ---- linear operators "append n zero bytes" on a raw CRC state ----------------------------------------
def _apply_tables(tables: np.ndarray, x: np.ndarray) -> np.ndarray:
    return (tables[0][x & 0xFF] ^ tables[1][(x >> 8) & 0xFF] ^ tables[2][(x >> 16) & 0xFF]
            ^ tables[3][x >> 24])


def _tables_from_basis(images: np.ndarray) -> np.ndarray:
    """4x256 lookup tables of the linear map whose images of bit i are images[i]."""
    tables = np.zeros((4, 256), dtype=np.uint32)
    v = np.arange(256)
    for byte in range(4):
        acc = np.zeros(256, dtype=np.uint32)
        for bit in range(8):
            acc ^= np.where((v >> bit) & 1, images[byte * 8 + bit], np.uint32(0)).astype(np.uint32)
        tables[byte] = acc
    return tables


def _shift_one_chunk() -> np.ndarray:
    basis = (np.uint32(1) << np.arange(32, dtype=np.uint32)).astype(np.uint32)
    s = basis.copy()
    for _ in range(_CHUNK):
        s = TABLE[s & 0xFF] ^ (s >> 8)
    return _tables_from_basis(s)


_SHIFT_POW: list = []  # _SHIFT_POW[b]: tables shifting by 2**b chunks


def _shift_tables(b: int) -> np.ndarray:
    while len(_SHIFT_POW) <= b:
        if not _SHIFT_POW:
            _SHIFT_POW.append(_shift_one_chunk())
        else:
            prev = _SHIFT_POW[-1]
            basis = (np.uint32(1) << np.arange(32, dtype=np.uint32)).astype(np.uint32)
            _SHIFT_POW.append(_tables_from_basis(_apply_tables(prev, _apply_tables(prev, basis))))
    return _SHIFT_POW[b]


def crc32c_many(items: list) -> np.ndarray:
    """Standard CRC32C of each bytes object in `items` (uint32 array)."""
    n = len(items)
    out = np.zeros(n, dtype=np.uint32)
    if n == 0:
        return out
    lengths = np.fromiter((len(x) for x in items), dtype=np.int64, count=n)
    if n < 4 and int(lengths.sum()) < 256:
        for i, x in enumerate(items):
            out[i] = crc32c_py(x)
        return out
    short = lengths < 4
    if short.any():
        for i in np.nonzero(short)[0]:
            out[i] = crc32c_py(items[i])
    idx = np.nonzero(~short)[0]
    if len(idx) == 0:
        return out
    lens = lengths[idx]
    nchunks = -(-lens // _CHUNK)
    pads = nchunks * _CHUNK - lens
    total = int(nchunks.sum())
    starts = np.concatenate([[0], np.cumsum(nchunks)[:-1]]) * _CHUNK + pads
    # each item sits right-aligned in its chunks (leading zeros leave a zero raw state unchanged)
    zeros = bytes(_CHUNK)
    buf = np.frombuffer(b"".join([zeros[:p] + items[i] for p, i in zip(pads.tolist(), idx.tolist())]),
                        dtype=np.uint8).copy()
    # init 0xFFFFFFFF == complementing the first 4 bytes with a zero init (reflected CRC)
    for k in range(4):
        buf[starts + k] ^= 0xFF
    chunks = buf.reshape(total, _CHUNK)
    cols = np.ascontiguousarray(chunks.T)
    state = np.zeros(total, dtype=np.uint32)
    table = TABLE
    for j in range(_CHUNK):
        state = table[(state ^ cols[j]) & 0xFF] ^ (state >> 8)
    # shift every chunk's CRC by the number of chunks after it in its item, then xor per item
    first_chunk = np.concatenate([[0], np.cumsum(nchunks)[:-1]])
    dist = np.repeat(first_chunk + nchunks - 1, nchunks) - np.arange(total)
    b = 0
    while (dist >> b).any():
        sel = ((dist >> b) & 1).astype(bool)
        if sel.any():
            state[sel] = _apply_tables(_shift_tables(b), state[sel])
        b += 1
    crcs = np.bitwise_xor.reduceat(state, first_chunk)
    out[idx] = crcs ^ np.uint32(0xFFFFFFFF)
    return out


def mask(crc):
    """TFRecord's masked CRC: rotate right by 15 and add a constant (works on ints and uint32 arrays)."""
    if isinstance(crc, np.ndarray):
        crc = crc.astype(np.uint64)
        return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    return mask(crc32c_py(data) if len(data) < 512 else int(crc32c_many([data])[0]))
