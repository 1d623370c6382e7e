"""Draw the README's pictures of `coursetrack export html`: docs/page-{1280,390}[-dark].png.

    .venv/bin/python docs/screenshots.py            # needs Debian's chromium

A learner's spring 2024 in the shipped Deep Learning Specialization (the
journey of tests/chart_fixtures.py, with a note in Markdown and a few links)
is exported as a page, and headless Chromium draws it 1280 px wide and 390 px
wide, light and dark. A headless window is at least 500 px wide, so the phone
is a 390 px frame of a host page (its script sizes the frame to the page and
says how tall that is), and the picture is cut to the frame. The clock is
pinned: the same code draws the same pages.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

DOCS = Path(__file__).resolve().parent
TODAY = "2024-05-22T10:00:00+00:00"
NOTE = (
    "Backprop by hand finally *clicked*: the chain rule, one `np.dot` at a time.\n"
    "\n"
    "```python\n"
    "dW = dZ @ A_prev.T / m\n"
    "```\n"
    "\n"
    "Worth it: [my derivation](https://github.com/me/dl-notes/blob/main/backprop.md)."
)
#: (when, arguments): what the learner did, each with the clock at that moment.
JOURNEY = [
    (TODAY, ["import", "deep-learning-specialization"]),
    ("2024-04-01T09:00:00+00:00", ["start", "dls", "--on", "2024-04-01"]),
    ("2024-04-01T09:00:00+00:00", ["goal", "dls", "--by", "2024-07-31"]),
    *[
        (TODAY, ["done", f"dls/1/{i}", "--on", day])
        for i, day in enumerate(["2024-04-03", "2024-04-04", "2024-04-05", "2024-04-06"], 1)
    ],
    (TODAY, ["done", "dls/2/1", "dls/2/2", "--on", "2024-04-20"]),
    (TODAY, ["done", "dls/2/3", "--on", "2024-05-02"]),
    (TODAY, ["done", "dls/3/1", "--on", "2024-05-20"]),
    (TODAY, ["note", "dls/1", NOTE, "--on", "2024-04-06"]),
    (TODAY, ["note", "dls/2/1", "Regularization makes **sense** now.", "--on", "2024-04-20"]),
    (TODAY, ["link", "dls", "https://github.com/me/dl-notes", "--title", "all my notes"]),
    (TODAY, ["link", "dls/1", "https://youtu.be/backprop", "--title", "Backprop explained"]),
]

HOST = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>body { margin: 0 }
iframe { border: 0; display: block; width: __WIDTH__px; height: 3000px }</style></head>
<body><iframe id="f" src="__SRC__"></iframe><pre id="height"></pre><script>
const frame = document.getElementById("f");
frame.addEventListener("load", () => {
  const height = Math.ceil(frame.contentDocument.body.getBoundingClientRect().bottom);
  frame.style.height = height + "px";
  document.getElementById("height").textContent = height;
});
</script></body></html>
"""


def coursetrack(db: Path, now: str, *args: str) -> None:
    env = {**os.environ, "COURSETRACK_NOW": now, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "coursetrack", "--db", str(db), *args]
    subprocess.run(command, env=env, check=True, capture_output=True)


def chromium(folder: Path, *args: str) -> str:
    browser = shutil.which("chromium")
    if browser is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"]
    flags += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    flags += [f"--user-data-dir={folder / 'profile'}", "--allow-file-access-from-files"]
    done = subprocess.run([browser, *flags, *args], capture_output=True, text=True, check=True)
    return done.stdout


def draw(folder: Path, page: Path, width: int, dark: bool, png: Path) -> None:
    """`page` as a browser `width` px wide shows it, whole, to `png`."""
    host = folder / f"host-{width}.html"
    host.write_text(HOST.replace("__WIDTH__", str(width)).replace("__SRC__", page.name))
    scheme = ["--force-dark-mode"] if dark else []
    window = max(width, 500)
    dom = chromium(
        folder, *scheme, "--virtual-time-budget=10000", f"--window-size={window},3000",
        "--dump-dom", host.as_uri(),
    )  # fmt: skip
    found = re.search(r'<pre id="height">(\d+)</pre>', dom)
    if found is None:
        sys.exit(f"the host page did not measure {page.name}")
    height = int(found[1])
    shot = folder / png.name
    # a headless window's page is shorter than the window: room to spare, then cut
    chromium(
        folder, *scheme, "--virtual-time-budget=10000", f"--window-size={window},{height + 400}",
        f"--screenshot={shot}", host.as_uri(),
    )  # fmt: skip
    Image.open(shot).convert("RGB").crop((0, 0, width, height)).save(png, optimize=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        db = folder / "store.db"
        for now, args in JOURNEY:
            coursetrack(db, now, *args)
        page = folder / "dls.html"
        coursetrack(db, TODAY, "export", "html", "dls", "-o", str(page))
        made = []
        for width in (1280, 390):
            for dark in (False, True):
                png = DOCS / f"page-{width}{'-dark' if dark else ''}.png"
                draw(folder, page, width, dark, png)
                made.append(png.name)
        print(json.dumps(made))


if __name__ == "__main__":
    main()
