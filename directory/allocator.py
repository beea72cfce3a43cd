"""The C allocator's settings for processes that allocate and free in bulk: a rebuild's build
workers (``search_index.build``).

glibc's ``malloc`` gives the top of its heap back to the kernel whenever more than 128 KB is
free there, and serves anything over its "mmap threshold" (128 KB at first, then raised
towards 32 MB as large blocks are freed) with a fresh ``mmap``. A build worker calls zlib
about 120,000 times (each call allocates and frees about 270 KB of state), makes numpy arrays
by the hundred and frees each batch of records: so it kept handing pages back and faulting
them in again. Measured on this project's 2-core machine: a zlib call on 1 KB took 50-65 us
in a plain Python process and 9.5 us once the heap's top was kept; one build worker of
50,000 services (``bench/rebuild_bench.py``'s data, run in-process, alternating) took
33.7-37.1 s of CPU with glibc's defaults and 27.6-31.0 s with the settings below, its peak
memory about the same (the paragraph "Index and write phases cut" under
docs/index-operations.md, "Rebuilding: `flask --app wsgi reindex [--procs N]`").

``tune_for_bulk`` keeps 1 MB spare at the heap's top when trimming (``M_TOP_PAD``) and fixes
the mmap threshold at 4 MB (``M_MMAP_THRESHOLD``, which also stops glibc raising it): blocks
up to 4 MB come from the heap and are reused, bigger arrays are mapped and handed back
whole when freed, so a worker's peak memory does not grow. Elsewhere than glibc (musl,
macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

#: ``mallopt`` parameters (glibc's malloc.h).
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
#: Spare bytes kept at the top of the heap, and the size from which blocks are mapped.
BULK_TOP_PAD = 1 << 20
BULK_MMAP_THRESHOLD = 4 << 20


def _libc() -> ctypes.CDLL | None:
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") else None


def tune_for_bulk() -> bool:
    """Set this process's allocator for bulk work (see the module docstring). True when
    glibc took both settings; False (and nothing changed) on another C library."""
    libc = _libc()
    if libc is None:
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_TOP_PAD, BULK_TOP_PAD)) & bool(
        mallopt(M_MMAP_THRESHOLD, BULK_MMAP_THRESHOLD)
    )
