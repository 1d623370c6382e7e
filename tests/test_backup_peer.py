"""Peer review in backups (issue 23, backup version 2): exported, refused, restored.

A backup carries on each course or topic the learner's own request with the reviews it
received (reviewers as `reviewer 1`, `reviewer 2`) and the reviews they gave (with their
request's author). Restored into a new store it comes back byte for byte; into a study
group's store, what is the learner's is restored and the rest stays in the file.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import DLS, Result, Store
from coursetrack import backup
from coursetrack import store as db
from coursetrack.cli import app
from group import (
    GroupStore,
    group_store_fixture,  # noqa: F401
    ok,
    one_line,
)
from test_backup import (
    _cli,
    _export,
    _fill,
    _restore,
    _rows,
    optional_text,
    some_date,
    stores,
    text,
    web_urls,
)

# --- a record with peer review, planted as the tables hold it ------------------------------

#: The ids of the shipped catalog's items this module plants on (dls/1, dls/2; dls/1/1,
#: dls/1/2, dls/2/1), read from the store.
_ITEMS = (
    "SELECT c.position, t.position, c.id, t.id FROM course c JOIN topic t ON t.course_id = c.id "
    "JOIN specialization s ON s.id = c.specialization_id WHERE s.slug = 'dls' "
    "ORDER BY c.position, t.position"
)


def _ids(store: Store) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    courses, topics = {}, {}
    for c, t, course_id, topic_id in store.rows(_ITEMS):
        courses[c] = course_id
        topics[(c, t)] = topic_id
    return courses, topics


def _plant(store: Store) -> None:
    """The learner's requests on dls/1 (reviewed by bob, then carol) and dls/2/1; their
    reviews of bob's and carol's requests on dls/1/1, and of carol's on dls/2; a review
    between two others and a request nobody reviewed, which are not the learner's."""
    courses, topics = _ids(store)
    insert = "INSERT INTO peer_request (id, {item}, url, note, asked_on{who}) VALUES ({marks})"

    def request(id_: int, item: str, item_id: int, url: str, note, on: str, who=None) -> None:
        values = [id_, item_id, url, note, on] + ([who] if who else [])
        sql = insert.format(
            item=item, who=", learner" if who else "", marks=", ".join("?" * len(values))
        )
        store.execute(sql, *values)

    def review(id_: int, request_id: int, on: str, grade: str, comment: str, who=None) -> None:
        values = [id_, request_id, on, grade, comment] + ([who] if who else [])
        store.execute(
            "INSERT INTO peer_review (id, request_id, reviewed_on, grade, comment"
            + (", learner" if who else "")
            + f") VALUES ({', '.join('?' * len(values))})",
            *values,
        )

    request(11, "course_id", courses[1], "https://nb.test/me/1", "Week 4: yes\nno", "2024-03-01")
    request(12, "topic_id", topics[(2, 1)], "https://nb.test/me/2-1", None, "2024-03-05")
    request(
        13, "topic_id", topics[(1, 1)], "https://nb.test/bob", "bob's note", "2024-02-01", "bob"
    )
    request(14, "topic_id", topics[(1, 1)], "https://nb.test/carol", None, "2024-02-02", "carol")
    request(15, "course_id", courses[2], "https://nb.test/carol/2", None, "2024-02-03", "carol")
    request(16, "topic_id", topics[(1, 2)], "https://nb.test/dave", None, "2024-02-04", "dave")
    review(21, 11, "2024-03-02", "revise", "Plot the loss: null", "bob")
    review(22, 11, "2024-03-03", "pass", "0123", "carol")
    review(23, 14, "2024-02-05", "pass", "Clear.\n\nThanks")
    review(24, 13, "2024-02-06", "revise", "yes")
    review(25, 15, "2024-02-07", "pass", "Good")
    review(26, 16, "2024-02-08", "pass", "not mine", "bob")


EXPECTED_DLS1 = {
    "peer_request": {
        "url": "https://nb.test/me/1",
        "note": "Week 4: yes\nno",
        "asked_on": "2024-03-01",
        "reviews": [
            {
                "reviewer": "reviewer 1",
                "reviewed_on": "2024-03-02",
                "grade": "revise",
                "comment": "Plot the loss: null",
            },
            {
                "reviewer": "reviewer 2",
                "reviewed_on": "2024-03-03",
                "grade": "pass",
                "comment": "0123",
            },
        ],
    },
}


def _course(document: dict, n: int) -> dict:
    return document["specializations"][0]["courses"][n - 1]


def test_a_backup_carries_peer_review_as_version_2(dls: Store) -> None:
    _plant(dls)
    result = dls.run("export", "json")
    ok(result)
    document = json.loads(result.stdout)
    assert document["version"] == 2
    course = _course(document, 1)
    assert {k: course[k] for k in EXPECTED_DLS1} == EXPECTED_DLS1
    assert "peer_reviews" not in course
    assert course["topics"][0]["peer_reviews"] == [
        {
            "author": "carol",
            "url": "https://nb.test/carol",
            "asked_on": "2024-02-02",
            "reviewed_on": "2024-02-05",
            "grade": "pass",
            "comment": "Clear.\n\nThanks",
        },
        {
            "author": "bob",
            "url": "https://nb.test/bob",
            "asked_on": "2024-02-01",
            "reviewed_on": "2024-02-06",
            "grade": "revise",
            "comment": "yes",
        },
    ]
    assert "peer_request" not in course["topics"][0]
    assert "peer_reviews" not in course["topics"][1]  # dave's request: nobody's review of mine
    assert _course(document, 2)["peer_reviews"][0]["author"] == "carol"
    assert _course(document, 2)["topics"][0]["peer_request"] == {
        "url": "https://nb.test/me/2-1",
        "asked_on": "2024-03-05",
    }
    assert "bob" not in json.dumps(EXPECTED_DLS1)  # the reviewers of my work: unnamed
    yaml_text = dls.run("export", "yaml").stdout
    assert yaml_text.startswith("# A coursetrack backup (coursetrack-backup version 2).\n")
    assert "\nversion: 2\n" in yaml_text


def test_a_backup_without_peer_review_stays_version_1(dls: Store) -> None:
    """Byte for byte what it was: the version, the header; one specialization's backup
    holds no peer review of another's items."""
    result = dls.run("export", "yaml")
    ok(result)
    assert result.stdout.startswith("# A coursetrack backup (coursetrack-backup version 1).\n")
    assert "\nversion: 1\n" in result.stdout
    assert "peer" not in result.stdout


def _store_at(where: str, engine: str) -> Store:
    """A Store for another `--db` (a fresh store of the test's engine)."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict | None = None) -> Result:
        result = runner.invoke(app, ["--db", where, *args], input=input, env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    return Store(where, run, engine)


def _round_trip(source: Store, target: Store, kind: str, folder: Path) -> str:
    """Export `source`, import into `target`, export again: the same bytes."""
    exported = source.run("export", kind)
    ok(exported)
    path = folder / f"{len(list(folder.iterdir()))}.{kind}"
    path.write_text(exported.stdout, encoding="utf-8")
    ok(target.run("import", str(path)))
    again = target.run("export", kind)
    ok(again)
    assert again.stdout == exported.stdout
    return exported.stdout


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_restore_into_a_new_store_is_lossless(
    dls: Store, new_store, kind: str, engine: str, tmp_path: Path
) -> None:
    """On either engine (a PostgreSQL store not a group's): the reviews received are kept
    under their pseudonyms, the requests reviewed under their authors' names, and the
    export of the restored store gives the same bytes; so does a third round."""
    _plant(dls)
    target = _store_at(new_store(), engine)
    text = _round_trip(dls, target, kind, tmp_path)
    assert "reviewer 2" in text
    reviewers = [row[0] for row in target.rows("SELECT learner FROM peer_review ORDER BY id")]
    assert reviewers[:2] == ["reviewer 1", "reviewer 2"]
    authors = sorted(row[0] for row in target.rows("SELECT learner FROM peer_request"))
    assert authors.count("carol") == 2 and authors.count("bob") == 1
    assert "dave" not in authors  # not the learner's: not in the backup
    # bob's note is his, not the learner's: the backup does not hold it
    assert target.rows("SELECT note FROM peer_request WHERE learner = 'bob'") == [(None,)]
    _round_trip(target, _store_at(new_store(), engine), kind, tmp_path)


def test_log_names_peer_rows_and_undo_takes_the_restore_back(
    dls: Store, new_store, engine: str, tmp_path: Path
) -> None:
    """The restore is one command: log shows its peer rows readably (a request by its item,
    a review by its request; a row kept for someone else with that someone's name, never
    as the learner's own), and undo removes every one of them."""
    _plant(dls)
    target = _store_at(new_store(), engine)
    _round_trip(dls, target, "yaml", tmp_path)
    logged = target.run("log", "-n", "1", "--json")
    ok(logged)
    changes = logged.json()["commands"][0]["changes"]  # type: ignore[index]
    requests = [c for c in changes if c["table"] == "peer_request"]
    assert {c["item"] for c in requests} == {
        "dls/neural-networks",
        "dls/improving",
        "dls/neural-networks/introduction",
        "dls/improving/practical-aspects",
    }
    mine = next(c for c in requests if c["new"]["url"] == "https://nb.test/me/1")
    assert "learner" not in mine["new"]
    bobs = next(c for c in requests if c["new"]["url"] == "https://nb.test/bob")
    assert bobs["new"]["learner"] == "bob"
    reviews = [c for c in changes if c["table"] == "peer_review"]
    assert len(reviews) == 5
    first_id = mine["row_id"]
    received = [c for c in reviews if c["item"] == f"request {first_id}"]
    assert [c["new"]["learner"] for c in received] == ["reviewer 1", "reviewer 2"]
    assert sum("learner" not in c["new"] for c in reviews) == 3  # the learner's own
    shown = target.run("log", "dls/1", "-n", "1")  # the changes under dls/1, in words
    ok(shown)
    words = " ".join(shown.stdout.split())
    assert "added peer_request dls/neural-networks (url=https://nb.test/me/1, note=Week 4:" in words
    assert (
        "added peer_request dls/neural-networks/introduction (url=https://nb.test/bob, "
        "asked_on=2024-02-01, learner=bob)" in words
    )
    ok(target.run("undo", "--yes"))
    assert target.rows("SELECT count(*) FROM peer_request") == [(0,)]
    assert target.rows("SELECT count(*) FROM peer_review") == [(0,)]
    assert target.rows("SELECT count(*) FROM specialization") == [(0,)]


# --- the format's rules: versions, and a hostile backup refused in one line -------------------

_V2 = """\
format: coursetrack-backup
version: 2
specializations:
- slug: s
  title: S
  courses:
  - slug: c
    title: C
    peer_reviews:
    - author: bob
      url: https://nb.test/bob
      asked_on: '2024-01-01'
      reviewed_on: '2024-01-02'
      grade: pass
      comment: fine
    topics:
    - slug: t
      title: T
      peer_request:
        url: https://nb.test/
        note: mine
        asked_on: '2024-01-01'
        reviews:
        - reviewer: reviewer 1
          reviewed_on: '2024-01-02'
          grade: revise
          comment: ok
"""


def _refused(tmp_path: Path, content: str, name: str = "bad.yaml") -> str:
    """Importing `content` into a new store: refused in one line, nothing written."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    target = tmp_path / "store.db"
    result = _cli(target, "import", str(path))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert not target.exists() or _rows(target) == []
    if target.exists():
        con = sqlite3.connect(target)
        try:
            for table in ("specialization", "peer_request", "peer_review", "command"):
                assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
        finally:
            con.close()
    return lines[0].removeprefix("Error: ").removeprefix(f"{tmp_path}/")


def test_the_v2_example_restores_and_exports_the_same(tmp_path: Path, yaml_parser: str) -> None:
    """A version-2 backup is read back whole, the header written as version 2."""
    path = tmp_path / "v2.yaml"
    path.write_text(backup.yaml_header(2) + _V2, encoding="utf-8")
    target = tmp_path / "store.db"
    result = _cli(target, "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"restored s from {path}: 1 courses, 1 topics, 0 progress records"
    ]
    assert _cli(target, "export", "yaml").stdout == path.read_text(encoding="utf-8")


def test_a_version_2_backup_without_peer_review_is_read(tmp_path: Path) -> None:
    """The reader reads both versions; what it writes back is version 1, as nothing in it
    needs more."""
    path = tmp_path / "v2.yaml"
    path.write_text(
        "format: coursetrack-backup\nversion: 2\nspecializations:\n- slug: s\n  title: S\n",
        encoding="utf-8",
    )
    target = tmp_path / "store.db"
    assert _cli(target, "import", str(path)).exit_code == 0
    assert "\nversion: 1\n" in _cli(target, "export", "yaml").stdout


HOSTILE = [
    (
        _V2.replace("version: 2", "version: 1"),
        "bad.yaml:10:5: peer_reviews is peer review, which a backup holds from version 2; "
        "this one says version 1",
    ),
    (
        _V2.replace("version: 2", "version: '1'").replace(
            "    peer_reviews:", "    x_peer: []\n    old_reviews:"
        ),
        "bad.yaml:9:5: unknown key 'x_peer'",
    ),
    (
        _V2.replace("grade: pass", "grade: great"),
        "bad.yaml:14:14: grade 'great' is not one of pass or revise",
    ),
    (
        _V2.replace("reviewer: reviewer 1", "reviewer: bob"),
        "bad.yaml:24:21: reviewer 'bob' should be 'reviewer 1': reviewers are numbered in the "
        "order they are listed (the order they reviewed)",
    ),
    (
        _V2.replace(
            "      comment: fine\n",
            "      comment: fine\n" + _V2[_V2.index("    - author") : _V2.index("    topics")],
        ),
        "bad.yaml:16:15: a second review of the request by 'bob' on this item",
    ),
    (
        _V2.replace("author: bob", "author: me"),
        "bad.yaml:10:15: a review of me's own request, and you are me: a peer review is never "
        "of its reviewer's own work",
    ),
    (
        _V2.replace("      grade: pass\n", "      grade: pass\n      scores: {Clarity: '3'}\n"),
        "bad.yaml:15:15: scores, but the item has no rubric to score",
    ),
    (
        _V2.replace("      grade: pass\n", "      grade: pass\n      scores: {Clarity: '101'}\n"),
        "bad.yaml:15:15: the score of 'Clarity' must be a whole number from 0 to 100",
    ),
    (
        _V2.replace("comment: ok", "comment: '  '"),
        "bad.yaml:27:20: comment is empty; give it some text",
    ),
    (
        _V2.replace("author: bob", "author: " + "b" * 64),
        "bad.yaml:10:15: author is 64 characters long; the limit is 63",
    ),
    (
        _V2.replace("url: https://nb.test/\n", "url: 'javascript:alert(1)'\n"),
        "bad.yaml:20:14: url 'javascript:alert(1)' uses the javascript: scheme",
    ),
    (
        _V2.replace(
            "  courses:\n",
            "  peer_request: {url: 'https://nb.test/', asked_on: '2024-01-01'}\n  courses:\n",
        ),
        "bad.yaml:6:3: unknown key 'peer_request'",
    ),
]


@pytest.mark.parametrize(("content", "message"), HOSTILE)
def test_a_hostile_backup_is_refused_at_its_place_and_changes_nothing(
    tmp_path: Path, content: str, message: str, yaml_parser: str
) -> None:
    assert _refused(tmp_path, content).startswith(message)


def test_a_json_backup_names_the_path_of_what_only_the_store_tells(tmp_path: Path) -> None:
    """A review of one's own request, found once the store is open: in a JSON backup,
    named by its path, as JSON's other errors without a line are."""
    document = yaml.load(_V2.replace("author: bob", "author: me"), Loader=yaml.SafeLoader)
    refused = _refused(tmp_path, json.dumps(document, indent=2), "bad.json")
    assert refused.startswith(
        "bad.json: at specializations[0].courses[0].peer_reviews[0].author: a review of me's "
        "own request"
    )


# --- round trips of any peer review (hypothesis) ---------------------------------------------

#: Names a learner (a PostgreSQL role) may have: any text of 1 to 63 bytes, some of which
#: YAML would read as something else, or that look like a pseudonym.
authors = st.one_of(
    st.sampled_from(["bob", "carol", "reviewer 1", "yes", "null", "0123", "ünï 深"]),
    st.text(min_size=1, max_size=12),
).filter(lambda a: a != "me" and "\x00" not in a and len(a.encode()) <= 63)
verdicts = st.sampled_from(["pass", "revise"])
_received = st.fixed_dictionaries({"reviewed_on": some_date, "grade": verdicts, "comment": text})
_request = st.fixed_dictionaries(
    {
        "url": web_urls,
        "note": optional_text,
        "asked_on": some_date,
        "reviews": st.lists(_received, max_size=3),
    }
)
_given = st.fixed_dictionaries(
    {
        "author": authors,
        "url": web_urls,
        "asked_on": some_date,
        "reviewed_on": some_date,
        "grade": verdicts,
        "comment": text,
    }
)
_peer = st.fixed_dictionaries(
    {
        "request": st.one_of(st.none(), _request),
        "given": st.lists(_given, max_size=2, unique_by=lambda g: g["author"]),
    }
)


def _plant_any(path: Path, draw) -> None:
    """Peer review on every course and topic of the store, as `draw` gives it: the
    learner's requests reviewed by others (their real names), their reviews of others'."""
    store = db.open_store(str(path), write=True)
    with store.write() as writer:
        items = [
            ("course_id", r.id, r.rubric)
            for r in writer.all("SELECT id, rubric FROM course ORDER BY id")
        ]
        items += [
            ("topic_id", r.id, r.rubric)
            for r in writer.all("SELECT id, rubric FROM topic ORDER BY id")
        ]

        def scores(rubric: str | None) -> str | None:
            """Scores that fit the item's rubric (the store's rule), or None without one."""
            if rubric is None:
                return None
            criteria = json.loads(rubric)
            return json.dumps({c["criterion"]: draw(st.integers(0, c["points"])) for c in criteria})

        for owner, item, rubric in items:
            plan = draw(_peer)
            request = plan["request"]
            if request is not None:
                request_id = writer.insert(
                    f"INSERT INTO peer_request ({owner}, url, note, asked_on) "
                    "VALUES (:item, :url, :note, :asked_on) RETURNING id",
                    item=item,
                    **{k: request[k] for k in ("url", "note", "asked_on")},
                )
                for n, review in enumerate(request["reviews"]):
                    writer.insert(
                        "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, "
                        "comment, learner) "
                        "VALUES (:r, :reviewed_on, :grade, :scores, :comment, :who) RETURNING id",
                        r=request_id,
                        who=f"learner {n}",
                        scores=scores(rubric),
                        **review,
                    )
            for given in plan["given"]:
                request_id = writer.insert(
                    f"INSERT INTO peer_request ({owner}, url, asked_on, learner) "
                    "VALUES (:item, :url, :asked_on, :author) RETURNING id",
                    item=item,
                    url=given["url"],
                    asked_on=given["asked_on"],
                    author=given["author"],
                )
                writer.insert(
                    "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment) "
                    "VALUES (:r, :reviewed_on, :grade, :scores, :comment) RETURNING id",
                    r=request_id,
                    scores=scores(rubric),
                    **{k: given[k] for k in ("reviewed_on", "grade", "comment")},
                )
    store.close()


_PEER_ROWS = [
    "SELECT coalesce(c.slug, tc.slug), t.slug, q.url, q.note, q.asked_on, q.learner = 'me' "
    "FROM peer_request q LEFT JOIN course c ON c.id = q.course_id "
    "LEFT JOIN topic t ON t.id = q.topic_id LEFT JOIN course tc ON tc.id = t.course_id "
    "ORDER BY 1, 2, q.id",
    "SELECT q.url, v.reviewed_on, v.grade, v.scores, v.comment, v.learner = 'me' "
    "FROM peer_review v JOIN peer_request q ON q.id = v.request_id ORDER BY q.url, v.id",
]


def _peer_rows(path: Path) -> list[tuple]:
    """The peer review a store holds, without ids and others' names (a restore writes the
    reviewers of the learner's work as their pseudonyms)."""
    con = sqlite3.connect(path)
    try:
        # as multisets: two requests may share a url, and the restore writes a store's
        # reviews in its own order (the export's order, which the bytes compare)
        requests, reviews = (con.execute(sql).fetchall() for sql in _PEER_ROWS)
        # scores as what they mean: JSON text may spell a character two ways
        reviews = [(*r[:3], r[3] and json.loads(r[3]), *r[4:]) for r in reviews]
        return [sorted(rows, key=repr) for rows in (requests, reviews)]
    finally:
        con.close()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(specs=stores, kind=st.sampled_from(["yaml", "json"]), data=st.data())
@pytest.mark.slow  # hypothesis: many whole backups
def test_any_peer_review_round_trips_byte_for_byte(specs: list, kind: str, data) -> None:
    """On SQLite, whatever the record and its peer review: export, restore into a new store,
    export again gives the same bytes, and the same rows but the reviewers' names."""
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder) / "first.db", Path(folder) / "second.db"
        _fill(first, specs)
        _plant_any(first, data.draw)
        exported = _export(first, kind)
        has_peer = any(_peer_rows(first))
        assert ('"version": 2' in exported or "\nversion: 2\n" in exported) == has_peer
        _restore(second, exported)
        assert _export(second, kind) == exported
        assert _peer_rows(second) == _peer_rows(first)
        assert _rows(second) == _rows(first)


# --- into a study group's store ---------------------------------------------------------


def _by_hand(g: GroupStore, sql: str, *params: object) -> None:
    """A change written by hand (as the server's superuser, filed under the newest command
    as a hand-written change is: see conftest's Store.executemany)."""
    with g.connect(g.superuser) as con, con.transaction():
        con.execute(
            "SELECT set_config('coursetrack.command', (SELECT max(id)::text FROM command), true)"
        )
        con.execute(sql.replace("?", "%s"), params)


def _as(g: GroupStore, learner: str, sql: str, *params: object) -> None:
    """A row written by hand for `learner` (its last parameter)."""
    _by_hand(g, sql, *params, learner)


def test_restore_into_a_group_restores_what_is_the_learners(
    group_store: GroupStore, tmp_path: Path
) -> None:
    """alice restores her backup into the group: her requests, and her reviews of the
    requests the group has (bob's on dls/1/1, carol's on dls/2), as hers; the two reviews
    she received belong to bob and carol, and the group no longer has carol's request on
    dls/1/1: both said in a line each. Scores that do not fit the group's rubric are
    refused first, at their place, with nothing written; undo takes the restore back."""
    g = group_store
    source = _store_at(str(tmp_path / "alone.db"), "sqlite")
    ok(source.run("import", DLS))
    _plant(source)
    path = tmp_path / "alice.yaml"
    path.write_text(source.run("export", "yaml").stdout, encoding="utf-8")
    courses, topics = _ids(_store_at(g.url(g.owner), "postgresql"))
    _as(
        g,
        "bob",
        "INSERT INTO peer_request (topic_id, url, asked_on, learner) "
        "VALUES (?, 'https://nb.test/bob', '2024-02-01', ?)",
        topics[(1, 1)],
    )
    _as(
        g,
        "carol",
        "INSERT INTO peer_request (course_id, url, asked_on, learner) "
        "VALUES (?, 'https://nb.test/carol/2', '2024-02-03', ?)",
        courses[2],
    )

    # the group's rubric on dls/2: alice's review of carol's request there gave no scores
    rubric = '[{"criterion": "Clarity", "points": 5}]'
    _by_hand(g, "UPDATE course SET rubric = ? WHERE id = ?", rubric, courses[2])
    before = g.all_rows("SELECT count(*) FROM command")
    refused = one_line(g.run("alice", "import", str(path)))
    lines = path.read_text(encoding="utf-8").splitlines()
    line = [n for n, text in enumerate(lines, start=1) if text.endswith("- author: carol")][1]
    col = lines[line - 1].index("author") + 1  # the review's mapping
    assert refused == (
        f"Error: {path}:{line}:{col}: no scores, but the item's rubric scores Clarity"
    )
    assert g.all_rows("SELECT count(*) FROM command") == before
    assert g.all_rows("SELECT count(*) FROM peer_review") == [(0,)]
    assert g.all_rows("SELECT count(*) FROM peer_request") == [(2,)]
    _by_hand(g, "UPDATE course SET rubric = NULL WHERE id = ?", courses[2])

    result = g.run("alice", "import", str(path))
    ok(result)
    assert result.stdout.splitlines()[1:] == [
        "kept in the file, not restored: 2 reviews you received belong to their reviewers",
        "kept in the file, not restored: 1 review you gave of a request the group no longer has",
    ]
    assert g.all_rows(
        "SELECT url, note, asked_on FROM peer_request WHERE learner = 'alice' ORDER BY id"
    ) == [
        ("https://nb.test/me/1", "Week 4: yes\nno", "2024-03-01"),
        ("https://nb.test/me/2-1", None, "2024-03-05"),
    ]
    assert g.all_rows(
        "SELECT q.learner, v.reviewed_on, v.grade, v.comment FROM peer_review v "
        "JOIN peer_request q ON q.id = v.request_id WHERE v.learner = 'alice' ORDER BY v.id"
    ) == [("bob", "2024-02-06", "revise", "yes"), ("carol", "2024-02-07", "pass", "Good")]
    assert g.all_rows("SELECT count(*) FROM peer_review WHERE learner <> 'alice'") == [(0,)]

    # a second restore would merge two records of the same study: refused
    again = one_line(g.run("alice", "import", str(path)))
    assert "nothing was restored" in again
    ok(g.run("alice", "undo", "--yes"))
    assert g.all_rows("SELECT count(*) FROM peer_request WHERE learner = 'alice'") == [(0,)]
    assert g.all_rows("SELECT count(*) FROM peer_review") == [(0,)]


def _readme_section() -> str:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Backups:")
    return readme[start : readme.index("\n## ", start + 1)]


def test_the_readmes_peer_review_example_is_a_real_backup(tmp_path: Path) -> None:
    """The README's version-2 example restores, and exports back to the same text; its
    line for what a group's restore keeps in the file is the program's."""
    section = _readme_section()
    after = section.index("**Peer review (version 2).**")
    example = section[section.index("```yaml\n", after) + 8 : section.index("```\n", after + 1)]
    example = example[: example.index("```")] if "```" in example else example
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    target = tmp_path / "store.db"
    assert _cli(target, "import", str(path)).exit_code == 0
    assert _cli(target, "export", "yaml").stdout == backup.yaml_header(2) + example
    assert (
        "kept in the file, not restored: 2 reviews you received belong to their reviewers"
        in section
    )


_RUBRIC = '[{"criterion": "Clarity", "points": 5}, {"criterion": "yes", "points": 3}]'


def test_scores_are_backed_up_in_the_reviews_order_and_round_trip(
    dls: Store, new_store, engine: str, tmp_path: Path
) -> None:
    """A review's scores are written as the mapping it gave, criteria in its order,
    points as numbers. Restored, they need the item's rubric in the new store: the
    backup's items carry it once the catalog format has `rubric:` (issue 23's catalog
    lane); until then the restore refuses them at their place (no rubric to score)."""
    _, topics = _ids(dls)
    dls.execute("UPDATE topic SET rubric = ? WHERE id = ?", _RUBRIC, topics[(1, 1)])
    dls.execute(
        "INSERT INTO peer_request (id, topic_id, url, asked_on, learner) "
        "VALUES (31, ?, 'https://nb.test/bob', '2024-02-01', 'bob')",
        topics[(1, 1)],
    )
    dls.execute(
        "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment) "
        "VALUES (31, '2024-02-02', 'pass', ?, 'Good')",
        '{"yes": 0, "Clarity": 4}',
    )
    document = dls.run("export", "json").json()
    given = document["specializations"][0]["courses"][0]["topics"][0]["peer_reviews"]  # type: ignore[index]
    assert list(given[0]["scores"].items()) == [("yes", 0), ("Clarity", 4)]
    exported = dls.run("export", "yaml").stdout
    assert "        scores:\n          'yes': 0\n          Clarity: 4\n" in exported
    from coursetrack.store import backup as columns

    target = _store_at(new_store(), engine)
    if "rubric" in columns.ITEMS["topic"]:
        _round_trip(dls, target, "yaml", tmp_path)
        return
    path = tmp_path / "scores.yaml"
    path.write_text(exported, encoding="utf-8")
    result = target.run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.rstrip().endswith("scores, but the item has no rubric to score")


def test_a_backup_and_a_log_of_peer_review_import_no_orm(tmp_path: Path) -> None:
    """Reads import no ORM (ARCHITECTURE): the export and the log of a store holding peer
    review tell the learner's own rows without the models; their name for SQLite's one
    learner is the models'."""
    import subprocess
    import sys

    from coursetrack.models import LOCAL_LEARNER
    from coursetrack.store import backup as columns

    assert columns.LOCAL_LEARNER == LOCAL_LEARNER
    path = tmp_path / "v2.yaml"
    path.write_text(_V2, encoding="utf-8")
    target = tmp_path / "store.db"
    assert _cli(target, "import", str(path)).exit_code == 0
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from coursetrack.cli import app\n"
        f"for args in (['export', 'yaml'], ['log', '--json']):\n"
        f"    r = CliRunner().invoke(app, ['--db', {str(target)!r}, *args])\n"
        "    assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')"
        " or m == 'coursetrack.models'))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
