"""`coursetrack peer ask|list|review|show` (issue 23), on a real study group's store.

The group (tests/group.py): the owner olga, the curator cora, the learners alice,
bob and carol. Everything runs through the CLI as one of them; what is stored is
read as the server's superuser (`g.all_rows`), whom row-level security does not hold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import by_hand
from conftest import Store
from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401

NOT_A_GROUP = (
    "peer review needs a study group's store; this one is a single learner's "
    "(see coursetrack group init)"
)
ALICE_URL = "https://github.com/alice/dl/blob/main/w2.ipynb"
RUBRIC = '[{"criterion": "clarity", "points": 5}, {"criterion": "correctness", "points": 10}]'


@pytest.fixture
def g(group_store: GroupStore) -> GroupStore:
    return group_store


def _run(g: GroupStore, role: str, *args: str) -> str:
    result = g.run(role, *args)
    ok(result)
    return result.stdout


def _json(g: GroupStore, role: str, *args: str) -> object:
    return json.loads(_run(g, role, *args, "--json"))


def _stored(g: GroupStore) -> list[tuple]:
    """Every request and review as stored, and how many commands each learner ran."""
    return [
        *g.all_rows("SELECT * FROM peer_request ORDER BY id"),
        *g.all_rows("SELECT * FROM peer_review ORDER BY id"),
        *g.all_rows("SELECT learner, count(*) FROM command GROUP BY learner ORDER BY learner"),
    ]


def _ask(g: GroupStore, role: str = "alice", ref: str = "dls/1/2", url: str = ALICE_URL) -> int:
    asked = _json(g, role, "peer", "ask", ref, url)
    assert isinstance(asked, dict)
    assert list(asked) == ["id", "ref", "title", "url", "note", "asked_on", "action", "reviews"]
    assert (asked["url"], asked["action"], asked["reviews"]) == (url, "asked", 0)
    return int(asked["id"])


def test_three_learners_ask_review_and_read_the_reviews_anonymously(g: GroupStore) -> None:
    out = _run(g, "alice", "peer", "ask", "dls/1/2", ALICE_URL, "--note", "is w2 clear?")
    [(rid, note, asked_on, author)] = g.all_rows(
        "SELECT id, note, asked_on, learner FROM peer_request"
    )
    assert (note, author) == ("is w2 clear?", "alice")
    assert out.startswith(f"request {rid}: asked the group to review your work on dls/")
    assert f"coursetrack peer show {rid}" in out

    # bob and carol find it; alice does not list her own, --mine lists it
    listed = _json(g, "bob", "peer", "list")
    assert listed == {
        "requests": [
            {
                "id": rid,
                "ref": listed["requests"][0]["ref"],  # type: ignore[index]
                "title": listed["requests"][0]["title"],  # type: ignore[index]
                "url": ALICE_URL,
                "asked_on": asked_on,
                "reviews": 0,
                "mine": False,
                "author": "alice",
            }
        ]
    }
    ref = listed["requests"][0]["ref"]  # type: ignore[index]
    assert ref.startswith("dls/") and ref.count("/") == 2
    assert _json(g, "alice", "peer", "list") == {"requests": []}
    assert [r["mine"] for r in _json(g, "alice", "peer", "list", "--mine")["requests"]] == [True]  # type: ignore[index]
    assert "#" + str(rid) in _run(g, "carol", "peer", "list")

    out = _run(g, "bob", "peer", "review", str(rid), "--grade", "pass", "Clear.\n\n- shapes ok")
    assert out == f"reviewed request {rid} (alice's work on {ref}): pass\n"
    reviewed = _json(g, "carol", "peer", "review", f"#{rid}", "-g", "revise", "Explain **why**.")
    assert reviewed["grade"] == "revise" and reviewed["request"] == rid  # type: ignore[index]
    stored = g.all_rows(
        "SELECT request_id, grade, scores, comment, learner FROM peer_review ORDER BY id"
    )
    assert stored == [
        (rid, "pass", None, "Clear.\n\n- shapes ok", "bob"),
        (rid, "revise", None, "Explain **why**.", "carol"),
    ]
    # reviewed: no longer in bob's list
    assert _json(g, "bob", "peer", "list") == {"requests": []}

    # alice reads them as reviewer 1 and 2, in the order given, no names
    shown = _json(g, "alice", "peer", "show", str(rid))
    assert shown == {
        "request": {
            "id": rid,
            "ref": ref,
            "title": shown["request"]["title"],  # type: ignore[index]
            "url": ALICE_URL,
            "note": "is w2 clear?",
            "asked_on": asked_on,
            "author": "alice",
            "mine": True,
            "reviews": 2,
        },
        "reviews": [
            {
                "reviewer": "reviewer 1",
                "grade": "pass",
                "scores": None,
                "comment": "Clear.\n\n- shapes ok",
                "reviewed_on": shown["reviews"][0]["reviewed_on"],  # type: ignore[index]
            },
            {
                "reviewer": "reviewer 2",
                "grade": "revise",
                "scores": None,
                "comment": "Explain **why**.",
                "reviewed_on": shown["reviews"][1]["reviewed_on"],  # type: ignore[index]
            },
        ],
    }
    text = _run(g, "alice", "peer", "show", str(rid))
    assert "reviewer 1" in text and "reviewer 2" in text and "- shapes ok" in text
    assert "bob" not in text and "carol" not in text
    assert [r["reviews"] for r in _json(g, "alice", "peer", "list", "--mine")["requests"]] == [2]  # type: ignore[index]

    # cora, a curator, reads names; bob reads his own review as "you", and not carol's
    assert [r["reviewer"] for r in _json(g, "cora", "peer", "show", str(rid))["reviews"]] == [  # type: ignore[index]
        "bob",
        "carol",
    ]
    bobs = _json(g, "bob", "peer", "show", str(rid))
    assert [(r["reviewer"], r["grade"]) for r in bobs["reviews"]] == [("you", "pass")]  # type: ignore[index]
    assert "carol" not in _run(g, "bob", "peer", "show", str(rid))


def test_asking_again_replaces_the_link_and_keeps_the_reviews(g: GroupStore) -> None:
    rid = _ask(g)
    _run(g, "bob", "peer", "review", str(rid), "-g", "revise", "the loss is wrong")
    _run(g, "carol", "peer", "review", str(rid), "-g", "pass", "fine")
    out = _run(g, "alice", "peer", "ask", "dls/1/2", "https://example.org/v2", "--note", "v2")
    assert out == f"request {rid}: link replaced; its 2 reviews are kept\n"
    assert g.all_rows("SELECT id, url, note FROM peer_request") == [
        (rid, "https://example.org/v2", "v2")
    ]
    assert g.all_rows("SELECT count(*) FROM peer_review WHERE request_id = ?", rid) == [(2,)]
    again = _json(g, "alice", "peer", "ask", "dls/1/2", "https://example.org/v2", "--note", "v2")
    assert again["action"] == "unchanged" and again["reviews"] == 2  # type: ignore[index]


def test_a_rubric_is_scored_and_checked_kindly(g: GroupStore) -> None:
    topic = g.all_rows("SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id "
                       "WHERE c.position = 1 AND t.position = 2")[0][0]  # fmt: skip
    with g.connect(g.owner) as con, con.transaction():  # filed under her newest command
        con.execute("SELECT set_config('coursetrack.command', max(id)::text, true) FROM command")
        con.execute("UPDATE topic SET rubric = %s WHERE id = %s", (RUBRIC, topic))
    rid = _ask(g)
    before = _stored(g)
    refusals = {
        (): "scores every criterion; give --score for 'clarity' (0 to 5), 'correctness' (0 to 10)",
        ("--score", "clarity=4"): "give --score for 'correctness' (0 to 10)",
        ("--score", "clarity=6", "--score", "correctness=1"): "'clarity' is scored with a whole",
        ("--score", "style=1"): "has no criterion 'style'; its criteria: 'clarity' (0 to 5)",
        ("--score", "clarity"): "--score takes CRITERION=POINTS",
        ("--score", "clarity=1", "--score", "clarity=2"): "--score gives 'clarity' twice",
    }
    for scores, words in refusals.items():
        line = one_line(g.run("bob", "peer", "review", str(rid), "-g", "pass", "ok", *scores))
        assert words in line, line
    assert _stored(g) == before
    reviewed = _json(g, "bob", "peer", "review", str(rid), "-g", "pass", "ok",
                     "--score", "correctness=10", "--score", "clarity = 0")  # fmt: skip
    assert reviewed["scores"] == {"clarity": 0, "correctness": 10}  # type: ignore[index]
    [(scores,)] = g.all_rows("SELECT scores FROM peer_review")
    assert json.loads(scores) == {"clarity": 0, "correctness": 10}
    shown = _json(g, "alice", "peer", "show", str(rid))
    assert shown["reviews"][0]["scores"] == {"clarity": 0, "correctness": 10}  # type: ignore[index]
    assert "clarity 0, correctness 10" in _run(g, "alice", "peer", "show", str(rid))


def test_every_refusal_is_one_line_and_changes_nothing(g: GroupStore) -> None:
    rid = _ask(g)
    _run(g, "bob", "peer", "review", str(rid), "-g", "pass", "good")
    before = _stored(g)
    cases = [
        (
            "carol",
            ("peer", "review", "999", "-g", "pass", "x"),
            "there is no peer review request #999",
        ),
        ("carol", ("peer", "show", "999"), "there is no peer review request #999"),
        ("carol", ("peer", "show", "#99999999999"), "there is no peer review request #99999999999"),
        ("carol", ("peer", "review", "abc", "-g", "pass", "x"), "request id 'abc' is not a number"),
        ("alice", ("peer", "review", str(rid), "-g", "pass", "x"), "is your own work on dls/"),
        (
            "bob",
            ("peer", "review", str(rid), "-g", "pass", "x"),
            f"you reviewed request #{rid} already",
        ),
        (
            "carol",
            ("peer", "review", str(rid), "-g", "pass", "  \n"),
            "the review's comment is empty",
        ),
        (
            "carol",
            ("peer", "review", str(rid), "--score", "a=1", "-g", "pass", "x"),
            "has no rubric",
        ),
        ("alice", ("peer", "ask", "dls/1/2", "javascript:alert(1)"), "the URL"),
        ("alice", ("peer", "ask", "dls/1/2", "ftp://example.org/x"), "the URL"),
        ("alice", ("peer", "ask", "dls", ALICE_URL), "dls is a specialization; name one of its"),
        ("alice", ("peer", "ask", "nope/1", ALICE_URL), "no specialization 'nope'"),
    ]
    for role, args, words in cases:
        line = one_line(g.run(role, *args))
        assert words in line, (args, line)
    line = one_line(g.run("carol", "peer", "review", str(rid), "--grade", "x", "ok"), code=2)
    assert line.endswith("--grade takes pass or revise, not 'x'"), line
    assert _stored(g) == before


def test_list_orders_fewest_reviews_first_then_the_oldest(g: GroupStore) -> None:
    """Read by a curator, who reads every review (see the next test for a learner)."""
    first = _ask(g, "alice", "dls/1/1")
    second = _ask(g, "bob", "dls/1/1")
    third = _ask(g, "carol", "dls/1/2")
    _run(g, "bob", "peer", "review", str(first), "-g", "pass", "ok")
    listed = _json(g, "cora", "peer", "list")["requests"]  # type: ignore[index]
    assert [(r["id"], r["reviews"], r["author"]) for r in listed] == [
        (second, 0, "bob"),
        (third, 0, "carol"),
        (first, 1, "alice"),
    ]
    assert [r["id"] for r in _json(g, "cora", "peer", "list", "dls/1/2")["requests"]] == [third]  # type: ignore[index]
    table = _run(g, "cora", "peer", "list")
    assert table.index(f"#{second}") < table.index(f"#{third}") < table.index(f"#{first}")
    assert "No request of others" in _run(g, "cora", "peer", "list", "dls/2")


def test_a_learner_reads_how_many_reviews_others_requests_have(g: GroupStore) -> None:
    first = _ask(g, "alice", "dls/1/1")
    second = _ask(g, "cora", "dls/1/1")
    _run(g, "carol", "peer", "review", str(first), "-g", "pass", "ok")
    listed = _json(g, "bob", "peer", "list")["requests"]  # type: ignore[index]
    assert [(r["id"], r["reviews"]) for r in listed] == [(second, 0), (first, 1)]


def test_log_shows_the_peer_commands_and_undo_takes_back_ones_own_review(g: GroupStore) -> None:
    rid = _ask(g)
    _run(g, "bob", "peer", "review", str(rid), "-g", "pass", "good")
    assert "peer review" in _run(g, "bob", "log")
    assert "peer ask" in _run(g, "alice", "log")
    ok(g.run("bob", "undo", "--yes"))
    assert g.all_rows("SELECT count(*) FROM peer_review") == [(0,)]
    assert [r["id"] for r in _json(g, "bob", "peer", "list")["requests"]] == [rid]  # type: ignore[index]


def test_undo_of_a_request_that_has_reviews_is_refused(g: GroupStore) -> None:
    rid = _ask(g)
    _run(g, "bob", "peer", "review", str(rid), "-g", "pass", "good")
    before = _stored(g)
    line = one_line(g.run("alice", "undo", "--yes"))
    assert f"peer review request #{rid} has 1 review" in line, line
    assert line.endswith("nothing was changed")
    assert _stored(g) == before


def test_peer_refuses_a_store_that_is_not_a_groups(tmp_path: Path, group_store: GroupStore) -> None:
    from typer.testing import CliRunner

    from coursetrack.cli import app

    path = tmp_path / "mine.db"
    commands = [
        ("ask", "dls/1/2", ALICE_URL),
        ("list",),
        ("list", "--mine", "--json"),
        ("review", "1", "-g", "pass", "ok"),
        ("show", "1"),
    ]
    for args in commands:
        result = CliRunner().invoke(app, ["--db", str(path), "peer", *args])
        assert (result.exit_code, result.stdout, result.stderr) == (
            1,
            "",
            f"Error: {NOT_A_GROUP}\n",
        )
    assert not path.exists()
    # a PostgreSQL store that is no group's
    server = group_store.server
    name = server.create_database()
    try:
        for args in commands:
            result = CliRunner().invoke(app, ["--db", server.url(name), "peer", *args])
            assert (result.exit_code, result.stdout, result.stderr) == (
                1,
                "",
                f"Error: {NOT_A_GROUP}\n",
            )
    finally:
        server.drop_database(name)


@pytest.mark.both_engines
def test_the_statements_run_on_both_readers(dls: Store) -> None:
    """Every read of store.peer through the plain readers (sqlite3, psycopg2), as a
    command reads: ann's request of topic 1, reviewed by bo; names read as a curator."""
    from coursetrack.store import peer
    from coursetrack.store.reader import open_reader

    dls.execute(
        "INSERT INTO peer_request (topic_id, url, asked_on, learner) "
        "VALUES (1, 'https://example.org/ann', '2026-10-06', 'ann')"
    )
    [(asked,)] = dls.rows("SELECT max(id) FROM command")
    # bo's review, by a command of its own (the newest is what the inserts are filed under)
    dls.execute(
        f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
        f"VALUES ('2026-10-07T10:00:00+00:00', 'review', {by_hand.values(dls.engine)})"
    )
    dls.execute(
        "INSERT INTO peer_review (request_id, reviewed_on, grade, comment, learner) "
        "VALUES (1, '2026-10-07', 'pass', 'fine', 'bo')"
    )
    with open_reader(dls.db) as reader:
        assert type(reader).__name__ in ("SqliteReader", "PostgresReader")
        [waiting] = peer.to_review(reader, me="cy", names=True)
        assert (waiting.id, waiting.reviews, waiting.author) == (1, 1, "ann")
        assert peer.to_review(reader, me="bo", names=True) == []
        assert peer.to_review(reader, me="bo", names=False, kind="topic", item_id=1) == []
        assert [r.reviews for r in peer.own_requests(reader, me="ann")] == [1]
        assert peer.own_requests(reader, me="ann", kind="topic", item_id=2) == []
        request = peer.request(reader, request_id=1)
        assert request is not None and (request.reviews, request.rubric) == (1, None)
        assert peer.own_request(reader, kind="topic", item_id=1, me="ann") is not None
        assert peer.reviewed_by(reader, request_id=1, me="bo", names=True)
        assert not peer.reviewed_by(reader, request_id=1, me="cy", names=True)
        as_author = peer.reviews(reader, request_id=1, me="ann", names=False)
        assert [r.reviewer for r in as_author] == ["reviewer 1"]
        assert [r.reviewer for r in peer.reviews(reader, request_id=1, me="bo", names=True)] == [
            "you"
        ]
        assert [r.reviewer for r in peer.reviews(reader, request_id=1, me="cy", names=True)] == [
            "bo"
        ]
        # the request was filed under the command `asked`, the review under the next
        reviewed = peer.reviews_of_requests_made_by(reader, command_id=asked)
        assert reviewed is not None and (reviewed.id, reviewed.reviews) == (1, 1)
        assert peer.reviews_of_requests_made_by(reader, command_id=asked + 1) is None


def test_removing_an_item_under_a_reviewed_request_is_refused_in_one_line(g: GroupStore) -> None:
    """The reviews are bob's; cora's `rm` would take their request from under them (the
    foreign key does not cascade): the driver's refusal is worded, nothing is changed."""
    rid = _ask(g, "cora")
    _run(g, "bob", "peer", "review", str(rid), "-g", "pass", "good")
    before = [*_stored(g), *g.all_rows("SELECT count(*) FROM topic")]
    line = one_line(g.run("cora", "rm", "dls/1/2", "--yes"))
    assert line.endswith(
        "refused: a peer review request that has reviews cannot be removed "
        "(they are other learners'); nothing was changed"
    ), line
    assert [*_stored(g), *g.all_rows("SELECT count(*) FROM topic")] == before
