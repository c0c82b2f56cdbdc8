"""Bytes to text without mojibake: BOM, then a declared charset that actually
decodes the bytes, then UTF-8, then detection; and the limits a page must
be within to be parsed at all.

What a page may cost the cleaner is bounded before it is parsed, by its
size and by its number of elements: bytes alone do not bound it (24 MB of
`<div>x</div>` are two million elements, which took 189 s and 5.5 GB).
Every step after the parse is linear in the page (see tree.py), so a page
within both limits costs at most a few seconds and a few hundred MB:

- MAX_PAGE_BYTES: 25 MiB of bytes or characters, which also bounds the
  text (the longest test page, 20 MB of paragraphs, is cleaned in seconds).
- MAX_ELEMENTS: 100,000 tag openings (`<` not followed by `/`: elements,
  comments, doctype; text runs sit between them, so their count is bounded
  too), counted on the decoded text with `str.count`. The 95 benchmark pages
  have at most 1,800 (55 times fewer), the replica's and the recorded
  WordPress pages under 300, the 20 MB test page 20,000; a page at the
  limit takes seconds and a few hundred MB (bench/cleaner_hostile.py).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

from .errors import ExtractionError

_NOT_TEXT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The bytes that start the UTF-8 form (surrogates encoded "surrogatepass")
# of what _NOT_TEXT_RE finds: its C0 controls, \xed (surrogates, and Hangul
# syllables) and \xef (U+FFFE, U+FFFF, and the rest of U+F000-U+FFFF). A
# page with none of them has nothing to replace.
_NOT_TEXT_LEAD_BYTES = bytes([*range(9), 11, 12, *range(14, 32), 0xED, 0xEF])
MAX_PAGE_BYTES = 25 * 1024 * 1024  # larger pages are refused, not parsed for minutes
MAX_ELEMENTS = 100_000  # tag openings; a page with more is refused before the parse


def decode_html(raw: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode page bytes. `declared` is the HTTP Content-Type charset, if any.

    Returns the text and the warnings (a declared charset that did not fit,
    undecodable bytes replaced).
    """
    warnings: list[str] = []
    bom_encoding, bom = read_bom(raw)
    if bom_encoding and bom:
        return raw[len(bom):].decode(bom_encoding, errors="replace"), warnings

    # The HTTP header first (authoritative when it decodes), then the page's own.
    candidates = [declared, html_body_declared_encoding(raw)]
    for name in candidates:
        encoding = resolve_encoding(name) if name else None
        if not encoding:
            continue
        if not _ascii_compatible(encoding):  # EBCDIC and the like "decode" anything
            warnings.append(f"declared charset {name!r} cannot be an HTML page's; ignored")
            continue
        try:
            return raw.decode(encoding), warnings
        except (UnicodeError, LookupError, ValueError):  # punycode, "undefined", ...
            warnings.append(f"declared charset {name!r} does not decode the page")

    try:
        return raw.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    encoding = guess_single_byte_charset(raw) or _detect_multi_byte(raw)
    if encoding:
        warnings.append(f"charset detected as {encoding}")
    else:
        encoding = "utf-8"
        warnings.append("charset unknown; undecodable bytes replaced")
    return raw.decode(encoding, errors="replace"), warnings


_MARKUP_PROBE = b'<html lang="en"><meta charset=x></html>'


def _ascii_compatible(encoding: str) -> bool:
    """Whether HTML's ASCII markup reads as itself in this encoding (a page
    whose tags would be garbage under it cannot have been written in it)."""
    try:
        return _MARKUP_PROBE.decode(encoding) == _MARKUP_PROBE.decode("ascii")
    except (UnicodeError, LookupError, ValueError):
        return False


# Legacy code pages a news page without a declared charset is likely in.
SINGLE_BYTE_CANDIDATES = ("cp1252", "cp1256", "cp1251", "cp1253", "cp1255", "cp1250", "cp1254")
_WORD_RE = re.compile(r"\w+")


def guess_single_byte_charset(raw: bytes, threshold: float = 0.9) -> str | None:
    """The Windows code page under which the page's non-ASCII words read as
    real words: Latin accents inside Latin words, or whole words in one other
    script. charset-normalizer cannot tell cp1252 from cp1256 on a page that
    is mostly ASCII markup."""
    sample = raw[:400_000]
    best, best_score = None, 0.0
    for encoding in SINGLE_BYTE_CANDIDATES:
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        non_ascii = sum(1 for ch in text if not ch.isascii())
        if not non_ascii:
            return None
        plausible = sum(_non_ascii_count(w) for w in _WORD_RE.findall(text)
                        if not w.isascii() and _plausible_word(w))
        score = plausible / non_ascii
        if score > best_score:
            best, best_score = encoding, score
    return best if best_score >= threshold else None


def _plausible_word(word: str) -> bool:
    scripts = {_script(ch) for ch in word if not ch.isascii()}
    if len(scripts) != 1 or None in scripts:
        return False
    script = scripts.pop()
    has_ascii_letters = any(ch.isascii() and ch.isalpha() for ch in word)
    if any(a.islower() and b.isupper() for a, b in zip(word, word[1:], strict=False)):
        return False  # "ЮЗбК": case flipping inside a word is a wrong code page
    if script == "LATIN":
        # "déclaré" mixes ASCII and accented letters; "ÇáÍßæãÉ" is Arabic misread.
        return has_ascii_letters or len(word) <= 2
    return not has_ascii_letters


def _non_ascii_count(word: str) -> int:
    return sum(1 for ch in word if not ch.isascii())


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    return name.split(" ")[0] if name else None


def _detect_multi_byte(raw: bytes) -> str | None:
    best = from_bytes(raw[:200_000]).best()
    return best.encoding if best is not None else None


def ensure_text(html: str | bytes, url: str,
                declared_charset: str | None = None) -> tuple[str, list[str]]:
    """Validate and decode any input `extract_article` accepts; `declared_charset`
    is the charset of the HTTP Content-Type header, if any."""
    if not isinstance(html, (str, bytes)):
        raise ExtractionError(f"expected str or bytes, got {type(html).__name__}", url)
    if len(html) > MAX_PAGE_BYTES:
        raise ExtractionError(
            f"page too large: {len(html) / 1e6:.1f} MB "
            f"over the {MAX_PAGE_BYTES / 1e6:.0f} MB limit",
            url,
        )
    if isinstance(html, bytes):
        if _looks_binary(html):
            raise ExtractionError("not HTML: binary content", url)
        text, warnings = decode_html(html, declared_charset)
    else:
        text, warnings = html, []
    text = without_controls(text)
    if not text.strip():
        raise ExtractionError("empty page", url)
    if "<" not in text[:100_000]:
        raise ExtractionError("not HTML: no markup", url)
    check_complexity(text, url)
    return text, warnings


def without_controls(text: str) -> str:
    """C0 controls and lone surrogates made spaces: they are never text, and
    lxml refuses them. Nearly every page has none, which a scan of its UTF-8
    form tells faster than the regex."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded.translate(None, _NOT_TEXT_LEAD_BYTES)) == len(encoded):
        return text
    return _NOT_TEXT_RE.sub(" ", text)


def count_elements(text: str) -> int:
    """Tag openings: every `<` that does not start an end tag (an upper bound
    on the elements, comments and text runs a parse of `text` makes)."""
    return text.count("<") - text.count("</")


def check_complexity(text: str, url: str = "") -> None:
    """ExtractionError for a page over MAX_ELEMENTS (see the module's notes)."""
    elements = count_elements(text)
    if elements > MAX_ELEMENTS:
        raise ExtractionError(
            f"page too complex: {elements:,} elements over the {MAX_ELEMENTS:,} limit", url)


# C0 controls but tab, newline, vertical tab, form feed and carriage return.
_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:4096]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) // 10
