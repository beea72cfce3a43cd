"""``directory.allocator``: the build workers' C allocator settings take effect (read back from
glibc's own statistics in a fresh process), and do nothing where the C library is not glibc."""

from __future__ import annotations

import ctypes
import multiprocessing
import platform

import pytest

from directory import allocator

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt settings are glibc's")


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
            "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def _mapped_blocks_while_holding(size: int, tune: bool, out) -> None:  # a spawned process
    """How many blocks glibc has mapped (``hblks``) while this process holds a buffer of
    ``size`` bytes, after freeing it the heap's spare top (``keepcost``), and whether
    ``tune_for_bulk`` said it took."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    took = allocator.tune_for_bulk() if tune else None
    before = libc.mallinfo2().hblks
    buffer = ctypes.create_string_buffer(size)
    during = libc.mallinfo2().hblks - before
    del buffer
    out.put((took, during, libc.mallinfo2().keepcost))


def _run(size: int, tune: bool) -> tuple[bool | None, int, int]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=_mapped_blocks_while_holding, args=(size, tune, out))
    process.start()
    found = out.get(timeout=60)
    process.join(timeout=60)
    return found


@glibc
def test_blocks_up_to_the_threshold_come_from_the_heap_and_its_top_is_kept():
    # glibc's defaults: a 2 MB block is mapped, and the freed heap is trimmed
    took, mapped, _kept = _run(2 << 20, tune=False)
    assert took is None and mapped == 1
    took, mapped, kept = _run(2 << 20, tune=True)
    assert took is True
    assert mapped == 0  # from the heap, to be reused
    assert kept >= 1 << 20  # the top is not handed back below 1 MB
    took, mapped, _kept = _run(allocator.BULK_MMAP_THRESHOLD + (1 << 20), tune=True)
    assert mapped == 1  # bigger arrays are still mapped, and handed back whole


def test_another_c_library_is_left_alone(monkeypatch):
    monkeypatch.setattr(allocator.platform, "libc_ver", lambda: ("", ""))
    assert allocator.tune_for_bulk() is False
