"""Helpers shared by the blog export tests: a finished specialization and a post splitter."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from typer.testing import CliRunner

from coursetrack.catalog import find_source, load_catalog
from coursetrack.cli import app

CERTIFICATE = "https://www.coursera.org/account/accomplishments/specialization/ABC123XYZ"
HOSTILE = "| * # [x](y) --- <script>alert(1)</script>"
#: A zone with daylight saving time that needs no tz database.
NEW_YORK = "EST5EDT,M3.2.0,M11.1.0"

runner = CliRunner()


def cli(db: Path, *args: str | Path):
    return runner.invoke(app, ["--db", str(db), *map(str, args)])


def ok(db: Path, *args: str | Path):
    result = cli(db, *args)
    assert result.exit_code == 0, (args, result.output)
    return result


def shipped_dls():
    path, label = find_source("deep-learning-specialization")
    return load_catalog(path, label=label)


def finished_dls(db: Path, *, on: str = "2024-05-01") -> Path:
    """The shipped catalog with every course done and the certificate recorded."""
    ok(db, "import", "deep-learning-specialization")
    ok(db, "done", "dls", "--on", on)
    ok(db, "update", "dls", "--certificate-url", CERTIFICATE)
    return db


def split_post(text: str) -> tuple[dict, str]:
    """Front matter (as yaml.safe_load reads it) and body, by Hugo's and Jekyll's rule:
    the file starts with a `---` line and the next `---` line ends the block."""
    assert text.startswith("---\n"), text[:40]
    head, sep, body = text[4:].partition("\n---\n")
    assert sep, "front matter is not closed"
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data, body


@contextmanager
def local_zone(zone: str) -> Iterator[None]:
    """Run with the process's local time zone set to `zone`, then put it back."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
