"""Taxonomies of needs and client groups, and the attributes that link them to listings."""
