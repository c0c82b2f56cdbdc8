"""Publication dates: always timezone-aware, never in the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

# Clock skew between the site and us is not "the future".
_FUTURE_TOLERANCE = timedelta(hours=1)


def parse_date(text: str | None, default_tz: tzinfo = UTC) -> datetime | None:
    """Parse a published date as printed or as meta/JSON-LD gives it.

    A bare date becomes 00:00 in `default_tz`; a naive date-time is read in
    `default_tz` too. Unreadable text gives None.
    """
    if not text:
        return None
    text = text.strip()
    if not text or len(text) > 100:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = dateutil_parser.parse(text, default=datetime(2000, 1, 1))
        except (ValueError, OverflowError):
            return None
    if value.year < 1900:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_tz)
    return value


def drop_future(
    value: datetime | None, now: datetime | None = None
) -> tuple[datetime | None, str | None]:
    """A date in the future is wrong: return (None, warning) for it."""
    if value is None:
        return None, None
    now = now or datetime.now(UTC)
    if value > now + _FUTURE_TOLERANCE:
        return None, f"dropped a publication date in the future: {value.isoformat()}"
    return value, None


def zone(name: str) -> tzinfo:
    return UTC if name == "UTC" else ZoneInfo(name)
