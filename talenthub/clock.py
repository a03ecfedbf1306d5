"""The site's one clock: every "now" and "today" the code uses comes from here.

Functions that depend on the date take `now`/`today` arguments defaulting to these, so tests
can fix a date, and a test that moves this clock (time-machine) moves the whole site with it.
"""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """The current moment, timezone-aware."""
    return timezone.now()


def today() -> datetime.date:
    """Today's date in the site's time zone (Asia/Tokyo)."""
    return timezone.localdate()


def local_date(moment: datetime.datetime) -> datetime.date:
    """The site-time-zone date of a moment."""
    return timezone.localdate(moment)
