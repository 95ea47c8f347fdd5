"""Each format loads to plain text with metadata; broken files give a clear LoaderError."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from index.loaders import LoaderError, iter_corpus, load_bytes, load_path, make_doc_id
from index.text.sentences import split_sentences

CORPUS = Path(__file__).resolve().parents[3] / "corpus"


def make_pdf(lines: list[str]) -> bytes:
    """A real one-page PDF with the given text lines (Helvetica)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=612, height=792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    commands = ["BT /F1 12 Tf 72 720 Td 14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        commands.append(f"({escaped}) Tj T*")
    commands.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(commands).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_default_corpus_document_is_verbatim_with_sidecar_metadata() -> None:
    path = CORPUS / "unesco-ichei-iioe-central-asia.txt"
    document = load_path(path, CORPUS)
    assert document.text == path.read_text(encoding="utf-8")
    assert document.title == "UNESCO-ICHEI introduced IIOE to Central Asian countries"
    assert document.lang == "en"
    assert document.metadata["publisher"] == "UNESCO-ICHEI"
    assert document.doc_id == "unesco-ichei-iioe-central-asia.txt"
    assert [p.name for p in iter_corpus(CORPUS)] == ["unesco-ichei-iioe-central-asia.txt"]


def test_english_full_of_latin_names_is_english() -> None:
    data = b"Marcus Aurelius Antoninus and Lucius Verus ruled the Roman Empire from Rome."
    assert load_bytes(data, "emperors.txt").lang == "en"


def test_plain_text_with_front_matter() -> None:
    data = b"---\ntitle: Almaty notes\nlang: en\ntags: [ict, education]\n---\nFirst line.\nMore."
    document = load_bytes(data, "notes.txt")
    assert document.title == "Almaty notes"
    assert document.text == "First line.\nMore."
    assert document.metadata == {"tags": ["ict", "education"]}


def test_markdown_loses_markup_and_keeps_blocks() -> None:
    data = (
        b"# The IIOE\n\nThe **International Institute** of [Online Education](http://x.org).\n\n"
        b"- first item\n- second item\n\n```\ncode block\n```\n"
    )
    document = load_bytes(data, "iioe.md")
    assert document.title == "The IIOE"
    assert document.text == (
        "The IIOE\n\nThe International Institute of Online Education.\n\n"
        "first item\n\nsecond item\n\ncode block"
    )


def test_html_keeps_visible_text_one_block_a_line() -> None:
    data = (
        b"<!doctype html><html><head><title>CASIE 2022</title><style>p{color:red}</style>"
        b"<script>alert(1)</script></head><body><h1>Symposium</h1>"
        b"<p>Held in <b>Almaty</b>, Kazakhstan.</p><ul><li>One</li><li>Two</li></ul>"
        b"<!-- hidden --></body></html>"
    )
    document = load_bytes(data, "page.html")
    assert document.title == "CASIE 2022"
    assert document.text == "Symposium\nHeld in Almaty, Kazakhstan.\nOne\nTwo"


def test_pdf_text_and_page_offsets() -> None:
    document = load_bytes(make_pdf(["IIOE National Center", "in Uzbekistan."]), "report.pdf")
    assert "IIOE National Center" in document.text
    assert "Uzbekistan" in document.text
    assert document.metadata["page_starts"] == [0]


def test_a_sentence_running_on_to_the_next_page_stays_one_sentence() -> None:
    writer = PdfWriter()
    pages = [
        ["Keeper's log", "The keeper wrote that the lamp of the lighthouse was lit every night of"],
        ["the long winter of 1952 by his daughter.", "Visitors", "The museum opens in May."],
    ]
    for lines in pages:
        writer.append(PdfReader(io.BytesIO(make_pdf(lines))))
    buffer = io.BytesIO()
    writer.write(buffer)
    document = load_bytes(buffer.getvalue(), "log.pdf")
    second = document.metadata["page_starts"][1]
    assert document.text[second:].startswith("the long winter")
    sentences = [document.text[s.start : s.end] for s in split_sentences(document.text)]
    assert "night of\nthe long winter of 1952 by his daughter." in sentences[1]
    assert sentences[2:] == ["Visitors", "The museum opens in May."]


def test_legacy_cyrillic_encoding_is_detected() -> None:
    text = (
        "Международный институт онлайн-образования (IIOE) был представлен странам "
        "Центральной Азии на симпозиуме в Алматы."
    )
    for encoding in ("cp1251", "koi8_r"):
        assert load_bytes(text.encode(encoding), "ru.txt").text == text


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "empty.txt", "empty"),
        (b"   \n\t ", "blank.md", "empty"),
        (bytes(range(256)) * 8, "junk.txt", "binary"),
        (b"\x00\x01\x02binary\x00", "junk.md", "binary"),
        ("Привет".encode("cp1251"), "short.txt", "undecodable"),
        (b"%PDF-1.7\nthis is not really a pdf", "broken.pdf", "unparseable"),
        (b"plain words", "fake.pdf", "unsupported_type"),
        (b"data", "table.xlsx", "unsupported_type"),
        (b"---\ntitle: [unclosed\n---\nbody", "bad.md", "bad_metadata"),
        (b"<html><body><script>only()</script></body></html>", "empty.html", "no_text"),
    ],
)
def test_broken_files_give_a_clear_error(data: bytes, name: str, code: str) -> None:
    with pytest.raises(LoaderError) as caught:
        load_bytes(data, name)
    assert caught.value.code == code
    assert caught.value.message


def test_pdf_named_txt_is_read_as_pdf() -> None:
    document = load_bytes(make_pdf(["Hidden inside a text name."]), "notes.txt")
    assert "Hidden inside a text name." in document.text


def test_doc_ids_are_safe() -> None:
    assert make_doc_id("../../etc/passwd") == "etc--passwd"
    assert make_doc_id("Отчёт 2022.pdf") == "отчёт-2022.pdf"
    assert make_doc_id("sub/dir/File Name.md") == "sub--dir--file-name.md"
