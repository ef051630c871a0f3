"""A moment to freeze the clock at (time-machine), far from any boundary a test counts across:
mid-day (dates), mid-hour and mid-minute (rate-limit windows, page freshness)."""

import datetime

MIDDAY = datetime.datetime(2026, 3, 5, 12, 34, 56, tzinfo=datetime.UTC)
