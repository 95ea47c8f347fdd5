"""Hostile documents: alias bombs, deep nesting, element floods, lone surrogates and links
out of the corpus are refused with a LoaderError that says why (or, for surrogates in
content, repaired), never a RecursionError or a blow-up in memory."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from index.loaders import LoaderError, load_bytes, load_path
from index.loaders.limits import LoaderLimits

BODY = "The Velsa river is 42 kilometres long.\n"


def alias_bomb(levels: int) -> str:
    """Front matter whose aliases expand to 9**levels scalars (313 bytes for 7 levels)."""
    names = "abcdefghij"
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in itertools.pairwise(names[:levels]):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\n---\n" + BODY


def deep_yaml(depth: int) -> str:
    return "---\nx: " + "[" * depth + "]" * depth + "\n---\n" + BODY


def deep_html(depth: int) -> str:
    return "<html><body>" + "<div>" * depth + "deep text" + "</div>" * depth + "</body></html>"


def refused(data: str | bytes, name: str, limits: LoaderLimits | None = None) -> LoaderError:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(LoaderError) as caught:
        load_bytes(raw, name, limits=limits)
    return caught.value


@pytest.mark.parametrize("name", ["bomb.md", "bomb.txt"])
def test_a_yaml_alias_bomb_is_refused_before_it_expands(name: str) -> None:
    assert len(alias_bomb(7)) < 400
    error = refused(alias_bomb(7), name)
    assert error.code == "front_matter_too_large"
    assert "10000" in error.message.replace(",", "")


def test_aliases_within_the_bound_load() -> None:
    document = load_bytes(alias_bomb(3).encode(), "small.md")  # 9 + 81 + 729 scalars
    assert len(document.metadata["c"]) == 9
    assert document.metadata["c"][0][0] == ["lol"] * 9
    error = refused(alias_bomb(3), "small.md", LoaderLimits(max_front_matter_nodes=500))
    assert error.code == "front_matter_too_large"


def test_a_self_referring_alias_is_refused() -> None:
    assert refused("---\nx: &a [1, *a]\n---\n" + BODY, "loop.md").code == "bad_metadata"


@pytest.mark.parametrize("depth", [40, 3_000, 100_000])
def test_deep_front_matter_is_refused(depth: int) -> None:
    error = refused(deep_yaml(depth), "deep.md")
    assert error.code == "too_deep"
    assert "32" in error.message


def test_front_matter_at_the_depth_bound_loads() -> None:
    document = load_bytes(deep_yaml(31).encode(), "ok.md")
    assert document.text == BODY.strip()


@pytest.mark.parametrize(
    "front_matter",
    ["x: 1" + "1" * 5_000, "x: 2020-13-45", "x: 2021-02-30 10:00:00", "x: !!python/name:os.system"],
)
def test_front_matter_values_that_cannot_be_built_are_bad_metadata(front_matter: str) -> None:
    assert refused(f"---\n{front_matter}\n---\n" + BODY, "values.md").code == "bad_metadata"


def test_deep_html_is_refused_and_html_within_the_bound_loads() -> None:
    error = refused(deep_html(3_000), "deep.html")
    assert error.code == "too_deep"
    assert "256" in error.message
    assert load_bytes(deep_html(200).encode(), "ok.html").text == "deep text"


def test_an_html_element_flood_is_refused() -> None:
    flood = "<html><body>" + "<b>x</b>" * 2_000 + "</body></html>"
    error = refused(flood, "flood.html", LoaderLimits(max_html_elements=1_000))
    assert error.code == "too_many_elements"
    assert "1000" in error.message.replace(",", "")
    assert len(load_bytes(flood.encode(), "flood.html").text) == 2_000


def test_lone_surrogates_in_a_document_become_replacement_characters() -> None:
    data = '---\ntitle: "Velsa \\ud800"\ntags: ["\\udc00"]\n---\n' + BODY
    document = load_bytes(data.encode(), "s.md")
    assert document.title == "Velsa \ufffd"
    assert document.metadata["tags"] == ["\ufffd"]
    document.title.encode("utf-8")


def test_a_sidecar_is_read_with_the_same_bounds(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(BODY, "utf-8")
    (tmp_path / "a.txt.meta.yaml").write_text(alias_bomb(7).split("---")[1], "utf-8")
    with pytest.raises(LoaderError) as caught:
        load_path(tmp_path / "a.txt", tmp_path)
    assert caught.value.code == "front_matter_too_large"


def test_a_link_out_of_the_corpus_is_not_followed(tmp_path: Path) -> None:
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("The vault code is 0451.", "utf-8")
    (corpus / "inside.txt").write_text(BODY, "utf-8")
    os.symlink(outside / "secret.txt", corpus / "secret.txt")
    os.symlink(corpus / "inside.txt", corpus / "alias.txt")
    with pytest.raises(LoaderError) as caught:
        load_path(corpus / "secret.txt", corpus)
    assert caught.value.code == "outside_corpus"
    assert load_path(corpus / "alias.txt", corpus).text == BODY
    (corpus / "inside.txt.meta.yaml").symlink_to(outside / "secret.txt")
    with pytest.raises(LoaderError) as sidecar:
        load_path(corpus / "inside.txt", corpus)
    assert sidecar.value.code == "outside_corpus"
