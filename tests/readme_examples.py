"""Every `$ coursetrack ...` example in README.md, run for real and compared.

The examples run in order against one fresh store, as the walk-through says:
the clock pinned by COURSETRACK_NOW, an 80-column pipe, UTC. A console block
may change that for itself with an HTML comment on the line before its fence:

    <!-- readme-env: COLUMNS=120 COURSETRACK_NOW=2026-10-01T10:00:00 -->

`STDIN='y\n'` there answers a command's question (a terminal would echo it).

The blog post sample is checked the same way: a `<!-- readme-post: VAR=... intro.md='TEXT' -->`
line, then a block of `coursetrack` commands, then the post they print.

When a command's output changes on purpose, rewrite the README from real runs:

    python tests/readme_examples.py --update

and read the diff before committing it. tests/test_readme_examples.py fails,
with a diff, whenever the README and the program disagree.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

#: How the README's examples were made; the walk-through says so.
ENV = {"COURSETRACK_NOW": "2026-09-12T10:00:00", "COLUMNS": "80", "TZ": "UTC", "NO_COLOR": "1"}
_ENV_COMMENT = re.compile(r"^<!--\s*readme-env:(.*?)-->\s*$")
#: A block of the study-group section: several roles on a PostgreSQL server (readme_group.py).
_GROUP_COMMENT = re.compile(r"^<!--\s*readme-group\b.*-->\s*$")
_PROMPT = "$ coursetrack"


@dataclass
class Example:
    """One `$ coursetrack ...` line and the output lines under it (README line numbers)."""

    line: int
    command: str
    output: list[str]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def output_end(self) -> int:
        return self.line + 1 + len(self.output)


def examples(text: str) -> list[Example]:
    """The examples of every ```console block, in order; blank lines between
    examples belong to neither."""
    found: list[Example] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        if i and _GROUP_COMMENT.match(lines[i - 1]):  # run by readme_group, on a server
            i = lines.index("```", i + 1) + 1
            continue
        env: dict[str, str] = {}
        match = _ENV_COMMENT.match(lines[i - 1]) if i else None
        if match:
            env = dict(pair.split("=", 1) for pair in shlex.split(match.group(1)))
        i += 1
        current: Example | None = None
        while i < len(lines) and lines[i].strip() != "```":
            if lines[i].startswith("$ "):
                if not lines[i].startswith(_PROMPT + " ") and lines[i] != _PROMPT:
                    raise ValueError(f"README.md:{i + 1}: only coursetrack commands can be run")
                current = Example(i, lines[i][2:], [], env)
                found.append(current)
            elif current is not None:
                current.output.append(lines[i])
            i += 1
        for example in found:
            while example.output and not example.output[-1].strip():
                example.output.pop()
        i += 1
    return found


def _unescaped(text: str | None) -> str | None:
    return None if text is None else text.replace("\\n", "\n")


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    time.tzset()
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        time.tzset()


#: Makes a fresh, empty store and returns what COURSETRACK_DB should name (a path or URL).
NewStore = Callable[[], str]


def run(found: list[Example], new_store: NewStore | None = None) -> list[list[str]]:
    """Each example's output (stdout and stderr as a terminal shows them), in order,
    against one fresh store (a file in a temporary folder unless `new_store` makes one)."""
    from typer.testing import CliRunner

    from coursetrack.cli import app

    runner = CliRunner()
    outputs = []
    with tempfile.TemporaryDirectory() as tmp:
        db = new_store() if new_store else str(Path(tmp) / "coursetrack.db")
        store = {"COURSETRACK_DB": db}
        for example in found:
            env = {**ENV, **store, **example.env}
            answers = env.pop("STDIN", None)
            with _environment(env):
                result = runner.invoke(
                    app, shlex.split(example.command)[1:], env=env, input=_unescaped(answers)
                )
            if result.exception and not isinstance(result.exception, SystemExit):
                raise result.exception
            outputs.append([line.rstrip() for line in result.output.rstrip("\n").split("\n")])
    return outputs


_POST_MARK = re.compile(r"^<!--\s*readme-post:(.*?)-->\s*$")


def sample_post(text: str) -> Example | None:
    """The blog post sample: after a `<!-- readme-post: VAR=... intro.md='...' -->` line, a
    block of commands (a trailing `\\` continues a line), then the post they print,
    as one Example whose command is the whole script and whose output is the post."""
    lines = text.split("\n")
    marks = ((i, _POST_MARK.match(line)) for i, line in enumerate(lines))
    i, match = next(((i, m) for i, m in marks if m), (0, None))
    if match is None:
        return None
    start = lines.index("```", i + 1) if lines[i + 1] != "```" else i + 1
    end = lines.index("```", start + 1)
    script = "\n".join(lines[start + 1 : end]).replace("\\\n", " ")
    post_start = next(j for j in range(end + 1, len(lines)) if lines[j].startswith("````"))
    post_end = lines.index("````", post_start + 1)
    env = dict(pair.split("=", 1) for pair in shlex.split(match[1]))
    return Example(post_start, script, lines[post_start + 1 : post_end], env)


def run_post(example: Example, new_store: NewStore | None = None) -> list[str]:
    """The sample's commands on a fresh store, in a folder holding its intro.md."""
    from typer.testing import CliRunner

    from coursetrack.cli import app

    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        db = new_store() if new_store else str(Path(tmp) / "coursetrack.db")
        env = {**ENV, "COURSETRACK_DB": db, **example.env}
        (Path(tmp) / "intro.md").write_text(env.pop("intro.md") + "\n", encoding="utf-8")
        here = Path.cwd()
        os.chdir(tmp)
        try:
            with _environment(env):
                for command in example.command.splitlines():
                    result = runner.invoke(app, shlex.split(command)[1:], env=env)
                    if result.exit_code != 0:
                        raise AssertionError(f"README sample: {command}\n{result.output}")
        finally:
            os.chdir(here)
    return result.output.rstrip("\n").split("\n")


def _checked(text: str, new_store: NewStore | None = None) -> list[tuple[Example, list[str]]]:
    found = examples(text)
    pairs = list(zip(found, run(found, new_store), strict=True))
    post = sample_post(text)
    if post is not None:
        pairs.append((post, run_post(post, new_store)))
    return pairs


def differences(text: str, new_store: NewStore | None = None) -> str:
    """A readable diff of every example whose output differs; empty when all agree.

    `new_store` makes each fresh store the examples run against: the tests pass one
    per engine, so the walk-through prints the same on SQLite and on PostgreSQL."""
    report = []
    for example, actual in _checked(text, new_store):
        if actual != example.output:
            diff = difflib.unified_diff(
                example.output,
                actual,
                f"README.md:{example.line + 1} (as written)",
                "as run",
                lineterm="",
            )
            command = example.command.splitlines()[-1]
            report.append(f"$ {command}\n" + "\n".join(diff))
    return "\n\n".join(report)


def updated(text: str) -> str:
    """`text` with every example's output replaced by what the command prints now."""
    lines = text.split("\n")
    for example, actual in sorted(_checked(text), key=lambda pair: -pair[0].line):
        lines[example.line + 1 : example.output_end] = actual
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    if argv == ["--update"]:
        new = updated(text)
        README.write_text(new, encoding="utf-8")
        print("README.md: example outputs rewritten from real runs; read `git diff README.md`")
        return 0
    if argv:
        print("usage: python tests/readme_examples.py [--update]", file=sys.stderr)
        return 2
    report = differences(text)
    print(report or "README.md: every example matches")
    return 1 if report else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main(sys.argv[1:]))
