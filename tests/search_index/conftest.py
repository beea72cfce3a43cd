"""Fixtures shared by the search tests."""

from __future__ import annotations

import os

import pytest

from search_index import semantic


@pytest.fixture(scope="session")
def semantic_model() -> semantic.Embedder:
    """The semantic extra's real model. ``make test`` installs the extra; where it is missing
    the tests using this are skipped with a message, except under CI, where that fails."""
    if not semantic.available():
        message = "the semantic extra is not installed (make semantic)"
        if os.environ.get("CI"):
            pytest.fail(message + " (required when CI is set)")
        pytest.skip(message)
    model = semantic.default_embedder()
    assert model is not None, "the semantic model failed to load (see the log)"
    return model
