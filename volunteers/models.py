"""Volunteers, opportunities and shifts. Filled in by the volunteers issue."""
