"""How big and how far any real value goes: what every reader of the share and of packs checks first.

Anyone who can write to the shared folder can put anything there. Every value
read from it is held to these bounds before it is believed, stored or shown, so
that no file can make a PC run out of memory, run a date off the calendar, or
store something it cannot read back. Each bound is far beyond what SocialSafe
itself ever writes.
"""

from __future__ import annotations

import datetime as dt

MAX_TEXT = 400  # characters in a name, school, email, id or version: a long name is ~60
MAX_NOTE = 4000  # characters in a face-to-face result's note
MAX_SCORE = 10_000  # a quiz or face-to-face session's maximum score (the office's form allows 1,000)
MAX_LINE = 64 * 1024  # bytes in one device-file line: a record is under 2 KB
MAX_DEVICE_FILE = 64 * 1024 * 1024  # bytes in one PC's file: about 150,000 records, decades of one busy PC's work
# Bytes of device files read in one sync, smallest files first: about 600,000 records (a 20-school trust's
# years of training is under 500,000), which keeps a merge's memory to a few hundred MB.
MAX_SHARE = 256 * 1024 * 1024
MAX_SMALL_FILE = 4 * 1024 * 1024  # a marker, the authority, a roster, a pack file, a signature

# Times a record may carry. SocialSafe did not exist before EARLIEST; a clock may run a little fast
# (CLOCK_SKEW), but a record dated later than that has not happened yet: it is reported, not counted.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
CLOCK_SKEW = dt.timedelta(days=1)
LONGEST_VALIDITY = dt.timedelta(days=3 * 366)  # a certificate's expiry after completion: 12 months is the rule


def latest(now: dt.datetime) -> dt.datetime:
    """The latest time a record read at ``now`` may carry."""
    return now + CLOCK_SKEW
