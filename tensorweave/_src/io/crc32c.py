"""CRC32C (Castagnoli) and TFRecord's masked CRC, in numpy.

Short inputs go through a byte-table loop. Many or long inputs are cut into 64-byte chunks whose raw
CRCs are computed in parallel with "slicing" tables: the CRC of a chunk is the xor of one table lookup
per position (CRC is linear over GF(2)), so each step is one gather and one xor over all chunks at once;
big inputs use 16-bit positions (32 lookups per chunk, 8 MiB of tables built on first use). Chunk CRCs
are then combined per input with precomputed "shift by k zero bytes" operators.
"""

from __future__ import annotations

import numpy as np

_POLY = 0x82F63B78
_CHUNK = 64
_BIG = 32768  # chunks (2 MB) from which the 16-bit tables pay for loading them


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


# ---- per-position tables: raw CRC of a chunk = xor over positions of T[pos][value] --------------------
def _position_tables8() -> np.ndarray:
    """[64, 256]: raw CRC (zero init) of byte b at position j of a 64-byte chunk of otherwise zeros."""
    tabs = np.empty((_CHUNK, 256), dtype=np.uint32)
    cur = TABLE.copy()  # the byte is the chunk's last one
    tabs[_CHUNK - 1] = cur
    for j in range(_CHUNK - 2, -1, -1):
        cur = TABLE[cur & 0xFF] ^ (cur >> 8)  # followed by one more zero byte
        tabs[j] = cur
    return tabs


_POS8 = _position_tables8()
_POS16: list = []  # [32, 65536] tables for little-endian 16-bit words, built on first big input


def _pos16() -> np.ndarray:
    if not _POS16:
        w = np.arange(65536)
        lo, hi = w & 0xFF, w >> 8
        _POS16.append(np.stack([_POS8[2 * j][lo] ^ _POS8[2 * j + 1][hi] for j in range(_CHUNK // 2)]))
    return _POS16[0]


def chunk_crcs(chunks: np.ndarray) -> np.ndarray:
    """Raw CRC (zero init, no final xor) of each row of a C-contiguous [m, 64] uint8 array."""
    m = len(chunks)
    # one transpose of 8-byte columns (cheap) gives contiguous per-position columns over all chunks
    cols = np.ascontiguousarray(chunks.view(np.uint64).T)
    if m >= _BIG:
        tabs, columns = _pos16(), cols.view("<u2").reshape(8, m, 4)
    else:
        tabs, columns = _POS8, cols.view(np.uint8).reshape(8, m, 8)
    per = columns.shape[2]
    acc = np.zeros(m, dtype=np.uint32)
    tmp = np.empty(m, dtype=np.uint32)
    idx = np.empty(m, dtype=np.intp)  # take() with other index types casts in small chunks, retaking
    for j in range(len(tabs)):        # the GIL for each: slow when another thread runs Python
        idx[...] = columns[j // per, :, j % per]
        np.take(tabs[j], idx, out=tmp)
        acc ^= tmp
    return acc


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


def crc32c_rows(rows: np.ndarray) -> np.ndarray:
    """Standard CRC32C of each row of a [k, L] uint8 array (any strides): the fast path for records of
    one length, e.g. a TFRecord file of same-sized Examples."""
    k, length = rows.shape
    if length < 4 or k * length < 256:
        return np.array([crc32c_py(r.tobytes()) for r in rows], dtype=np.uint32).reshape(k)
    nch = -(-length // _CHUNK)
    pad = nch * _CHUNK - length
    buf = np.zeros((k, nch * _CHUNK), dtype=np.uint8)
    buf[:, pad:] = rows  # right-aligned: leading zeros leave a zero raw state unchanged
    # init 0xFFFFFFFF == complementing the first 4 bytes with a zero init (reflected CRC)
    buf[:, pad:pad + 4] ^= 0xFF
    crcs = chunk_crcs(buf.reshape(k * nch, _CHUNK)).reshape(k, nch)
    acc = crcs[:, 0].copy()
    if nch > 1:
        shift = _shift_tables(0)
        for j in range(1, nch):  # Horner: shift by one chunk, add the next one
            acc = _apply_tables(shift, acc) ^ crcs[:, j]
    return acc ^ np.uint32(0xFFFFFFFF)


def crc32c_many(items: list) -> np.ndarray:
    """Standard CRC32C of each bytes object in `items` (uint32 array)."""
    n = len(items)
    out = np.zeros(n, dtype=np.uint32)
    if n == 0:
        return out
    lengths = np.fromiter(map(len, items), dtype=np.int64, count=n)
    if int(lengths.sum()) < 256:
        for i, x in enumerate(items):
            out[i] = crc32c_py(x)
        return out
    if (lengths == lengths[0]).all():
        rows = np.frombuffer(b"".join(items), dtype=np.uint8).reshape(n, int(lengths[0]))
        return crc32c_rows(rows)
    short = lengths < 4
    if short.any():
        for i in np.nonzero(short)[0]:
            out[i] = crc32c_py(items[i])
    idx = np.nonzero(~short)[0]
    if len(idx) == 0:
        return out
    out[idx] = _crc_ragged([items[i] for i in idx.tolist()], lengths[idx])
    return out


def _crc_ragged(items: list, lens: np.ndarray) -> np.ndarray:
    """CRC32C of items of different lengths (each at least 4 bytes)."""
    nchunks = -(-lens // _CHUNK)
    pads = nchunks * _CHUNK - lens
    total = int(nchunks.sum())
    first_chunk = np.concatenate([[0], np.cumsum(nchunks)[:-1]])
    starts = first_chunk * _CHUNK + pads
    # each item sits right-aligned in its chunks (leading zeros leave a zero raw state unchanged)
    zeros = bytes(_CHUNK)
    buf = np.frombuffer(b"".join([zeros[:p] + x for p, x in zip(pads.tolist(), items)]),
                        dtype=np.uint8).copy()
    for k in range(4):  # the 0xFFFFFFFF init, as above
        buf[starts + k] ^= 0xFF
    state = chunk_crcs(buf.reshape(total, _CHUNK))
    # shift every chunk's CRC by the number of chunks after it in its item, then xor per item
    dist = np.repeat(first_chunk + nchunks - 1, nchunks) - np.arange(total)
    b = 0
    while (dist >> b).any():
        sel = ((dist >> b) & 1).astype(bool)
        if sel.any():
            state[sel] = _apply_tables(_shift_tables(b), state[sel])
        b += 1
    return np.bitwise_xor.reduceat(state, first_chunk) ^ np.uint32(0xFFFFFFFF)


def mask(crc):
    """TFRecord's masked CRC: rotate right by 15 and add a constant (works on ints and uint32 arrays)."""
    if isinstance(crc, np.ndarray):
        crc = crc.astype(np.uint64)
        return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    return mask(crc32c_py(data) if len(data) < 512 else int(crc32c_many([data])[0]))
