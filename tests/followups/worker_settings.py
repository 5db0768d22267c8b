"""Settings for the real worker of the full-stack tests: the test settings, with the outbox
sending to a file mailbox the test process can count (tests/followups/mailbox.py)."""

import os

from tsunagu.settings.test import *  # noqa: F403

OUTBOX_EMAIL_BACKEND = "tests.followups.mailbox.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["FOLLOWUP_TEST_MAIL_DIR"]
