"""Arrays saved by ``np.savez`` read back mapped from the file rather than copied into memory.

A review of a million records has features of several gigabytes (BENCHMARKS.md, #30). Mapped,
they stay in the page cache: shared by every worker that ranks the same review, read only where
a retrain touches them, and given back by the kernel when memory runs short, instead of a copy
in each process's own memory. ``np.load`` cannot map the members of an ``.npz``; ``np.savez``
stores them uncompressed, so each member's bytes lie whole at a known place in the file.
"""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import numpy as np

# Below this size a member is read into memory: mapping a few bytes gains nothing.
MAP_FROM_BYTES = 1 << 20

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the lengths of the name and the extra field


def load_mapped(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` at ``path`` by name; the large ones are copy-on-write maps of
    the file (writing to one changes this process's copy only). Raises ValueError (or an OSError,
    ``zipfile.BadZipFile``) for a file this cannot read; the caller treats it as missing."""
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive, open(path, "rb") as handle:
        for info in archive.infolist():
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                raise ValueError(f"{info.filename} in {path} is not a stored .npy array")
            handle.seek(info.header_offset)
            signature, name_length, extra_length = _LOCAL_HEADER.unpack(handle.read(_LOCAL_HEADER.size))
            if signature != b"PK\x03\x04":
                raise ValueError(f"no local header for {info.filename} in {path}")
            handle.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
            version = np.lib.format.read_magic(handle)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read_header(handle)
            if dtype.hasobject:
                raise ValueError(f"{info.filename} in {path} holds Python objects")
            size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            name = info.filename.removesuffix(".npy")
            if size < MAP_FROM_BYTES:
                flat = np.frombuffer(handle.read(size), dtype=dtype)
                arrays[name] = (flat.reshape(shape, order="F") if fortran else flat.reshape(shape)).copy()
            else:
                arrays[name] = np.memmap(path, dtype=dtype, mode="c", offset=handle.tell(), shape=shape,
                                         order="F" if fortran else "C")
    return arrays
