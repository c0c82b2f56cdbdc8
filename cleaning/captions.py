"""Captions and photo credits."""

from __future__ import annotations

import re

_AGENCIES = (
    r"AFP|Reuters|AP|EPA|Getty|Getty Images|SPA|WAM|KUNA|Xinhua|dpa|DPA|Anadolu|"
    r"Asharq Al-Awsat|SANA|IRNA|UPI|Bloomberg|Shutterstock"
)
# The credit is the trailing bracketed agency: "(AFP Photo)", "(Reuters)",
# "(AP Photo/Hussein Malla)", "(Photo: Reuters)".
_CREDIT_RE = re.compile(
    r"\(\s*(?P<credit>(?:Photo:?\s*)?(?:" + _AGENCIES + r")\b[^()]{0,60}"
    r"|[^()]{0,40}\b(?:Photo|Photograph|Image|Picture|Credit|Foto|Bild)s?\b[^()]{0,40})"
    # `\s*[.]?\s*$` tried every split of a run of spaces: quadratic on a long one.
    r"\s*\)\s*(?:\.\s*)?$",
    re.I,
)


def split_credit(text: str) -> tuple[str, str | None]:
    """("caption text", "AFP Photo") from "caption text (AFP Photo)"."""
    match = _CREDIT_RE.search(text)
    if not match:
        return text, None
    return text[: match.start()].rstrip(), match.group("credit").strip()


CREDIT_LINE_CHARS = 400  # a caption in a plain <p> is no longer than this


def looks_like_credit_line(text: str) -> bool:
    """A short paragraph that ends in a credit: a caption put in a plain <p>."""
    return len(text) <= CREDIT_LINE_CHARS and _CREDIT_RE.search(text) is not None
