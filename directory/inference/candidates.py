"""What a method proposes: a term, how sure it is and the words or source term that said so."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Candidate:
    term_id: str
    method: str
    confidence: float
    evidence: str
