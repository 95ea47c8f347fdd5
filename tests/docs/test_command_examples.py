"""Shell examples too long or too heavy to run here (`make serve`, a deployment, the full
benchmarks), checked against the real parsers: each `citeqa` command and option exists,
each benchmark accepts its arguments, each make target and extra exists, and each
`CITEQA_` value is one its setting accepts. Where a test runs the same commands, it is
named in the list below."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import typer.main
from typer.core import TyperGroup

from api.cli import cli
from docs.settings_table import variables
from tests.conftest import REPO
from tests.docs.examples import Command, commands, example

CHECKED = {
    "readme-make": "tests/docs/test_cli_examples.py runs `make -n` on each target",
    "readme-llm": "tests/llm/test_chat_models.py runs both backends",
    "llm-llamacpp": "tests/llm/test_chat_models.py::test_llamacpp_backend_runs_in_process",
    "llm-openai": "tests/llm/test_chat_models.py::test_openai_backend_streams_from_llama_server",
    "cors": "tests/api/test_cors.py, tests/widget/test_widget.py",
    "config-env": "",
    "scale-install": "",
    "scale-replicas": "tests/api/test_replicas.py runs these commands",
    "ops-keys": "tests/api/http/test_auth.py",
    "ops-load": "tests/bench/test_load.py",
    "bench-quality": "tests/bench/quality/test_main.py runs it on SQuAD slices",
    "bench-speed": "tests/bench/test_speed.py runs it on a SQuAD slice",
    "bench-soak": "tests/bench/test_soak.py runs it for 30 s",
    "bench-reader": "tests/bench/quality/test_main.py runs it on SQuAD slices",
    "bench-index-speed": "",
    "bench-index-speed-runs": "",
    "bench-index-memory": "tests/bench/test_index_memory.py runs it on a SQuAD slice",
    "bench-ray-build": "tests/bench/test_ray_build.py runs it on a SQuAD slice",
    "bench-vector-ablation": "",
    "bench-cross-lingual-ceiling": "tests/bench/test_cross_lingual_ceiling.py runs it on a slice",
    "bench-startup": "",
    "bench-follow-ups": "",
    "bench-corpora": "",
    "bench-split-abstention": "tests/bench/test_split_abstention.py",
    "bench-same-language": "tests/bench/tuning/test_same_language.py runs it on a slice",
    "train-reader": "tests/train/test_reader_training.py trains on a small slice",
    "train-question-encoder": "tests/train/test_question_encoder_training.py trains on a tiny set",
    "ray-deployment": "tests/index/ray/test_ray_build.py indexes on a local Ray cluster",
    "eval-runs": "tests/api/cli/test_eval_cmd.py runs these commands",
    "cli-synopsis": "",
}
VENV_PYTHON = (".venv/bin/python", "python", "python3")


class ParsedError(Exception):
    """Raised by a benchmark's argument parser once it has accepted the arguments."""


def check_citeqa(argv: list[str]) -> None:
    group = typer.main.get_command(cli)
    assert isinstance(group, TyperGroup)
    command = group.commands.get(argv[0])
    assert command is not None, f"citeqa has no command {argv[0]!r}"
    command.make_context(argv[0], list(argv[1:]))  # raises on an unknown or bad option


def check_bench(module: str, args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the script's own argument parsing on `args`, and stop there."""
    original = argparse.ArgumentParser.parse_args

    def parse_then_stop(self: argparse.ArgumentParser, *a: object, **k: object) -> None:
        original(self, *a, **k)
        raise ParsedError

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
    monkeypatch.setattr(sys, "argv", [module, *args])
    main: Callable[[], object] = importlib.import_module(runs(module)).main
    with pytest.raises(ParsedError):
        main()


def runs(module: str) -> str:
    """The module `python -m module` runs: a package's `__main__`, else `module` itself."""
    spec = importlib.util.find_spec(module)
    assert spec is not None, f"no module {module}"
    return f"{module}.__main__" if spec.submodule_search_locations is not None else module


def check_python(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    if argv[0] == "-m" and argv[1].startswith(("bench.", "train.")):
        check_bench(argv[1], argv[2:], monkeypatch)
    elif argv[0].startswith("bench/") and argv[0].endswith(".py"):
        check_bench(argv[0].removesuffix(".py").replace("/", "."), argv[1:], monkeypatch)
    elif argv[0] == "-m":
        assert importlib.util.find_spec(argv[1]) is not None, f"no module {argv[1]}"
    else:
        raise AssertionError(f"no check for python {argv}")


def make_targets() -> set[str]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))


def extras() -> set[str]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return set(pyproject["project"]["optional-dependencies"])


def check_settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CITEQA_ variable is a setting, and its value is one the setting accepts."""
    known = variables()
    for name, value in env.items():
        if not name.startswith("CITEQA_"):
            continue
        assert name in known, f"{name} is no setting"
        monkeypatch.setenv(name, "key-from-the-shell" if value.startswith("$") else value)
    for class_path in {known[name][0] for name in env if name in known}:
        module, _, cls = class_path.rpartition(".")
        getattr(importlib.import_module(module), cls)()  # raises on a bad value


def check_pip(args: list[str]) -> None:
    """`pip install -e '.[EXTRAS]'` (a checkout) or `pip install 'citeqa[EXTRAS]'`."""
    if args[:2] == ["install", "-e"]:
        package = args[2].removeprefix(".")
    else:
        assert args[0] == "install", args
        assert args[1].startswith("citeqa["), args
        package = args[1].removeprefix("citeqa")
    wanted = set(re.findall(r"\w+", package.removeprefix("[").removesuffix("]")))
    assert wanted <= extras(), wanted - extras()


def check_ray(args: list[str]) -> None:
    """`ray start ...`: the `ray` extra installs the command; where Ray is installed, its own
    parser accepts the options."""
    assert "ray" in extras()
    assert args[0] == "start", args
    if importlib.util.find_spec("ray") is None:
        return
    scripts = importlib.import_module("ray.scripts.scripts")
    scripts.start.make_context("start", list(args[1:]))


def check_command(command: Command, monkeypatch: pytest.MonkeyPatch) -> None:
    check_settings(command.env, monkeypatch)
    program, *args = command.argv
    if program in ("citeqa", ".venv/bin/citeqa"):
        check_citeqa(args)
    elif program in VENV_PYTHON:
        check_python(args, monkeypatch)
    elif program == "make":
        assert set(args) <= make_targets(), args
    elif program == "pip":
        check_pip(args)
    elif program == "ray":
        check_ray(args)
    elif program == "openssl":
        pass
    else:
        raise AssertionError(f"no check for {program}")


@pytest.mark.parametrize("example_id", sorted(CHECKED))
def test_command_example_parses(example_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    block = example(example_id)
    if example_id == "cli-synopsis":
        lines = block.text.splitlines()
        block_commands = [Command({}, synopsis_words(line)) for line in lines]
    else:
        block_commands = commands(block)
    assert block_commands
    for command in block_commands:
        with monkeypatch.context() as patch:
            check_command(command, patch)


def synopsis_words(line: str) -> list[str]:
    """A usage line as words to parse: `citeqa ask "QUESTION" [--top-k N]` -> citeqa ask
    QUESTION --top-k 1 (a placeholder N becomes 1; other placeholders stay as text)."""
    program, name, *rest = line.split()
    words = [program, name]
    if rest and not rest[0].startswith("["):
        words.append(rest[0].strip('"'))
    for option, value in re.findall(r"(--[a-z-]+)(?:[ =]([A-Z0-9.][A-Za-z0-9.=_@]*))?", line):
        words += [option, "1" if value == "N" else value] if value else [option]
    return words


def test_the_bundled_model_path_command_prints_a_file() -> None:
    """The command substitution of "llm-openai" names the GGUF file llama.cpp serves."""
    inner = re.search(r'"\$\((.+?)\)"', example("llm-openai").text)
    assert inner is not None
    script = inner.group(1).replace(".venv/bin/python", sys.executable)
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_file()
