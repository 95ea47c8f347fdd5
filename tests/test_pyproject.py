"""Packaging metadata: the licence as an SPDX expression, which setuptools 77 and later
read (the table form warned at every install and stops working in 2027)."""

from __future__ import annotations

import tomllib
from importlib import metadata

from tests.conftest import REPO


def test_the_licence_is_an_spdx_expression() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["license"] == "Apache-2.0"
    assert "setuptools>=77" in project["build-system"]["requires"]
    assert metadata.metadata("citeqa")["License-Expression"] == "Apache-2.0"
