"""llama.cpp's OpenAI-compatible server (`python -m llama_cpp.server`) on a loopback port,
with SmolLM2-135M-Instruct by default: the real model of the LLM tests and benches."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.lib.server_process import free_port
from qa.llm.llamacpp import default_model_path
from qa.settings import QASettings

MODEL_NAME = "smollm2-135m-instruct"


class LlamaServer:
    """`python -m llama_cpp.server` in a child process."""

    def __init__(self, model: Path | None = None, threads: int = 1) -> None:
        """One thread by default: beside a busy citeqa process, llama.cpp's threads spin and
        wait on each other (32 tokens took 72 s with two threads on two busy cores, 15 s
        with one)."""
        self.model = model or default_model_path()
        self.threads = threads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> LlamaServer:
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model),
            "--model_alias", MODEL_NAME,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", "4096",
            "--n_threads", str(self.threads),
        ]  # fmt: skip
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not start in {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-4000:]

    def settings(self, **overrides: object) -> QASettings:
        """citeqa settings that answer through this server (CITEQA_LLM=openai)."""
        return self.settings_for(self.url, **overrides)

    @staticmethod
    def settings_for(url: str, **overrides: object) -> QASettings:
        """citeqa settings that answer through the OpenAI-compatible server at `url`."""
        values: dict[str, object] = {
            "llm": "openai",
            "llm_base_url": url,
            "llm_model": MODEL_NAME,
            "llm_timeout": 300.0,  # shared CI cores can be slow; a timeout has its own test
            "llm_max_tokens": 64,
            "llm_passages": 3,
        }
        return QASettings.model_validate({**values, **overrides})
