"""The docs are executable: every `sh` block of README.md and docs/*.md is run
by the suite (Sybil collects them: see the root conftest.py), in a fresh
folder per document, with this checkout's `archive` and `prefect` first on
the PATH and no Prefect server given (the commands start their own).

- A block passes when every command in it exits 0 (bash -e), and the
  `output` block that may follow it names lines its output holds (each
  non-blank line of it, in order; `...` stands for lines left out).
- A block that is a synopsis or needs what a test cannot have (the real
  archive, a shell that stays open) is marked before it:
  `<!-- skip: next "why" -->`. `test_docs_examples.py` counts both kinds.
- After each block, the block's process group must be empty: no process a
  documented command started outlives it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sybil import Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, SkipParser

from tests.support import left_behind

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BLOCK_TIMEOUT_S = 600
DOCUMENTS = ["README.md", "docs/*.md"]


@dataclass
class BlockRun:
    command: str
    returncode: int
    output: str


def _environment(folder: Path) -> dict[str, str]:
    from tests.prefect_stack import migrated_database

    home = folder / ".prefect"
    home.mkdir()
    shutil.copyfile(migrated_database(), home / "prefect.db")  # a first start in 3 s, not 9
    kept = {k: v for k, v in os.environ.items()
            if not k.startswith(("PREFECT_", "ARCHIVE_")) and k != "CI"}
    return {**kept, "PATH": f"{BIN}{os.pathsep}{kept.get('PATH', '')}", "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "ARCHIVE_HOME": str(ROOT),
            "COLUMNS": "100", "NO_COLOR": "1"}


def setup(namespace: dict[str, Any]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="docs-"))
    shutil.copyfile(ROOT / "sites.yaml", folder / "sites.yaml")  # what a clone has
    namespace.update(folder=folder, env=_environment(folder), last=None)


def teardown(namespace: dict[str, Any]) -> None:
    shutil.rmtree(namespace["folder"], ignore_errors=True)


def run_block(example: Example) -> str | None:
    namespace = example.namespace
    command = str(example.parsed)
    process = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", command],
                               cwd=namespace["folder"], env=namespace["env"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=BLOCK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return f"still running after {BLOCK_TIMEOUT_S} s:\n{command}\n{output[-3000:]}"
    namespace["last"] = BlockRun(command, process.returncode, output)
    left = left_behind(process.pid, namespace["env"]["PREFECT_HOME"])
    if left:
        os.killpg(process.pid, signal.SIGKILL)
        return f"processes outlived the block:\n{command}\n" + "\n".join(left)
    if process.returncode != 0:
        return f"exit {process.returncode}:\n{command}\n{output[-3000:]}"
    return None


def check_output(example: Example) -> str | None:
    last: BlockRun | None = example.namespace["last"]
    if last is None:
        return "an output block with no command before it"
    lines = [line.strip() for line in str(example.parsed).splitlines() if line.strip()]
    seen = [" ".join(line.split()) for line in last.output.splitlines()]
    position = 0
    for wanted in lines:
        if wanted == "...":
            continue
        wanted = " ".join(wanted.split())
        found = next((i for i in range(position, len(seen)) if wanted in seen[i]), None)
        if found is None:
            return f"{last.command!r} did not print {wanted!r} (in order); it printed:\n" + \
                last.output[-3000:]
        position = found + 1
    return None


def sybil_collector() -> Any:
    return Sybil(parsers=[CodeBlockParser("sh", run_block), CodeBlockParser("output", check_output),
                          SkipParser()],
                 path=str(ROOT), patterns=DOCUMENTS, setup=setup, teardown=teardown).pytest()
