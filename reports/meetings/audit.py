"""The meeting papers' entries in the client audit log (labels registered in ``hooks.py``)."""

from django.utils.translation import gettext_lazy as _

PACK_READ = "reports.meeting.read"
DECISION = "reports.meeting.decision"

ACTIONS = {
    PACK_READ: _("Read in the meeting papers"),
    DECISION: _("Record meeting decision"),
}
