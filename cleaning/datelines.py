"""Datelines: the place a news body opens with ("Beirut, Asharq Al-Awsat—").

The body keeps the text as published; we only report the place.
"""

from __future__ import annotations

import re

# A word of a place name, its hyphenated parts included ("Al-Assad",
# "Saint-Denis"). A part is `[\w'’.]+`: `[A-Z]?[\w'’.]+` read the same parts
# two ways each, and a failed match tried them all (2^n on "A-AB-AB-...").
_PLACE_WORD = r"(?:[A-Z][\w'’.]*(?:-[\w'’.]+)*)"
_PLACE = rf"(?P<place>{_PLACE_WORD}(?:\s+(?:al-|Al-|el-|de\s|)?{_PLACE_WORD}){{0,3}})"
_DASH = r"[—–-]"
# Who filed it: the paper itself, or a wire service, with or without brackets.
_SOURCE = (
    r"(?:Asharq\s+Al-?\s*Awsat|\(?(?:Reuters|AFP|AP|dpa|DPA|KUNA|SPA|WAM|UPI|Xinhua|"
    r"Asharq\s+Al-Awsat)\)?)"
)

# "Beirut, Asharq Al-Awsat—", "Jeddah, Asharq Al-Awsat – ", "WASHINGTON, (Reuters) –",
# "CAIRO (AP) —": a source is named, so any dash will do.
_WITH_SOURCE_RE = re.compile(rf"^{_PLACE},?\s*{_SOURCE}\s*{_DASH}+\s*")
# "London – ": no source, so the dash must stand apart from the words, else
# "Al-Assad said" would read as a dateline.
_SPACED_DASH_RE = re.compile(rf"^{_PLACE},?\s+{_DASH}{{1,2}}\s+")
# "BEIRUT—": a place in capitals may touch an em or en dash.
_CAPS_RE = re.compile(r"^(?P<place>[A-Z][A-Z'’.]+(?:[ -][A-Z][A-Z'’.]+){0,3}),?\s*[—–]\s*")


def find_dateline(first_block: str) -> str | None:
    """The place of the dateline the body opens with, or None."""
    head = first_block[:120]
    for pattern in (_WITH_SOURCE_RE, _SPACED_DASH_RE, _CAPS_RE):
        match = pattern.match(head)
        if match and len(match.group("place")) <= 40:
            return match.group("place").strip()
    return None
