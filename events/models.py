"""Community events and calendars. Filled in by the events issue."""
