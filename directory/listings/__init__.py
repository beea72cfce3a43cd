"""Organisations, their services and everything nested in an ORUK service record."""
