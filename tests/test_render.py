"""The render package: every name callers use is there, and printing loads only what it draws.

What the views print is checked word for word by the tests of each command and the
README's examples; here: `render.NAME` still reaches every name render.py had, and a
command that prints a line or JSON does not load Rich's tables or any view.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from coursetrack import render

_PROBE = """
import sys
from coursetrack import render
{calls}
loaded = sorted(m for m in sys.modules
                if m.startswith("coursetrack.render.") or m in ("rich.table", "rich.progress"))
print("LOADED:" + ",".join(loaded), file=sys.stderr)
"""


def _loaded(calls: str) -> tuple[str, set[str]]:
    """Run `calls` in a fresh interpreter: (its stdout, the render modules and Rich parts loaded)."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(calls=calls)],
        capture_output=True,
        text=True,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    report = result.stderr.rsplit("LOADED:", 1)[1].strip()
    return result.stdout, set(report.split(",")) - {""}


@pytest.mark.parametrize("name", render.__all__)
def test_every_name_is_reached_through_the_package(name: str) -> None:
    value = getattr(render, name)
    home = render._LAZY.get(name, "console")
    assert value is getattr(importlib.import_module(f"coursetrack.render.{home}"), name)


def test_a_name_it_does_not_have_is_an_attribute_error() -> None:
    assert not hasattr(render, "no_such_view")
    with pytest.raises(AttributeError, match="no_such_view"):
        render.no_such_view  # noqa: B018


def test_a_line_and_json_load_no_table_and_no_view() -> None:
    out, loaded = _loaded(
        "render.success('marked dls/1 done')\nrender.print_json({'ref': 'dls/1'})"
    )
    assert out == 'marked dls/1 done\n{\n  "ref": "dls/1"\n}\n'
    assert loaded == {"coursetrack.render.console"}


def test_a_view_loads_its_module_and_the_tables_it_draws_with_alone() -> None:
    out, loaded = _loaded(
        "from coursetrack.services.overview import Overview\n"
        "render.overview_table(Overview(specializations=[]))"
    )
    assert out.startswith("No specializations yet.")
    assert loaded == {
        "coursetrack.render.cells",
        "coursetrack.render.console",
        "coursetrack.render.layout",
        "coursetrack.render.overview",
        "coursetrack.render.tables",
        "rich.table",
    }
