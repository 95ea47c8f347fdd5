"""Document ids: readable in any script, stable, and unique within a corpus.

Latin letters with diacritics lose them (`Kraków` -> `krakow.md`, as ids always did), but
letters of other scripts are kept as they are (`Отчёт 2022.pdf` -> `отчёт-2022.pdf`), so a
corpus of Russian or Kazakh file names does not collapse onto a few ASCII ids. Where two
names still give one id (`a b.md` and `a-b.md`), `unique_doc_ids` tells them apart by a
short hash of the name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator

_SEPARATORS = re.compile(r"[^\w.-]+")
DISAMBIGUATOR = "~"


def readable_text(name: str) -> str:
    """`name` with Latin letters folded to ASCII (`ó` -> `o`, `ﬁ` -> `fi`), letters and
    digits of other scripts kept, and other characters beyond ASCII left out (as ids
    always left them: `Don’t` -> `Dont`)."""
    return "".join(_readable_chars(unicodedata.normalize("NFC", name)))


def _readable_chars(name: str) -> Iterator[str]:
    for char in name:
        folded = unicodedata.normalize("NFKD", char)
        if folded[0].isascii():
            # ASCII, a Latin letter with marks, a ligature or a full-width form
            yield folded.encode("ascii", "ignore").decode()
        elif char.isalnum():
            yield char


def make_doc_id(name: str) -> str:
    """A stable id from a relative path or file name: lower case, `/` as `--`, any run of
    other characters than letters, digits, `.`, `_` and `-` as one `-`."""
    text = _SEPARATORS.sub("-", readable_text(name.replace("/", "--")))
    return text.strip("-.").lower()[:200] or "document"


def disambiguated(doc_id: str, name: str) -> str:
    """`doc_id` with a short hash of the `name` it was made from: `a-b.md~3f2a9c1d`."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{doc_id}{DISAMBIGUATOR}{digest}"


def unique_doc_ids(names: Iterable[str]) -> dict[str, str]:
    """`make_doc_id` of each distinct name; where several names give the same id, each of
    them gets its hash appended, except a name that is its own id (`a-b.md`), which keeps
    it. So an id changes only when another name comes to share it."""
    by_id: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        by_id.setdefault(make_doc_id(name), []).append(name)
    ids: dict[str, str] = {}
    for doc_id, sharing in by_id.items():
        for name in sharing:
            alone = len(sharing) == 1 or name == doc_id
            ids[name] = doc_id if alone else disambiguated(doc_id, name)
    return ids
