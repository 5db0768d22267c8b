"""What matching announces, for the apps above it (follow-ups) to react to.

Apps talk downward: matching never imports ``followups``. Each signal is sent inside the
transaction of the service that sends it, so a receiver's writes commit or roll back with it.
"""

from django.dispatch import Signal

# A consent withdrawal paused the placement: no contact with the host place and no check-in
# reminders until it is resumed. Arguments: placement.
placement_paused = Signal()

# The paused placement is active again (consent was given again). Arguments: placement,
# paused_on (the date it was paused), by.
placement_resumed = Signal()

# The client's personal data is being erased: every app blanks its own free text about them.
# Arguments: client.
client_erased = Signal()
