"""One vocabulary: the status, grade and verdict words are written once, in `coursetrack.vocabulary`.

Everywhere else (Python, and the SQL inside its strings) takes them from the enums: an
SQL statement binds the word as a parameter or is generated from the enum, never
retyped, so a word cannot drift between the CHECK that holds it, the query that counts
it and the view that colours it. The scan reads src/ as Python's parser does:

- a string constant that is a word (`status == "done"`, `("again", "hard", ...)`);
- a word quoted as an SQL literal anywhere inside a string (`... status = 'done'`);
- a string that lists two or more words of one enum (a help text or a message that
  spells out the choices: those are generated from the enum too).

Docstrings are prose about the words and are not read. English that merely uses a word
("mark it done first") is not a retyped word and is not caught. The few places that may
keep a word are listed below, each with its reason; an entry no longer needed fails too,
so the list stays short.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from coursetrack.models import Grade, Status, Verdict

SRC = Path(__file__).resolve().parent.parent / "src" / "coursetrack"

#: Where the words live: the enums.
HOME = "vocabulary.py"

VOCABULARIES = {
    "status": [s.value for s in Status],
    "grade": [g.value for g in Grade],
    "verdict": [v.value for v in Verdict],
}
WORDS = {word for words in VOCABULARIES.values() for word in words}

#: (module under src/coursetrack, word): why it may stay written out. `*`: any word.
ALLOWED = {
    ("store/migrations.py", "*"): (
        "the frozen DDL of released migration steps: a step must keep doing what it did "
        "on the stores it upgrades, whatever the vocabulary becomes (a new word is a new step)"
    ),
    ("store/new_sqlite.py", "*"): (
        "generated from the enums by fresh.write_new_sqlite(); tests/test_schema.py checks "
        "it is what they generate today"
    ),
    ("cli/summaries.py", "*"): (
        "generated from the commands' docstrings by lazy.write_summaries() (prose, and the "
        "command named `done`); tests/test_help_summaries.py checks it"
    ),
    ("cli/__init__.py", "done"): "the command named `done` (COMMANDS), a command's name",
}

_SQL_LITERAL = re.compile(r"'(" + "|".join(re.escape(w) for w in sorted(WORDS)) + r")'")


def _word_pattern(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")


_LISTS = {name: _word_pattern(words) for name, words in VOCABULARIES.items()}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def words_in(text: str) -> set[str]:
    """The vocabulary's words a string retypes (see the module's docstring)."""
    if text in WORDS:
        return {text}
    found = set(_SQL_LITERAL.findall(text))
    for pattern in _LISTS.values():
        named = set(pattern.findall(text))
        if len(named) >= 2:
            found |= named
    return found


def retyped() -> list[tuple[str, int, str, str]]:
    """(module, line, word, the string) for every word written out in src/."""
    hits = []
    for path in sorted(SRC.rglob("*.py")):
        module = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if id(node) in skip:
                continue
            for word in sorted(words_in(node.value)):
                hits.append((module, node.lineno, word, node.value))
    return hits


def _allowed(module: str, word: str) -> bool:
    return (module, word) in ALLOWED or (module, "*") in ALLOWED


def test_the_status_and_grade_words_are_written_only_in_the_vocabulary() -> None:
    hits = retyped()
    outside = [
        f"{module}:{line}: {word!r} in {text[:70]!r}"
        for module, line, word, text in hits
        if module != HOME and not _allowed(module, word)
    ]
    assert not outside, "take these from coursetrack.vocabulary:\n" + "\n".join(outside)
    home = {word for module, _, word, _ in hits if module == HOME}
    assert home == WORDS, "the vocabulary module spells every word"


def test_every_allowed_place_still_holds_a_word() -> None:
    """An exception nothing needs any more leaves the list."""
    used = {(m, w) for m, _, w, _ in retyped()}
    stale = [
        key
        for key in ALLOWED
        if not any(m == key[0] and (key[1] == "*" or w == key[1]) for m, w in used)
    ]
    assert not stale


def test_the_scan_sees_a_retyped_word() -> None:
    """What the scan catches, and the English it lets be."""
    assert words_in("done") == {"done"}
    assert words_in("SELECT count(*) FROM progress WHERE status = 'in-progress'") == {"in-progress"}
    assert words_in("a status is todo, in-progress or done") == {"todo", "in-progress", "done"}
    assert words_in("--grade again|hard|good|easy") == {"again", "hard", "good", "easy"}
    assert words_in("mark it done first, then run it again") == set()
    assert words_in("status = :done") == set()


def test_the_vocabulary_is_light_and_the_models_enums() -> None:
    """A read (sqlite3 alone) takes the words without loading the ORM; the models' enums are
    the very same classes."""
    script = (
        "import sys\n"
        "from coursetrack.vocabulary import Grade, Status\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlmodel', 'pydantic') or m == 'coursetrack.models'))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    from coursetrack import models, vocabulary

    assert (models.Status, models.Grade) == (vocabulary.Status, vocabulary.Grade)
