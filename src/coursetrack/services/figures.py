"""An item's progress: the one value type the views share, and the learner's progress row.

`Progress` holds the figures every view of an item shows (status, units, percent,
dates): `status`, `show`, the post and the page embed it (`HasProgress`), so each
figure is declared once and copied as one value, and a view's JSON still lists them
flat, where the view always had them.

Reads take a `Reader` (plain rows, sqlite3 alone on SQLite). The status names
are the values of `models.Status`, kept here as plain strings so a read needs
no SQLModel (a test checks they agree); `store.progress` writes the same words.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from coursetrack.store import progress as store

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row

TODO = store.TODO
IN_PROGRESS = store.IN_PROGRESS
DONE = store.DONE

#: The progress column that points at each kind of item.
OWNER = store.OWNER


def progress_of(reader: Reader, kind: str, item_id: int) -> Row | None:
    """The progress row (status, started_on, completed_on) of an item, if it has one."""
    return store.progress_of(reader, kind=kind, item_id=item_id)


@dataclass
class Progress:
    """Where an item stands, counted in units (a topic, or a course without topics)."""

    status: str
    units_done: int
    units_total: int
    percent: float
    started_on: dt.date | None
    completed_on: dt.date | None


#: Its fields' names, in its order: how a view's JSON lists them unless it says otherwise.
FIGURES = tuple(f.name for f in dataclasses.fields(Progress))


class HasProgress:
    """A view (a dataclass) that embeds its item's `Progress` as its `progress` field.

    Its figures read as its own (`view.percent`), and its JSON lists them flat in
    place of `progress`: in `Progress`'s order, or in `FIGURES_ORDER` where the view
    has always listed them in another (a field of the view's own may sit among
    them): `--json` shapes are a contract.
    """

    progress: Progress
    FIGURES_ORDER: ClassVar[tuple[str, ...]] = ()

    @property
    def status(self) -> str:
        return self.progress.status

    @property
    def units_done(self) -> int:
        return self.progress.units_done

    @property
    def units_total(self) -> int:
        return self.progress.units_total

    @property
    def percent(self) -> float:
        return self.progress.percent

    @property
    def started_on(self) -> dt.date | None:
        return self.progress.started_on

    @property
    def completed_on(self) -> dt.date | None:
        return self.progress.completed_on

    def to_dict(self) -> dict:
        data = as_data(self)
        assert isinstance(data, dict)
        return data


#: A field's metadata key: written in JSON only when true (see `as_data`).
WHEN_SET = "json_when_set"


def as_data(value: Any) -> Any:
    """Dataclasses as plain dicts and lists, as `dataclasses.asdict` makes them, with
    each embedded `Progress` written flat in its view (see `HasProgress`), and a field
    marked `WHEN_SET` only when it is (a note's `"private": true`, as `log` writes it:
    a field added to a JSON view leaves every existing one as it was)."""
    if isinstance(value, list | tuple):
        return type(value)(as_data(v) for v in value)
    if isinstance(value, dict):
        return {k: as_data(v) for k, v in value.items()}
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    order = getattr(value, "FIGURES_ORDER", ())
    data: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if isinstance(item, Progress):
            figures = as_data(item)
            for key in order or figures:
                data[key] = figures[key] if key in figures else as_data(getattr(value, key))
        elif f.name not in order and not (f.metadata.get(WHEN_SET) and not item):
            data[f.name] = as_data(item)
    return data
