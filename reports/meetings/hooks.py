"""Admin hooks of this part (filled in by its author)."""
