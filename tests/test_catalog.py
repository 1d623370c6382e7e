"""Catalog files: strict YAML, a strict schema, and errors that say `file:line:col`.

Every refused file must leave the store exactly as it was, print one line on
stderr, and exit 1. The YAML is written inline (dedented, starting on line 1)
so the expected positions can be checked by eye.
"""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile import Here, write_file

if TYPE_CHECKING:
    from conftest import Store

SPEC_KEYS = "title, slug, provider, url, description, certificate_url, source, courses"
COURSE_KEYS = "title, slug, description, url, certificate_url, rubric, topics"
TOPIC_KEYS = "title, slug, description, url, rubric"


def write(tmp_path: Path, text: str, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refuse(store: Store, source: Path | str) -> str:
    """Import `source`, expect it refused cleanly, and return the error line."""
    before = store.dump(history=True)
    result = store.run("import", str(source))
    assert result.exit_code == 1, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert store.dump(history=True) == before, "a refused catalog changed the store"
    assert lines[0].startswith("Error: ")
    return lines[0].removeprefix("Error: ")


def imported(store: Store, path: Path) -> None:
    result = store.run("import", str(path))
    assert result.exit_code == 0, result.stderr


# --- each validation error, with its position ---------------------------------

INVALID = [
    pytest.param(
        """\
        title: T
        courses: []
        colour: blue
        """,
        3,
        1,
        f"unknown key 'colour'; allowed here: {SPEC_KEYS}",
        id="unknown-top-level-key",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
            weeks: 4
        """,
        4,
        5,
        f"unknown key 'weeks'; allowed here: {COURSE_KEYS}",
        id="unknown-course-key",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
            topics:
              - title: Week 1
                hours: 3
        """,
        6,
        9,
        f"unknown key 'hours'; allowed here: {TOPIC_KEYS}",
        id="unknown-topic-key",
    ),
    pytest.param(
        """\
        title: T
        courses:
          first:
            title: C
        """,
        3,
        3,
        "courses must be a list (lines starting with '- '), not a mapping",
        id="courses-as-a-mapping",
    ),
    pytest.param(
        """\
        slug: t
        title:
          - Deep
          - Learning
        """,
        3,
        3,
        "title must be text, not a list",
        id="title-as-a-list",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
            topics: Week 1, Week 2
        """,
        4,
        13,
        "topics must be a list (lines starting with '- '), not a single value",
        id="topics-as-a-string",
    ),
    pytest.param(
        """\
        title: T
        description: {short: x}
        """,
        2,
        14,
        "description must be text, not a mapping",
        id="description-as-a-mapping",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - Neural Networks
        """,
        3,
        5,
        "each item of courses must be a mapping with a title: key, not a single value",
        id="course-as-a-plain-string",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
            topics:
              - [a, b]
        """,
        5,
        9,
        "each item of topics must be a mapping or a title, not a list",
        id="topic-as-a-list",
    ),
    pytest.param(
        """\
        slug: t
        courses: []
        """,
        1,
        1,
        "missing required key 'title'",
        id="missing-title",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - slug: c
            url: https://example.org
        """,
        3,
        5,
        "missing required key 'title'",
        id="course-without-title",
    ),
    pytest.param(
        """\
        title: T
        slug: t
        title: U
        """,
        3,
        1,
        "duplicate key 'title' (first at line 1); keep one",
        id="duplicate-top-level-key",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
            topics: [a]
            topics: [b]
        """,
        5,
        5,
        "duplicate key 'topics' (first at line 4); keep one",
        id="duplicate-course-key",
    ),
    pytest.param(
        """\
        {title: T, slug: t, slug: u}
        """,
        1,
        21,
        "duplicate key 'slug' (first at line 1); keep one",
        id="duplicate-key-in-flow-mapping",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: Basics
            slug: basics
          - title: More basics
            slug: basics
        """,
        6,
        11,
        "duplicate slug 'basics', also used by 'Basics'; give one of them another slug: `slug: basics-2`",
        id="duplicate-explicit-course-slug",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: Intro
          - title: INTRO!
        """,
        4,
        12,
        "duplicate slug 'intro', also used by 'Intro'; give one of them another slug: `slug: intro-2`",
        id="duplicate-derived-course-slug",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: Something else
            slug: intro
          - title: Intro
        """,
        5,
        12,
        "duplicate slug 'intro', also used by 'Something else'; give one of them another slug: `slug: intro-2`",
        id="derived-slug-clashes-with-explicit",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
            topics:
              - title: Week one
                slug: w1
              - title: Week two
                slug: w1
        """,
        8,
        15,
        "duplicate slug 'w1', also used by 'Week one'; give one of them another slug: `slug: w1-2`",
        id="duplicate-explicit-topic-slug",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
            topics:
              - Week 1
              - week 1
        """,
        6,
        9,
        "duplicate slug 'week-1', also used by 'Week 1'; give one of them another slug: `slug: week-1-2`",
        id="duplicate-derived-topic-slug",
    ),
    pytest.param(
        """\
        title: ''
        """,
        1,
        8,
        "empty title; give it some text",
        id="empty-quoted-title",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title:
            slug: c
        """,
        3,
        11,
        "empty title; give it some text",
        id="blank-course-title",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
            topics:
              - title: '   '
        """,
        5,
        16,
        "empty title; give it some text",
        id="whitespace-topic-title",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
            topics:
              - Week 1
              -
        """,
        6,
        8,
        "empty title; give it some text",
        id="empty-topic-item",
    ),
    pytest.param(
        """\
        title: T
        slug: Deep Learning
        """,
        2,
        7,
        "slug 'Deep Learning' must be lowercase letters and digits joined by '-', '_' or '.'",
        id="invalid-explicit-slug",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
            slug: '2'
        """,
        4,
        11,
        "slug '2' is all digits, which a ref would read as a position",
        id="all-digit-slug",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: 深層学習
        """,
        3,
        12,
        "a slug cannot be empty (derived from the title '深層学習'; give a slug:)",
        id="title-that-gives-no-slug",
    ),
    pytest.param(
        """\
        - title: T
        - title: U
        """,
        1,
        1,
        "a catalog must be a mapping (title, slug, courses), not a list",
        id="document-is-a-list",
    ),
    pytest.param(
        """\
        # just a sentence

        Deep Learning Specialization
        """,
        3,
        1,
        "a catalog must be a mapping (title, slug, courses), not a single value",
        id="document-is-a-scalar",
    ),
    pytest.param(
        "",
        1,
        1,
        "the file is empty; a catalog is a mapping with title, slug and courses",
        id="empty-file",
    ),
    pytest.param(
        """\
        # a catalog, some day

        """,
        1,
        1,
        "the file is empty; a catalog is a mapping with title, slug and courses",
        id="only-comments",
    ),
    pytest.param(
        """\
        title: T
        description: Note: this breaks
        """,
        2,
        18,
        "': ' cannot start a value here; quote text that contains ': ', or check the indentation",
        id="syntax-colon-in-plain-text",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
           slug: c
        """,
        4,
        4,
        "wrong indentation: a key here is not an item of the list that starts at line 3, "
        "column 3; start an item with '- ' at column 3, or indent it further to put it inside "
        "an item",
        id="syntax-bad-indentation",
    ),
    pytest.param(
        """\
        title: "Deep Learning
        slug: dls
        """,
        3,
        1,
        "the quote opened at line 1, column 8 is never closed",
        id="syntax-unclosed-quote",
    ),
    pytest.param(
        """\
        title: T
        courses: [a, b}
        """,
        2,
        15,
        "expected ',' or ']', but got '}' (while parsing a flow sequence)",
        id="syntax-mismatched-bracket",
    ),
    pytest.param(
        "title: T\n\tslug: t\n",
        2,
        1,
        "a tab here; indent with spaces, not tabs",
        id="syntax-tab",
    ),
    pytest.param(
        """\
        title: T
        ---
        title: U
        """,
        2,
        1,
        "but found another document (expected a single document in the stream)",
        id="two-documents",
    ),
    pytest.param(
        """\
        title: &name Deep Learning
        slug: dls
        description: *name
        """,
        3,
        14,
        "aliases (*name) are not allowed in a catalog",
        id="alias",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - &course
            title: C
          - *course
        """,
        5,
        5,
        "aliases (*name) are not allowed in a catalog",
        id="alias-of-a-course",
    ),
    pytest.param(
        """\
        a: &a [x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a]
        c: [*b, *b, *b, *b, *b, *b, *b, *b]
        """,
        2,
        8,
        "aliases (*name) are not allowed in a catalog",
        id="alias-bomb",
    ),
    pytest.param(
        """\
        title: T
        slug: !!int 3
        """,
        2,
        7,
        "tag 'tag:yaml.org,2002:int' is not allowed in a catalog",
        id="int-tag",
    ),
    pytest.param(
        """\
        title: !shout T
        """,
        1,
        8,
        "tag '!shout' is not allowed in a catalog",
        id="local-tag",
    ),
    pytest.param(
        """\
        title: T
        ? [a, b]
        : c
        """,
        2,
        3,
        "keys must be plain words",
        id="list-as-a-key",
    ),
    pytest.param(
        """\
        title: T
        colour: blue
        size: big
        """,
        2,
        1,
        f"unknown key 'colour'; allowed here: {SPEC_KEYS} (and 1 more problem)",
        id="first-of-several-problems",
    ),
    # issue 11: the cause before its effect, and no parser jargon
    pytest.param(
        """\
        slug: mls
        name: Machine Learning
        courses: []
        """,
        2,
        1,
        f"unknown key 'name'; allowed here: {SPEC_KEYS} (is it the missing 'title'?)",
        id="unknown-key-before-the-missing-key-it-causes",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - slug: c
            name: C
        """,
        4,
        5,
        f"unknown key 'name'; allowed here: {COURSE_KEYS} (is it the missing 'title'?)",
        id="unknown-course-key-before-the-missing-title",
    ),
    pytest.param(
        """\
        - title: T
        - slug: t
        courses: []
        """,
        3,
        1,
        "wrong indentation: a key here is not an item of the list that starts at line 1, "
        "column 1; start an item with '- ' at column 1, or indent it further to put it inside "
        "an item",
        id="syntax-block-end-but-found-question-mark",
    ),
    pytest.param(
        """\
        title: T
        courses:
          - title: C
         slug: c
        """,
        4,
        2,
        "wrong indentation: a key here does not line up with the keys of the mapping that "
        "starts at line 1, column 1; line it up with them (column 1), or indent it further to "
        "put it inside a value",
        id="syntax-key-between-two-levels",
    ),
    pytest.param(
        """\
        title: T
        description: a long text
        that goes on
        """,
        3,
        1,
        "this line is not 'name: value': add ': ' after the name, or, if it continues the "
        "text of the line above, indent it further than that line's key",
        id="syntax-line-without-a-colon",
    ),
    pytest.param(
        """\
        title: T
        slug: "dls" v2
        """,
        2,
        13,
        "unexpected text after the value on this line; if it is all one value, put the whole "
        "of it in quotes",
        id="syntax-text-after-a-quoted-value",
    ),
]


@pytest.mark.parametrize(("text", "line", "col", "message"), INVALID)
def test_invalid_catalog_is_refused_at_its_position(
    dls: Store, tmp_path: Path, text: str, line: int, col: int, message: str, yaml_parser: str
) -> None:
    path = write(tmp_path, text)
    assert refuse(dls, path) == f"{path}:{line}:{col}: {message}"


def test_refused_catalog_creates_no_store(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "title: T\ncolour: blue\n")
    refuse(store, path)
    assert not store.exists()


def test_python_tag_is_refused_and_never_run(dls: Store, tmp_path: Path, yaml_parser: str) -> None:
    marker = tmp_path / "pwned"
    path = write(
        tmp_path,
        f"""\
        slug: evil
        title: !!python/object/apply:os.system ["touch {marker}"]
        """,
    )
    assert refuse(dls, path) == (
        f"{path}:2:8: tag 'tag:yaml.org,2002:python/object/apply:os.system' "
        "is not allowed in a catalog"
    )
    assert not marker.exists()


def test_plain_str_tag_is_allowed(store: Store, tmp_path: Path) -> None:
    imported(store, write(tmp_path, "title: !!str Deep\nslug: d\n"))
    assert store.rows("SELECT slug, title FROM specialization") == [("d", "Deep")]


# --- files that cannot be read ----------------------------------------------------


def test_non_utf8_bytes(dls: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: T\ndescription: Café crème\n".encode("latin-1"))
    assert refuse(dls, path) == f"{path}:2:17: not UTF-8 text (byte 0xe9); save it as UTF-8"


def test_non_utf8_column_counts_characters_not_bytes(
    dls: Store, tmp_path: Path, yaml_parser: str
) -> None:
    path = tmp_path / "mixed.yaml"
    # "description: été " is 17 characters (20 bytes); the bad byte is the 18th.
    path.write_bytes(b"title: T\ndescription: " + "été ".encode() + b"\xff\n")
    assert refuse(dls, path) == f"{path}:2:18: not UTF-8 text (byte 0xff); save it as UTF-8"


def test_utf16_file(dls: Store, tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("title: T\n".encode("utf-16"))
    assert refuse(dls, path) == f"{path}:1:1: not UTF-8 text (byte 0xff); save it as UTF-8"


def test_utf8_bom_is_accepted(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + "title: Été\n".encode())
    imported(store, path)
    assert store.rows("SELECT slug, title FROM specialization") == [("ete", "Été")]


def test_bom_does_not_shift_positions(dls: Store, tmp_path: Path, yaml_parser: str) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + b"colour: red\ntitle: T\n")
    assert refuse(dls, path) == f"{path}:1:1: unknown key 'colour'; allowed here: {SPEC_KEYS}"


def test_directory(dls: Store, tmp_path: Path) -> None:
    folder = tmp_path / "catalogs"
    folder.mkdir()
    assert refuse(dls, folder) == f"{folder} is a directory; give a catalog file (.yaml)"


def test_missing_file(dls: Store, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert refuse(dls, missing) == (
        f"{missing}: no such file, nor a shipped catalog "
        "(shipped: dls, fso, gda, hf-course, deep-rl, mls, missing-semester, "
        "ossu-cs, fastai); see 'coursetrack catalogs'"
    )


# --- what is accepted, and what is stored ----------------------------------------


def test_yaml_1_1_booleans_numbers_and_nulls_stay_text(
    store: Store, tmp_path: Path, yaml_parser: str
) -> None:
    path = write(
        tmp_path,
        """\
        slug: literal
        title: yes
        provider: on
        description: no
        url: http://on.test/null
        courses:
          - title: 0123
            slug: c0123
            description: 0x1F
            topics:
              - no
              - off
              - title: null
                description: ~
              - 1e3
              - 12:30
              - title: 2001-01-01
                slug: y2k
                description: .inf
        """,
    )
    imported(store, path)
    assert store.rows(
        "SELECT slug, title, provider, description, url, certificate_url FROM specialization"
    ) == [("literal", "yes", "on", "no", "http://on.test/null", None)]
    assert store.rows("SELECT slug, title, description FROM course") == [("c0123", "0123", "0x1F")]
    assert store.rows("SELECT slug, title, description FROM topic ORDER BY position") == [
        ("no", "no", None),
        ("off", "off", None),
        ("null", "null", "~"),
        ("1e3", "1e3", None),
        ("12-30", "12:30", None),
        ("y2k", "2001-01-01", ".inf"),
    ]


def test_slugs_are_derived_from_titles(store: Store, tmp_path: Path, yaml_parser: str) -> None:
    path = write(
        tmp_path,
        """\
        title: Éléments d'Apprentissage Profond
        courses:
          - title: "Ça marche: les Réseaux (1)"
            topics:
              - Über-Modelle & Co.
              - title: "  Naïve   Bayes  "
          - title: C++ / Rust
        """,
    )
    result = store.run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "imported elements-d-apprentissage: Éléments d'Apprentissage Profond "
    )
    # a long title's slug is its first significant words, within 24 characters
    assert store.rows("SELECT slug FROM specialization") == [("elements-d-apprentissage",)]
    assert store.rows("SELECT slug, title FROM course ORDER BY position") == [
        ("ca-marche-les-reseaux-1", "Ça marche: les Réseaux (1)"),
        ("c-rust", "C++ / Rust"),
    ]
    assert store.rows("SELECT slug, title FROM topic ORDER BY position") == [
        ("uber-modelle-co", "Über-Modelle & Co."),
        ("naive-bayes", "Naïve   Bayes"),
    ]


def test_slugs_spell_out_letters_that_are_not_accented(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        title: Straße
        courses:
          - title: Øresund Æble
          - title: Łódź
        """,
    )
    imported(store, path)
    assert store.rows("SELECT slug FROM specialization") == [("strasse",)]
    assert store.rows("SELECT slug FROM course ORDER BY position") == [
        ("oresund-aeble",),
        ("lodz",),
    ]


def test_topic_as_string_or_mapping_is_the_same(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        title: T
        courses:
          - title: C
            topics:
              - Week One
              - title: Week Two
              - title: Week Three
                slug: three
                description: The last week.
                url: https://example.org/3
        """,
    )
    imported(store, path)
    assert store.rows("SELECT position, slug, title, description, url FROM topic") == [
        (1, "week-one", "Week One", None, None),
        (2, "week-two", "Week Two", None, None),
        (3, "three", "Week Three", "The last week.", "https://example.org/3"),
    ]


@pytest.mark.parametrize(
    "topics",
    ["", "\n    topics:", "\n    topics: []", "\n    topics: ~", "\n    topics: ''"],
    ids=["absent", "blank", "empty-list", "tilde", "empty-string"],
)
def test_course_with_no_topics(store: Store, tmp_path: Path, topics: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(f"title: T\ncourses:\n  - title: Capstone{topics}\n", encoding="utf-8")
    if topics.endswith("~"):
        # `~` is text in a catalog, so it is a list-less value, not "nothing".
        assert refuse(store, path) == (
            f"{path}:4:13: topics must be a list (lines starting with '- '), not a single value"
        )
        return
    imported(store, path)
    assert store.rows("SELECT slug, title FROM course") == [("capstone", "Capstone")]
    assert store.rows("SELECT count(*) FROM topic") == [(0,)]
    status = store.run("status", "t", "--json").json()
    assert status["units_total"] == 1


def test_specialization_with_no_courses(store: Store, tmp_path: Path) -> None:
    imported(store, write(tmp_path, "title: Someday\ncourses:\n"))
    assert store.rows("SELECT slug, title FROM specialization") == [("someday", "Someday")]
    assert store.rows("SELECT count(*) FROM course") == [(0,)]


def test_same_topic_slug_in_two_courses_is_fine(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        title: T
        courses:
          - title: A
            topics: [Intro, Wrap-up]
          - title: B
            topics: [Intro, Wrap-up]
        """,
    )
    imported(store, path)
    assert store.rows("SELECT count(*) FROM topic WHERE slug = 'intro'") == [(2,)]


def test_blank_optional_fields_are_absent(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        title: T
        provider:
        description: ''
        courses:
          - title: C
            url:
        """,
    )
    imported(store, path)
    assert store.rows("SELECT provider, description FROM specialization") == [(None, None)]
    assert store.rows("SELECT url FROM course") == [(None,)]


def test_surrounding_whitespace_is_trimmed(store: Store, tmp_path: Path) -> None:
    imported(store, write(tmp_path, "title: '  Deep  '\nslug: ' d '\n"))
    assert store.rows("SELECT slug, title FROM specialization") == [("d", "Deep")]


def test_deep_nesting_is_refused_where_it_gets_too_deep(
    dls: Store, tmp_path: Path, yaml_parser: str
) -> None:
    path = write(tmp_path, "title: T\ndescription: " + "[" * 5000 + "]" * 5000 + "\n")
    # The root mapping is level 1; the 20th bracket, at column 33, opens level 21.
    assert refuse(dls, path) == (
        f"{path}:2:33: nested more than 20 levels deep, far deeper than a catalog goes"
    )


YAMLISH = st.lists(
    st.sampled_from(
        [
            *"ab:-[]{},'\"&*!|>#?%@`~é\t \n",
            *("title: ", "courses:\n", "  - ", "topics:\n", "    - ", "slug: "),
            *("title: x\n", "\n  ", "- title: y\n"),
        ]
    ),
    max_size=30,
).map("".join)


@pytest.mark.slow  # hypothesis over any text
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=YAMLISH)
def test_any_text_is_imported_or_refused_with_a_position(
    store: Store, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    before = store.dump(history=True)
    result = store.run("import", str(path))
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert result.stdout
        return
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.match(rf"Error: {re.escape(str(path))}:\d+:\d+: \S", lines[0]), lines[0]
    assert store.dump(history=True) == before


@settings(max_examples=300, deadline=None)
@given(title=st.text(max_size=300) | st.from_regex(r"[A-Za-z0-9 .\-]{0,300}", fullmatch=True))
def test_a_derived_slug_is_valid_unless_empty_or_all_digits(title: str) -> None:
    # catalog._fill_slugs checks only those two of a slug derived from a title.
    from coursetrack.slugs import slug_problem, slugify

    slug = slugify(title)
    assert not slug or slug.isdigit() or slug_problem(slug) is None


# Hostile catalog files (tests/hostile.py): one line, exit 1, nothing leaked or changed


BILLION_LAUGHS = "\n".join(
    ['lol0: &lol0 "lol"']
    + [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]" for i in range(1, 10)]
    + ["title: *lol9"]
)


FILES = {
    "billion-laughs": (lambda: write_file("lol.yaml", BILLION_LAUGHS), "lol.yaml:2:"),
    "billion-laughs-backup": (
        lambda: write_file("lolb.yaml", "format: coursetrack-backup\n" + BILLION_LAUGHS),
        "lolb.yaml:3:",
    ),
    "nul-bytes": (lambda: write_file("nul.yaml", b"title: T\x00\x00\n"), "nul.yaml:1:9: control"),
    "escape-sequence": (
        lambda: write_file("esc.yaml", b"title: T\ndescription: \x1b]0;owned\x07\n"),
        "esc.yaml:2:14: control character U+001B",
    ),
    "random-binary": (
        lambda: write_file("bin.yaml", bytes(range(256)) * 64),
        "bin.yaml:2:118: not UTF-8 text (byte 0x80)",
    ),
    "elf-header": (
        lambda: write_file("elf.yaml", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
        "elf.yaml:1:1: control character U+007F",
    ),
    "python-object-new": (
        lambda: write_file(
            "pyobj.yaml", "title: T\ncourses:\n  - !!python/object/new:os.system [echo hi]\n"
        ),
        "pyobj.yaml:3:5: tag 'tag:yaml.org,2002:python/object/new:os.system'",
    ),
    "merge-key": (
        lambda: write_file("merge.yaml", "title: T\n<<: {slug: x}\n"),
        "merge.yaml:2:1: unknown key '<<'",
    ),
    "number-as-key": (
        lambda: write_file("num.yaml", "title: T\n1: x\n"),
        "num.yaml:2:1: unknown key '1'",
    ),
    "list-where-text": (
        lambda: write_file("list.yaml", "title: [a, b]\n"),
        "list.yaml:1:8: title must be text, not a list",
    ),
    "over-64-mib": (
        lambda: os.truncate(write_file("huge.yaml", "title: T\n"), 65 * 2**20) or "huge.yaml",
        "huge.yaml is over 64 MiB",
    ),
    "endless-device": (lambda: "/dev/zero", "/dev/zero is over 64 MiB"),
    "directory": (lambda: "adir", "adir is a directory"),
}


@pytest.mark.parametrize("kind", FILES)
def test_hostile_catalog_files(here: Here, kind: str) -> None:
    make, where = FILES[kind]
    here.refused("import", make(), where=where)


def test_a_few_megabytes_of_catalog_import(here: Here) -> None:
    """Big is not hostile: a 4 MB catalog imports, and only adds."""
    before = here.dump()
    topics = "\n".join(
        f"      - title: Topic {n}\n        description: {'x' * 2000}" for n in range(2000)
    )
    Path("big.yaml").write_text(f"title: Big\ncourses:\n  - title: One\n    topics:\n{topics}\n")
    assert Path("big.yaml").stat().st_size > 4_000_000
    result = here.run("import", "big.yaml")
    assert result.exit_code == 0, result.stderr
    assert set(before) <= set(here.dump())
