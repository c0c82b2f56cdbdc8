"""Bytes to text without mojibake: BOM, then a declared charset that actually
decodes the bytes, then UTF-8, then detection."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

from .errors import ExtractionError

MAX_PAGE_BYTES = 25 * 1024 * 1024  # larger pages are refused, not parsed for minutes


def decode_html(raw: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode page bytes. `declared` is the HTTP Content-Type charset, if any.

    Returns the text and the warnings (a declared charset that did not fit,
    undecodable bytes replaced).
    """
    warnings: list[str] = []
    bom_encoding, bom = read_bom(raw)
    if bom_encoding and bom:
        return raw[len(bom):].decode(bom_encoding, errors="replace"), warnings

    candidates = [declared, html_body_declared_encoding(raw)]
    for name in candidates:
        encoding = resolve_encoding(name) if name else None
        if not encoding:
            continue
        try:
            return raw.decode(encoding), warnings
        except (UnicodeDecodeError, LookupError):
            warnings.append(f"declared charset {name!r} does not decode the page")

    try:
        return raw.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw[:200_000]).best()
    if best is not None and best.encoding:
        encoding = best.encoding
        warnings.append(f"charset detected as {encoding}")
    else:
        encoding = "utf-8"
        warnings.append("charset unknown; undecodable bytes replaced")
    return raw.decode(encoding, errors="replace"), warnings


def ensure_text(html: str | bytes, url: str) -> tuple[str, list[str]]:
    """Validate and decode any input `extract_article` accepts."""
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
        text, warnings = decode_html(html)
    else:
        text, warnings = html, []
    if not text.strip():
        raise ExtractionError("empty page", url)
    if "<" not in text[:100_000]:
        raise ExtractionError("not HTML: no markup", url)
    return text, warnings


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:4096]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return controls > len(sample) // 10
