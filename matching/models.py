"""Participation-support records (clients, consent, plans, placements): personal data, so plain
models behind scoped querysets, never Wagtail pages. Filled in by the matching issue."""
