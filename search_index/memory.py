"""Indexes held in memory (tests, tools, relevance measurements), safe beside other processes.

Whoosh's segment writer asks its storage for a temporary folder named after the index
(``MAIN.tmp``); ``RamStorage`` puts that folder in the system's temporary directory, so every
process building a memory index at the same time shares ``/tmp/MAIN.tmp``, and the first
writer to finish deletes the folder under the others (seen as errors in the bulk-writer tests
while another process built a memory index). Here each writer gets a folder of its own.
"""

from __future__ import annotations

import os
import uuid

from whoosh.filedb.filestore import FileStorage, RamStorage


class PrivateRamStorage(RamStorage):
    """``RamStorage`` whose writers' temporary folders are private to each writer."""

    def temp_storage(self, name: str | None = None) -> FileStorage:
        return super().temp_storage(f"whoosh-{os.getpid()}-{uuid.uuid4().hex}.tmp")
