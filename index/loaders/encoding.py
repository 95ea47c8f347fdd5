"""Bytes to text: UTF-8 first, then a detected legacy encoding only when detection is sure."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from index.loaders.errors import LoaderError

# Share of characters that may be control characters (other than tab, CR, LF, FF) before
# the bytes are taken for binary data rather than text.
_MAX_CONTROL_SHARE = 0.01
# charset-normalizer's "chaos" (mess) ratio above which a detected encoding is not trusted.
_MAX_CHAOS = 0.1
# Below this many bytes, legacy-encoding detection guesses (six Cyrillic letters in
# Windows-1251 come out as Big5), so short non-UTF-8 input is refused instead.
_MIN_DETECT_BYTES = 64


def decode_text(data: bytes) -> str:
    """Decode `data` as text or raise LoaderError("undecodable" | "binary")."""
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LoaderError("binary", "the file holds binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_detected(data)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise LoaderError("binary", "the file holds binary data, not text")
    return text


def _decode_detected(data: bytes) -> str:
    best = from_bytes(data).best() if len(data) >= _MIN_DETECT_BYTES else None
    if best is None or best.chaos > _MAX_CHAOS:
        raise LoaderError(
            "undecodable",
            "the text is not UTF-8 and its encoding could not be detected with confidence",
        )
    return str(best)


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return controls / len(text)
