"""The post reads right for a program not finished yet, keeps a course's links with
that course (not after its topics, where they read as the last topic's), and shows
a link without a title by its host."""

from __future__ import annotations

from pathlib import Path

from export_fixtures import ok, split_post


def post(db: Path, *args: str) -> str:
    return split_post(ok(db, "export", "markdown", "dls", *args).stdout)[1]


def test_an_unfinished_program_is_formed_of_its_courses_and_done_so_far(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    ok(db, "import", "deep-learning-specialization")
    ok(db, "done", "dls/1/1", "dls/1/2", "--on", "2026-09-14")
    body = post(db)
    assert (
        "by Coursera / DeepLearning.AI, since Sep 14, 2026: 2 of 17 topics done so far (11%)."
        in body
    )
    assert "\nThe specialization is formed of 5 courses:\n" in body
    assert "was formed of" not in body
    ok(db, "done", "dls", "--on", "2026-11-13")
    finished = post(db)
    assert "\nThe specialization was formed of 5 courses:\n" in finished
    assert "so far" not in finished


def test_a_courses_links_come_with_the_course_before_its_topics(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    ok(db, "import", "deep-learning-specialization")
    ok(db, "note", "dls/2/1", "dropout works")
    ok(db, "link", "dls/2", "https://github.com/me/nb", "--title", "my notebook")
    for args in ((), ("--dates",)):
        second = post(db, *args).split("### 2. ")[1].split("### 3. ")[0]
        links = second.index("Links:\n\n- [my notebook](https://github.com/me/nb)\n")
        assert links < second.index("- Practical Aspects of Deep Learning"), second


def test_a_link_without_a_title_shows_its_host(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    ok(db, "import", "deep-learning-specialization")
    ok(db, "link", "dls/2/1", "https://youtu.be/x")
    ok(db, "link", "dls/2", "https://www.example.org/a/long/path?q=1")
    body = post(db)
    assert "  - [youtu.be](https://youtu.be/x)\n" in body
    assert "- [example.org](https://www.example.org/a/long/path?q=1)\n" in body
