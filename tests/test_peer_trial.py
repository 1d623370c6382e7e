"""A new user's trial of peer review (lane u): what a study group met, as tests.

The group of tests/group.py (owner olga, curator cora, learners alice, bob, carol)
on the real server, through the CLI; each test is a fault the trial found, or what
a user would get wrong and the program got right.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401

# a new user's weeks with a real group: the full suite's; `-m "not slow"` keeps test_peer and test_peer_security
pytestmark = pytest.mark.slow

URL = "https://github.com/alice/dl/blob/main/w2-logistic.ipynb"


@pytest.fixture
def g(group_store: GroupStore) -> GroupStore:
    return group_store


def _out(g: GroupStore, role: str, *args: str, columns: str = "80") -> str:
    result = g.run(role, *args, env={"COLUMNS": columns})
    ok(result)
    return result.stdout


def _count_line(out: str) -> str:
    """`peer show`'s line that counts the reviews (its place follows the URL's lines)."""
    return next(line for line in out.splitlines() if re.match(r"(\d+ reviews?|no review)", line))


def _ask(g: GroupStore, role: str = "alice", ref: str = "dls/1/2", url: str = URL) -> int:
    return int(json.loads(_out(g, role, "peer", "ask", ref, url, "--json"))["id"])


def test_a_reader_who_may_not_read_the_reviews_is_told_how_many_there_are(g: GroupStore) -> None:
    """carol, who neither asked nor reviewed, read "no review yet" on a request with two;
    bob, who gave one of them, read "1 review" (its JSON said 2)."""
    rid = _ask(g)
    _out(g, "bob", "peer", "review", str(rid), "-g", "pass", "fine")
    _out(g, "cora", "peer", "review", str(rid), "-g", "revise", "the cost is averaged twice")
    carols = _out(g, "carol", "peer", "show", str(rid))
    assert _count_line(carols).startswith("2 reviews (its author and the group's curators")
    bobs = _out(g, "bob", "peer", "show", str(rid))
    assert _count_line(bobs).startswith("2 reviews (yours below;")
    assert "you, " in bobs and "cost is averaged" not in bobs
    # the author and a curator read them all, and the count is the same
    for role in ("alice", "cora"):
        assert _count_line(_out(g, role, "peer", "show", str(rid))) == "2 reviews"
    assert (
        json.loads(_out(g, "carol", "peer", "show", str(rid), "--json"))["request"]["reviews"] == 2
    )
    # one review: "it", not "them all"
    other = _ask(g, "bob", ref="dls/1/3")
    _out(g, "alice", "peer", "review", str(other), "-g", "pass", "fine")
    assert _count_line(_out(g, "carol", "peer", "show", str(other))) == (
        "1 review (its author and the group's curators read it)"
    )


@pytest.mark.parametrize("columns", [60, 80])
def test_peer_show_fits_the_terminal(g: GroupStore, columns: int) -> None:
    """The request's heading (a course's title is long) and its "asked by ...: URL" line
    ran past the edge: the README's own example was 82 columns wide at 80."""
    rid = _ask(g, ref="dls/2", url="https://github.com/alice/dl/blob/main/w2-logistic.ipynb")
    lines = _out(g, "alice", "peer", "show", str(rid), columns=str(columns)).splitlines()
    assert all(len(line) <= columns for line in lines), lines
    assert lines[0].startswith(f"#{rid}  dls/improving  Improving Deep Neural Networks")
    assert lines[0].endswith("…")
    # the URL whole, on a line of its own when it does not fit after the words
    assert any(line.strip() == URL for line in lines) or any(
        line.endswith(": " + URL) for line in lines
    )


def test_group_status_with_reviews_fits_60_columns(g: GroupStore) -> None:
    """The two review columns left the learners' names and their percent cut to two
    characters at 60 columns ("gr…", "2…"): the bar gives way before them."""
    ok(g.run("alice", "done", "dls/1/1"))
    ok(g.run("alice", "goal", "dls", "--by", "2027-12-31"))
    rid = _ask(g)
    _out(g, "bob", "peer", "review", str(rid), "-g", "pass", "fine")
    lines = _out(g, "carol", "group", "status", "dls", columns="60").splitlines()
    assert all(len(line) <= 60 for line in lines), lines
    # the bar gives way; the header of the names may be cut, a name is not
    header = lines[1].split()
    assert header[0].startswith("Lear") and header[1:] == [
        "Units", "%", "Streak", "Reviewed", "Reviews", "Outlook",
    ]  # fmt: skip
    rows = {line.split()[0]: line for line in lines[3:]}
    assert set(rows) == {"alice", "bob", "carol", "cora", "olga"}
    assert "…" not in "".join(rows.values())
    assert rows["alice"].endswith(" ahead")
    assert rows["alice"].split()[:3] == ["alice", "1/17", "5%"]
    # at 80 columns nothing changes: the last active day alone gives way
    wide = _out(g, "carol", "group", "status", "dls").splitlines()
    assert wide[1].split() == [
        "Learner", "Units", "Progress", "%", "Streak", "Reviewed", "Reviews", "Outlook",
    ]  # fmt: skip


def test_asking_again_says_what_it_replaced(g: GroupStore) -> None:
    """A new note on the same link printed "link replaced; its 0 reviews are kept": the
    link was not replaced, and no review was there to keep. Asking again without --note
    takes the note away (the README: it replaces the link and the note), and says so;
    a new link is "link replaced", with its note or without, as before."""
    rid = _ask(g)
    out = _out(g, "alice", "peer", "ask", "dls/1/2", URL, "--note", "is w2 clear?")
    assert out == f"request {rid}: note added\n"
    _out(g, "bob", "peer", "review", str(rid), "-g", "pass", "fine")
    out = _out(g, "alice", "peer", "ask", "dls/1/2", "https://example.org/v2", "--note", "v2")
    assert out == f"request {rid}: link replaced; its 1 review is kept\n"
    out = _out(g, "alice", "peer", "ask", "dls/1/2", "https://example.org/v2")
    assert out == f"request {rid}: note taken away; its 1 review is kept\n"
    asked = json.loads(_out(g, "alice", "peer", "ask", "dls/1/2", URL, "--json"))
    assert list(asked) == ["id", "ref", "title", "url", "note", "asked_on", "action", "reviews"]
    assert (asked["action"], asked["reviews"]) == ("replaced", 1)


def test_removing_an_item_under_anothers_request_names_the_item_and_the_learner(
    g: GroupStore,
) -> None:
    """A curator's `rm` of a topic another learner asked a review of was refused as
    "it would delete records of another learner (bob's peer_request)": a table's name, and
    no item, where the same `rm` over progress names the item and says what is kept."""
    _ask(g, "bob")
    before = g.all_rows("SELECT count(*) FROM topic")
    line = one_line(g.run("cora", "rm", "dls/1/2", "--yes"))
    assert line.startswith("Error: removing topic dls/neural-networks/basics would delete"), line
    assert "(bob)" in line and "peer review" in line and "peer_request" not in line, line
    assert g.all_rows("SELECT count(*) FROM topic") == before
    assert g.all_rows("SELECT count(*) FROM peer_request") == [(1,)]


def test_a_url_given_before_the_ref_is_told_the_order(g: GroupStore) -> None:
    """`peer ask URL REF` was refused as "ref 'https://...' has 4 parts, at most 3": a
    ref's rule, for a learner who only swapped the two."""
    line = one_line(g.run("alice", "peer", "ask", URL, "dls/1/2"))
    assert "has 4 parts" not in line, line
    assert "coursetrack peer ask REF URL" in line and URL in line, line
    assert g.all_rows("SELECT count(*) FROM peer_request") == [(0,)]


# --- what a user gets wrong, and the program got right -----------------------------------


def test_what_a_user_gets_wrong_is_one_line_and_changes_nothing(g: GroupStore) -> None:
    rid = _ask(g)
    before = g.all_rows("SELECT count(*) FROM peer_review")
    refusals = {
        ("peer", "ask", "dls", URL): "is a specialization",
        ("peer", "ask", "dls/1/9", URL): "has no topic 9",
        ("peer", "ask", "dls/1/2", "github.com/alice/dl"): "not an absolute URL",
        ("peer", "review", "abc", "-g", "pass", "x"): "is not a number",
        ("peer", "review", "99", "-g", "pass", "x"): "no peer review request #99",
        ("peer", "review", str(rid), "-g", "passed", "x"): "--grade takes pass or revise",
        ("peer", "review", str(rid), "-g", "pass", "  "): "comment is empty",
        ("peer", "review", str(rid), "-g", "pass", "x", "--score", "a=1"): "has no rubric",
        ("peer", "show", "12x"): "is not a number",
        ("peer", "list", "dls/9"): "has no course 9",
    }
    for args, words in refusals.items():
        line = one_line(g.run("bob", *args), 2 if "passed" in args else 1)
        assert words in line, (args, line)
    assert "your own work" in one_line(
        g.run("alice", "peer", "review", str(rid), "-g", "pass", "x")
    )
    _out(g, "bob", "peer", "review", str(rid), "-g", "pass", "fine")
    again = one_line(g.run("bob", "peer", "review", str(rid), "-g", "revise", "no"))
    assert "you reviewed request" in again and "already" in again
    assert g.all_rows("SELECT count(*) FROM peer_review") == [(before[0][0] + 1,)]


RUBRIC_CATALOG = Path(__file__).parent / "data" / "rubric-catalog.yaml"


def test_a_rubric_change_the_reviews_refuse_names_the_item(g: GroupStore, tmp_path: Path) -> None:
    """The curator lowers a criterion's points under a score given: the refusal said "a
    peer review's scores give each criterion ..." and named neither the item nor its review,
    so a curator with a catalog of many rubrics could not tell which to put back."""
    ok(g.run(g.curator, "import", str(RUBRIC_CATALOG)))
    rid = _ask(g, ref="ml-projects/1/2", url="https://example.org/alice/project")
    _out(
        g, "bob", "peer", "review", str(rid), "-g", "pass", "runs",
        "--score", "Runs from a clean checkout=3",
    )  # fmt: skip
    lowered = tmp_path / "lowered.yaml"
    lowered.write_text(
        RUBRIC_CATALOG.read_text(encoding="utf-8").replace("points: 3", "points: 2"),
        encoding="utf-8",
    )
    line = one_line(g.run(g.curator, "import", str(lowered)))
    assert "ml-projects/classifier/project" in line, line
    assert f"in {lowered} " in line and "1 peer review" in line, line
    assert "lowers 'Runs from a clean checkout' to 2 points under a score of 3" in line, line
    assert "keep 'Runs from a clean checkout' at 3 points or more" in line, line
    assert "rule peer_review_scores" not in line, line
    assert g.all_rows(_RUBRIC_OF_PROJECT) == [(PROJECT_RUBRIC,)]


#: The project topic's stored rubric, and the catalog's (the tests' data).
_RUBRIC_OF_PROJECT = "SELECT rubric FROM topic WHERE slug = 'project'"
PROJECT_RUBRIC = '[{"criterion": "Runs from a clean checkout", "points": 3}]'


def test_a_rubric_taken_off_an_item_with_scored_reviews_names_the_item(
    g: GroupStore, tmp_path: Path
) -> None:
    """A catalog that no longer gives the project its rubric would leave bob's scores
    scoring nothing: refused naming the item and what to keep; the course's rubric, which
    no review scored, may go (in another import) as it was."""
    ok(g.run(g.curator, "import", str(RUBRIC_CATALOG)))
    rid = _ask(g, ref="ml-projects/1/2", url="https://example.org/alice/project")
    _out(
        g, "bob", "peer", "review", str(rid), "-g", "pass", "runs",
        "--score", "Runs from a clean checkout=3",
    )  # fmt: skip
    text = RUBRIC_CATALOG.read_text(encoding="utf-8")
    taken = "        rubric:\n          - criterion: Runs from a clean checkout\n            points: 3\n"
    assert taken in text
    bare = tmp_path / "bare.yaml"
    bare.write_text(text.replace(taken, ""), encoding="utf-8")
    line = one_line(g.run(g.curator, "import", str(bare)))
    assert line.startswith(f"Error: the rubric of ml-projects/classifier/project in {bare} "), line
    assert "takes it away" in line and "keep its rubric" in line, line
    assert g.all_rows(_RUBRIC_OF_PROJECT) == [(PROJECT_RUBRIC,)]
    # a criterion added that the review did not score is refused too, and named
    more = tmp_path / "more.yaml"
    more.write_text(
        text.replace(taken, taken + "          - criterion: Has tests\n            points: 2\n"),
        encoding="utf-8",
    )
    line = one_line(g.run(g.curator, "import", str(more)))
    assert f"ml-projects/classifier/project in {more} " in line, line
    assert "adds criterion 'Has tests'" in line, line
    assert g.all_rows(_RUBRIC_OF_PROJECT) == [(PROJECT_RUBRIC,)]
    # raising the points fits the review: the import goes through
    raised = tmp_path / "raised.yaml"
    raised.write_text(text.replace("points: 3", "points: 4"), encoding="utf-8")
    ok(g.run(g.curator, "import", str(raised)))
    assert g.all_rows(_RUBRIC_OF_PROJECT) == [(PROJECT_RUBRIC.replace("3", "4"),)]


def test_an_undo_that_puts_back_a_rubric_the_reviews_refuse_names_the_item(
    g: GroupStore, tmp_path: Path
) -> None:
    """The curator raised the project's points, bob scored over the old ones, and the
    curator's `undo` of the raise was refused as "a later change is in the way (a peer
    review's scores give each criterion ...)": the rule's words, no item, no review."""
    ok(g.run(g.curator, "import", str(RUBRIC_CATALOG)))
    raised = tmp_path / "raised.yaml"
    raised.write_text(
        RUBRIC_CATALOG.read_text(encoding="utf-8").replace("points: 3", "points: 5"),
        encoding="utf-8",
    )
    ok(g.run(g.curator, "import", str(raised)))
    rid = _ask(g, ref="ml-projects/1/2", url="https://example.org/alice/project")
    _out(
        g, "bob", "peer", "review", str(rid), "-g", "pass", "runs",
        "--score", "Runs from a clean checkout=5",
    )  # fmt: skip
    line = one_line(g.run(g.curator, "undo", "--yes"))
    assert line.startswith("Error: cannot undo #"), line
    assert "the rubric it would put back on ml-projects/classifier/project" in line, line
    assert "lowers 'Runs from a clean checkout' to 3 points under a score of 5" in line, line
    assert "rule peer_review_scores" not in line, line
    assert g.all_rows(_RUBRIC_OF_PROJECT) == [(PROJECT_RUBRIC.replace("3", "5"),)]
