"""Running coursetrack in a real pseudo-terminal, as a person at a shell would."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time


def run_in_terminal(
    args: list[str], *, env: dict[str, str] | None = None, answer: str | None = None
) -> tuple[int, str]:
    """Run `python -m coursetrack ARGS` on a pty; returns (exit code, what the screen got)."""
    main, side = pty.openpty()
    full_env = {**os.environ, "COLUMNS": "80", "LINES": "40", "TERM": "xterm-256color"}
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "coursetrack", *args],
        stdin=side,
        stdout=side,
        stderr=side,
        env=full_env,
        close_fds=True,
    )
    os.close(side)
    output = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if answer is not None and not answered and b"?" in output:
                os.write(main, answer.encode() + b"\n")
                answered = True
        elif proc.poll() is not None:
            output += _rest(main)  # written between the quiet wait and the exit
            break
    code = proc.wait(timeout=30)
    os.close(main)
    return code, output.decode("utf-8", "replace")


def _rest(main: int) -> bytes:
    """What is left to read on the terminal of a program that has exited."""
    rest = b""
    while select.select([main], [], [], 0)[0]:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the other side is closed and drained
            break
        if not chunk:
            break
        rest += chunk
    return rest
