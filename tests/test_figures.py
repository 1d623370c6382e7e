"""Progress figures are one value type (`services.figures.Progress`): the views embed it,
read it as their own, and write it flat in their JSON where they always had it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import pkgutil
from dataclasses import dataclass

import coursetrack.services
from coursetrack.services.figures import FIGURES, HasProgress, Progress, as_data

DAY = dt.date(2026, 1, 5)


@dataclass
class _Row(HasProgress):
    slug: str
    progress: Progress
    note: str | None = None


@dataclass
class _Reordered(HasProgress):
    slug: str
    progress: Progress
    courses_done: int
    rows: list[_Row] = dataclasses.field(default_factory=list)

    FIGURES_ORDER = ("status", "courses_done", "percent")


def _progress(done: int = 1) -> Progress:
    return Progress("in-progress", done, 4, 25.0 * done, DAY, None)


def test_a_view_reads_its_figures_as_its_own_and_writes_them_flat_in_place() -> None:
    row = _Row("a", _progress(), note="n")
    assert (row.status, row.units_done, row.units_total, row.percent) == ("in-progress", 1, 4, 25.0)
    assert (row.started_on, row.completed_on) == (DAY, None)
    data = row.to_dict()
    assert list(data) == ["slug", *FIGURES, "note"]
    assert data["started_on"] == DAY and data["units_total"] == 4


def test_figures_order_places_a_views_own_field_among_the_figures_nested_views_too() -> None:
    view = _Reordered("s", _progress(2), courses_done=3, rows=[_Row("a", _progress())])
    data = as_data(view)
    assert list(data) == ["slug", "status", "courses_done", "percent", "rows"]
    assert data["courses_done"] == 3 and data["percent"] == 50.0
    assert data["rows"] == [_Row("a", _progress()).to_dict()]


def test_no_service_dataclass_declares_the_figures_again() -> None:
    """A view with a status and units done, total and percent embeds `Progress`."""
    figures = {"status", "units_done", "units_total", "percent"}
    repeated = []
    for module in pkgutil.iter_modules(coursetrack.services.__path__):
        loaded = importlib.import_module(f"coursetrack.services.{module.name}")
        for name, value in vars(loaded).items():
            if dataclasses.is_dataclass(value) and value is not Progress:
                own = {f.name for f in dataclasses.fields(value)}
                if figures <= own:
                    repeated.append(f"{module.name}.{name}")
    assert repeated == []
