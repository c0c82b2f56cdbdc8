"""Publication dates: always timezone-aware, never in the future."""

from __future__ import annotations

import re
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


# --- dates as pages print them ------------------------------------------------------------
_MONTHS = {
    # English, German, French, Spanish, Portuguese, Italian, Dutch: name -> month.
    **{m: i for i, ms in enumerate((
        "january januar janvier enero janeiro gennaio januari jan jän janv ene",
        "february februar février fevrier febrero fevereiro febbraio februari feb févr fev",
        "march märz maerz mars marzo março marco maart mar mär",
        "april avril abril aprile apr avr abr",
        "may mai mayo maio maggio mei",
        "june juni juin junio junho giugno jun",
        "july juli juillet julio julho luglio jul juil",
        "august août aout agosto augustus aug ago",
        "september septembre septiembre setembro settembre sep sept set",
        "october oktober octobre octubre outubro ottobre oct okt out ott",
        "november novembre noviembre novembro nov",
        "december dezember décembre decembre diciembre dezembro dicembre dec dez déc dic",
    ), start=1) for m in ms.split()},
}
_MONTH_NAMES = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_MONTH_FIRST_RE = re.compile(
    rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DAY_FIRST_RE = re.compile(
    rf"\b(\d{{1,2}})(?:\.|º|er|st|nd|rd|th)?\s+(?:de\s+)?({_MONTH_NAMES})\.?,?\s+(?:de\s+)?"
    rf"(\d{{4}})\b", re.I)
_ISO_DAY_RE = re.compile(r"\b((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})\b")


def parse_printed_date(text: str, default_tz: tzinfo = UTC) -> datetime | None:
    """The first unambiguous date printed in `text` ("Monday, November 18th,
    2019", "30. Juli 2018", "22 de outubro de 2010", "2016.12.01"), at 00:00
    in `default_tz`; None if there is none (numeric dates such as 05/10/2018,
    whose order depends on the country, are not read)."""
    found: list[tuple[int, int, int, int]] = []  # (position, year, month, day)
    for match in _MONTH_FIRST_RE.finditer(text):
        found.append((match.start(), int(match.group(3)),
                      _MONTHS[match.group(1).lower()], int(match.group(2))))
    for match in _DAY_FIRST_RE.finditer(text):
        found.append((match.start(), int(match.group(3)),
                      _MONTHS[match.group(2).lower()], int(match.group(1))))
    for match in _ISO_DAY_RE.finditer(text):
        found.append((match.start(), int(match.group(1)), int(match.group(2)),
                      int(match.group(3))))
    for _, year, month, day in sorted(found):
        try:
            return datetime(year, month, day, tzinfo=default_tz)
        except ValueError:
            continue
    return None


def iso_moment(value: str | None) -> datetime | None:
    """An ISO 8601 / W3C datetime as machines write it (a sitemap's <lastmod>, a
    WARC-Date); one without an offset, a bare date too, is UTC. None when unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
