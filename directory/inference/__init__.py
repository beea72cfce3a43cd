"""Needs and client groups inferred for listings that carry none of our curated terms.

Real councils' feeds carry none of our need terms, so without inference their listings can
only be found by their exact words. Three methods each propose terms with a confidence and the
evidence that gave them (``vocabulary``: our curated labels, synonyms and phrases found in the
listing's own words; ``crosswalk``: the feed's own taxonomy terms mapped to ours; ``semantic``:
the optional sentence model, once per listing), :mod:`directory.inference.services` keeps the
ones strong enough, stores them in ``inferred_term`` (never as curated ``Attribute`` rows) and
shows them on the API as attributes of their own taxonomy (:mod:`directory.inference.mirror`).
See ``docs/inference.md`` for the measured figures.
"""

from __future__ import annotations

import uuid

#: Namespace of every id this package derives, so they never change between runs or machines.
INFERENCE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:community-directory:inferred-terms")
#: The taxonomy "Inferred by this directory" whose terms mirror the curated ones on the API.
INFERRED_TAXONOMY_ID = str(uuid.uuid5(INFERENCE_NAMESPACE, "taxonomy"))
INFERRED_TAXONOMY_NAME = "Inferred by this directory"

NEED = "need"
CLIENT_GROUP = "client_group"
#: ``link_type`` of an inferred term shown as an ORUK attribute, by the curated link type.
INFERRED_LINK_TYPES = {NEED: "inferred_need", CLIENT_GROUP: "inferred_client_group"}

VOCABULARY = "vocabulary"
CROSSWALK = "crosswalk"
SEMANTIC = "semantic"
METHODS = (VOCABULARY, CROSSWALK, SEMANTIC)

__all__ = [
    "CLIENT_GROUP",
    "CROSSWALK",
    "INFERENCE_NAMESPACE",
    "INFERRED_LINK_TYPES",
    "INFERRED_TAXONOMY_ID",
    "INFERRED_TAXONOMY_NAME",
    "METHODS",
    "NEED",
    "SEMANTIC",
    "VOCABULARY",
]
