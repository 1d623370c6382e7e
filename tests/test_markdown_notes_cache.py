"""A long note's neutralised copy is kept in the user's cache, and only there, only when sound.

An export of a store full to the limits parses 1.7 MB of notes (markdown_notes);
a note that has not changed since the last export is read back instead. What
is read back is what the post says, so the folder must be the user's alone,
an entry whole, and its name must change with the note, the link rule or the code.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import markdown_notes_reference as reference
from coursetrack import markdown_notes
from coursetrack.blog import allowed_url
from coursetrack.markdown_notes import neutralise
from export_fixtures import ok, split_post

#: A long note with what must be neutralised in it (HTML, a refused link, a shortcode).
LONG = (
    "## Week\n\nSee <https://a.example> and `<b>` in code.\n\n"
    "<script>alert(1)</script> [x](javascript:alert(2)) {{< sc >}}\n\n"
) * 300
assert len(LONG) > markdown_notes._CACHE_FROM


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The cache's folder under the test's XDG_CACHE_HOME (conftest sets it)."""
    return tmp_path / "xdg-cache" / "coursetrack" / "notes"


def entries(folder: Path) -> list[Path]:
    return (
        sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []
    )


def plant(entry: Path, text: str) -> None:
    """`text` written as an entry of the cache writes it: a digest of its name and body."""
    body = text.encode()
    digest = hashlib.sha256(entry.name.encode() + b"\n" + body).hexdigest().encode()
    entry.write_bytes(digest + b"\n" + body)


def test_a_long_note_is_kept_and_read_back(folder: Path) -> None:
    written = neutralise(LONG, allowed_url)
    assert written == reference.neutralise(LONG, allowed_url)
    assert "\\<script>alert(1)" in written and "[x\\](javascript:alert(2))" in written
    [entry] = entries(folder)
    assert os.stat(folder).st_mode & 0o777 == 0o700 and os.stat(entry).st_mode & 0o777 == 0o600
    assert neutralise(LONG, allowed_url) == written
    # what the entry holds is what the post says: it is read, not parsed again
    plant(entry, "read from the cache")
    assert neutralise(LONG, allowed_url) == "read from the cache"


def test_the_post_is_the_same_cold_and_warm(tmp_path: Path, folder: Path) -> None:
    db = tmp_path / "s.db"
    ok(db, "import", "dls")
    ok(db, "note", "dls/1/1", LONG)
    ok(db, "note", "dls/1/2", LONG.replace("Week", "Month"))
    cold = ok(db, "export", "markdown", "dls", "--date", "2026-10-01").stdout
    assert len(entries(folder)) == 2
    warm = ok(db, "export", "markdown", "dls", "--date", "2026-10-01").stdout
    assert warm == cold
    assert "\\<script>alert(1)" in split_post(cold)[1]


def test_a_damaged_entry_is_parsed_again_and_replaced(folder: Path) -> None:
    written = neutralise(LONG, allowed_url)
    [entry] = entries(folder)
    entry.write_bytes(entry.read_bytes()[:-5000])  # cut short, as by a full disk
    assert neutralise(LONG, allowed_url) == written
    assert entry.read_bytes().endswith(written.encode())


def test_an_entry_under_another_name_is_not_read(folder: Path) -> None:
    other = LONG.replace("Week", "Month")
    written = neutralise(LONG, allowed_url)
    [entry] = entries(folder)
    (folder / markdown_notes._cache_key(other, allowed_url)).write_bytes(entry.read_bytes())
    assert neutralise(other, allowed_url) == reference.neutralise(other, allowed_url) != written


def test_a_folder_others_can_write_is_not_trusted(folder: Path) -> None:
    written = neutralise(LONG, allowed_url)
    [entry] = entries(folder)
    plant(entry, "<script>forged</script>")
    folder.chmod(0o777)
    assert neutralise(LONG, allowed_url) == written
    folder.chmod(0o700)
    plant(entry, "<script>forged</script>")
    entry.chmod(0o666)  # nor an entry
    assert neutralise(LONG, allowed_url) == written
    if os.getuid() == 0:  # a folder, or an entry, owned by someone else
        plant(entry, "<script>forged</script>")
        os.chown(entry, 65534, -1)
        assert neutralise(LONG, allowed_url) == written
        plant(entry, "<script>forged</script>")
        os.chown(folder, 65534, -1)
        assert neutralise(LONG, allowed_url) == written


def test_a_cache_that_cannot_be_made_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))
    assert neutralise(LONG, allowed_url) == reference.neutralise(LONG, allowed_url)


def test_short_notes_and_other_rules_are_not_kept(folder: Path) -> None:
    short = LONG[: markdown_notes._CACHE_FROM - 1]
    assert neutralise(short, allowed_url) == reference.neutralise(short, allowed_url)
    assert not folder.exists()
    rule = lambda url: url.startswith("https://")  # noqa: E731  (no name to key it by)
    assert neutralise(LONG, rule) == reference.neutralise(LONG, rule)
    assert entries(folder) == []


def test_a_new_note_rule_or_code_is_a_new_entry(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    neutralise(LONG, allowed_url)
    neutralise(LONG + " ", allowed_url)
    assert len(entries(folder)) == 2
    monkeypatch.setattr(markdown_notes, "_code_fingerprint", lambda: b"another version")
    neutralise(LONG, allowed_url)
    assert len(entries(folder)) == 3


def test_the_least_recently_used_entries_go(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown_notes, "_CACHE_ENTRIES", 3)
    notes = [LONG + f"\n\nnote {n}" for n in range(5)]
    for n, note in enumerate(notes):
        neutralise(note, allowed_url)
        for entry in entries(folder):  # an mtime a second apart, whatever the file system's
            os.utime(entry, (entry.stat().st_atime, entry.stat().st_mtime - 1))
        if n == 2:
            neutralise(notes[0], allowed_url)  # used again: kept
    kept = {markdown_notes._cache_key(note, allowed_url) for note in (notes[0], *notes[3:])}
    assert {entry.name for entry in entries(folder)} == kept
