"""How long the largest documents the limits allow hold the write lock.

    python bench/limits.py

Builds a backup of exactly MAX_BACKUP_ROWS rows (topics, their progress and a
note each) and a catalog of MAX_CATALOG_ITEMS courses and topics, then times,
in this process, the parse (no lock held) and the write transaction (from
BEGIN IMMEDIATE to COMMIT: the time another command may wait). Each lock time
is printed as a ratio to the busy timeout, the time another command waits
before it gives up; the target is a third of it. Exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from coursetrack import backup, catalog
from coursetrack import store as db
from coursetrack.services.importer import import_catalog
from coursetrack.services.restore import restore
from coursetrack.validate import MAX_BACKUP_ROWS, MAX_CATALOG_ITEMS

TARGET = 1 / 3


def largest_backup() -> str:
    """MAX_BACKUP_ROWS rows: 100 courses of topics, each done with one note."""
    per_course = (MAX_BACKUP_ROWS - 1 - 100) // (100 * 3)
    note = [{"written_on": "2024-01-02", "text": "what this topic taught me"}]
    courses = [
        {
            "slug": f"c{c}",
            "title": f"Course {c}",
            "topics": [
                {
                    "slug": f"t{t}",
                    "title": f"Topic {t}",
                    "progress": {"status": "done", "completed_on": "2024-01-02"},
                    "notes": note,
                }
                for t in range(per_course)
            ],
        }
        for c in range(100)
    ]
    spec = {"slug": "big", "title": "Big", "courses": courses}
    return json.dumps({"format": backup.FORMAT, "version": 1, "specializations": [spec]})


def largest_catalog() -> str:
    courses = 200
    per_course = MAX_CATALOG_ITEMS // courses - 1
    lines = ["slug: big", "title: Big", "courses:"]
    for c in range(courses):
        lines += [f"  - title: Course {c}", f"    slug: c{c}", "    topics:"]
        lines += [f"      - Topic {c}.{t}" for t in range(per_course)]
    return "\n".join(lines) + "\n"


def main() -> int:
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="It takes no options but --help."
    ).parse_args()
    timeout = db.busy_timeout()
    with tempfile.TemporaryDirectory(prefix="coursetrack-limits-") as tmp:
        root = Path(tmp)
        cases = []

        start = time.perf_counter()
        document = backup.parse(largest_backup(), label="largest backup")
        parsed = time.perf_counter() - start
        store = db.open_store(str(root / "restore.db"), write=True)
        start = time.perf_counter()
        with store.write("import largest-backup.json") as session:
            report = restore(session, document)
        locked = time.perf_counter() - start
        store.close()
        rows = len(report.specializations) + report.courses + report.topics
        rows += report.progress + report.records
        cases.append((f"restore of {rows:,} backup rows", parsed, locked))

        start = time.perf_counter()
        spec = catalog.parse_catalog(largest_catalog(), where="largest catalog")
        parsed = time.perf_counter() - start
        store = db.open_store(str(root / "import.db"), write=True)
        start = time.perf_counter()
        with store.write("import largest-catalog.yaml") as session:
            found = import_catalog(session, catalog=spec)
        locked = time.perf_counter() - start
        store.close()
        cases.append((f"import of {found.courses + found.topics:,} catalog items", parsed, locked))

    width = max(len(name) for name, _, _ in cases)
    print(f"{'case':<{width}}  {'parse':>8}  {'lock held':>9}  {'/ busy timeout':>14}  target")
    for name, parsed, locked in cases:
        ratio = locked / timeout
        mark = "ok" if ratio <= TARGET else "MISSED"
        print(
            f"{name:<{width}}  {parsed:7.1f}s  {locked:8.1f}s  {ratio:14.2f}  <={TARGET:.2f} {mark}"
        )
    print(f"\nbusy timeout {timeout:g} s; python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
