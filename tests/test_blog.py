"""`coursetrack export markdown`: the post, its front matter, escaping and writing."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coursetrack.blog import allowed_url, escape_inline, escape_line, href, time_span
from coursetrack.markdown_notes import neutralise
from export_fixtures import (
    CERTIFICATE,
    CODE_AND_MATHS,
    DISPLAY_MATHS,
    HOSTILE,
    INLINE_MATHS,
    NEW_YORK,
    cli,
    finished_dls,
    local_zone,
    ok,
    shipped_dls,
    split_post,
    studied_dls,
)


@pytest.fixture
def finished(db: str) -> str:
    """Every course done, on each engine (`db`: a file under tmp_path, or a database)."""
    return finished_dls(db)


# --- acceptance -----------------------------------------------------------------------


def test_acceptance_hugo_post_from_the_shipped_catalog(finished: Path) -> None:
    with local_zone(NEW_YORK):
        result = ok(
            finished,
            "export",
            "markdown",
            "dls",
            "--tag",
            "Deep Learning",
            "--image",
            "/images/coursera_dl.jpg",
        )
    front, body = split_post(result.stdout)
    catalog = shipped_dls()
    assert front == {
        "title": "Deep Learning Specialization",
        "date": "2024-05-01T00:00:00-04:00",
        "description": " ".join(catalog.description.split()),
        "tags": ["Deep Learning"],
        "draft": False,
        "images": ["/images/coursera_dl.jpg"],
        "featured_image": "/images/coursera_dl.jpg",
    }
    assert dt.datetime.fromisoformat(front["date"]).utcoffset() == dt.timedelta(hours=-4)
    assert f"\ncertificate is available here: <{CERTIFICATE}>\n" in body
    assert "\nThe specialization was formed of 5 courses:\n\n" in body
    expected = [
        f"{i}. [{course.title}]({course.url}) - {' '.join(course.description.split())}"
        for i, course in enumerate(catalog.courses, start=1)
    ]
    lines = body.splitlines()
    positions = [lines.index(line) for line in expected]
    assert positions == sorted(positions)
    assert all(lines[p + 1 : p + 2] in ([""], []) for p in positions)  # blank between items
    assert body.index("certificate is available") < body.index("formed of 5 courses")


def test_what_the_learner_did_with_dates(finished: Path) -> None:
    ok(finished, "update", "dls/2", "--note", "Adam finally made sense")
    body = split_post(ok(finished, "export", "markdown", "dls", "--dates").stdout)[1]
    assert "Overall progress: 100% (17 of 17 topics, 5 of 5 courses done)" in body
    assert ", completed on 2024-05-01." in body
    assert "### 2. Improving Deep Neural Networks" in body
    assert "- Optimization Algorithms - done on 2024-05-01" in body
    assert body.count("Completed on 2024-05-01.") == 5
    notes = [line for line in body.splitlines() if line.startswith("> ")]
    assert len(notes) == 1 and notes[0].endswith(": Adam finally made sense"), "a dated quote"


def test_partial_progress_shows_state_and_percent(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    ok(db, "import", "deep-learning-specialization")
    ok(db, "done", "dls/1/1", "dls/1/2", "--on", "2024-02-01")
    ok(db, "start", "dls/1/3", "--on", "2024-02-02")
    body = split_post(ok(db, "export", "markdown", "dls", "--dates").stdout)[1]
    assert "certificate is available" not in body
    assert "Overall progress: 11% (2 of 17 topics, 0 of 5 courses done)" in body
    assert "In progress since 2024-02-01: 2 of 4 topics done (50%)." in body
    assert "- Shallow Neural Networks - in progress" in body
    assert "- Deep Neural Networks - not started" in body
    assert "### 5. Sequence Models\n\nNot started." in body


def test_same_store_same_bytes(finished: Path) -> None:
    first = ok(finished, "export", "markdown", "dls", "--format", "jekyll").stdout
    second = ok(finished, "export", "markdown", "dls", "--format", "jekyll").stdout
    assert first == second


# --- front matter ----------------------------------------------------------------------

JEKYLL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}$")


def test_jekyll_front_matter_follows_jekyll_rules(finished: Path, tmp_path: Path) -> None:
    """Jekyll's documented rules: the file starts with the `---` line, the block is YAML,
    `layout`, `date` as `YYYY-MM-DD HH:MM:SS +/-TTTT`, `published` a boolean, and a post
    in `_posts/` is named `YEAR-MONTH-DAY-title.md` with the same day."""
    site = tmp_path / "site"
    site.mkdir()
    with local_zone(NEW_YORK):
        result = ok(
            finished, "export", "markdown", "dls", "--format", "jekyll", "--tag", "ML", "-o", site
        )
    path = site / "_posts" / "2024-05-01-dls.md"
    assert f"wrote {path}" in result.stdout
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert text.splitlines()[0] == "---"
    front, body = split_post(text)
    assert front["layout"] == "post"
    assert front["title"] == "Deep Learning Specialization"
    assert JEKYLL_DATE.match(front["date"])
    assert front["date"] == "2024-05-01 00:00:00 -0400"
    assert front["date"][:10] == path.name[:10]
    assert front["published"] is True
    assert front["tags"] == ["ML"]
    assert "draft" not in front
    assert "formed of 5 courses" in body


def test_jekyll_in_a_posts_folder_and_draft(finished: Path, tmp_path: Path) -> None:
    posts = tmp_path / "_posts"
    posts.mkdir()
    ok(finished, "export", "markdown", "dls", "--format", "jekyll", "--draft", "-o", posts)
    (path,) = posts.iterdir()
    assert path.name == "2024-05-01-dls.md", "Jekyll's name: the date, then the slug"
    assert split_post(path.read_text(encoding="utf-8"))[0]["published"] is False


def test_hugo_output_folder_and_draft(finished: Path, tmp_path: Path) -> None:
    ok(finished, "export", "markdown", "dls", "--draft", "--title", "My DLS", "-o", tmp_path)
    front = split_post((tmp_path / "dls.md").read_text(encoding="utf-8"))[0]
    assert front["draft"] is True
    assert front["title"] == "My DLS"


def test_plain_has_no_front_matter(finished: Path) -> None:
    text = ok(finished, "export", "markdown", "dls", "--format", "plain").stdout
    assert text.startswith("# Deep Learning Specialization\n\n")
    assert "\n---\n" not in text
    assert "formed of 5 courses" in text


@pytest.mark.parametrize(
    ("given", "hugo", "jekyll"),
    [
        ("2020-10-27T16:32:08-04:00", "2020-10-27T16:32:08-04:00", "2020-10-27 16:32:08 -0400"),
        ("2020-10-27 16:32:08 +0530", "2020-10-27T16:32:08+05:30", "2020-10-27 16:32:08 +0530"),
        ("2021-01-15", "2021-01-15T00:00:00-05:00", "2021-01-15 00:00:00 -0500"),
        ("2021-07-15T09:30", "2021-07-15T09:30:00-04:00", "2021-07-15 09:30:00 -0400"),
    ],
)
def test_explicit_date_keeps_its_offset(finished: Path, given: str, hugo: str, jekyll: str) -> None:
    with local_zone(NEW_YORK):
        h = ok(finished, "export", "markdown", "dls", "--date", given).stdout
        j = ok(finished, "export", "markdown", "dls", "--date", given, "--format", "jekyll").stdout
    assert split_post(h)[0]["date"] == hugo
    assert split_post(j)[0]["date"] == jekyll


def test_default_date_of_an_unfinished_specialization_is_now_with_an_offset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.db"
    ok(db, "import", "deep-learning-specialization")
    with local_zone(NEW_YORK):
        date = split_post(ok(db, "export", "markdown", "dls").stdout)[0]["date"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[45]:00", date)
        monkeypatch.setenv("COURSETRACK_NOW", "2026-03-01T09:00:00.123456")
        pinned = split_post(ok(db, "export", "markdown", "dls").stdout)[0]["date"]
    assert pinned == "2026-03-01T09:00:00-05:00"


def test_bad_date_and_format_are_refused(finished: Path) -> None:
    result = cli(finished, "export", "markdown", "dls", "--date", "next tuesday")
    assert result.exit_code == 1
    assert "--date 'next tuesday' is not a date" in result.stderr
    result = cli(finished, "export", "markdown", "dls", "--format", "pelican")
    assert result.exit_code == 2, "a bad choice is a usage error"
    assert result.stderr == "Error: --format takes hugo, jekyll or plain, not 'pelican'\n"


def test_a_course_ref_is_refused(finished: Path) -> None:
    result = cli(finished, "export", "markdown", "dls/2")
    assert result.exit_code == 1
    assert "a post is about a whole specialization" in result.stderr


# --- the learner's own words -------------------------------------------------------------


def test_intro_comes_first_unescaped(finished: Path, tmp_path: Path) -> None:
    intro = tmp_path / "intro.md"
    intro.write_text("Why I took it: **curiosity**.\n\n- reason one\n", encoding="utf-8")
    body = split_post(ok(finished, "export", "markdown", "dls", "--intro", intro).stdout)[1]
    assert body.startswith("\nWhy I took it: **curiosity**.\n\n- reason one\n\n[Deep Learning")


def test_missing_intro_file(finished: Path, tmp_path: Path) -> None:
    result = cli(finished, "export", "markdown", "dls", "--intro", tmp_path / "nope.md")
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_hostile_text_cannot_escape_or_change_the_rendering(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    ok(db, "add", "specialization", HOSTILE, "--slug", "hostile", "--description", "a\n---\nb")
    ok(db, "add", "course", "hostile", "1. - first", "--slug", "one", "--description", "*x*")
    ok(db, "add", "topic", "hostile/one", "# heading", "--slug", "t")
    ok(db, "done", "hostile/one/t", "--note", "---\ntitle: pwned\n---\n> quote\n{{< shortcode >}}")
    text = ok(db, "export", "markdown", "hostile", "--plain-notes", "--dates").stdout
    front, body = split_post(text)
    assert front["title"] == HOSTILE
    assert front["description"] == "a --- b"
    assert set(front) == {"title", "date", "description", "tags", "draft", "images"}
    assert [line for line in text.splitlines() if line.strip() == "---"] == ["---", "---"]
    assert "1. 1\\. - first - \\*x\\*" in body
    assert "- \\# heading - done on " in body
    assert "  > \\-\\-- " not in body  # a fence line is escaped as a whole ...
    assert "  > \\-\\--\n" in body  # ... into dashes no renderer joins
    assert "  > title: pwned" in body
    assert "  > \\> quote" in body
    assert "{\\{\\< shortcode \\>}}" in body


# --- escaping rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "inline", "line"),
    [
        ("Plain words: a, b. (c)", "Plain words: a, b. (c)", "Plain words: a, b. (c)"),
        ("*bold* _it_", "\\*bold\\* \\_it\\_", "\\*bold\\* \\_it\\_"),
        ("[x](y) <b>", "\\[x\\](y) \\<b\\>", "\\[x\\](y) \\<b\\>"),
        ("a | b # c", "a \\| b \\# c", "a \\| b \\# c"),
        ("`code` ~~s~~", "\\`code\\` \\~\\~s\\~\\~", "\\`code\\` \\~\\~s\\~\\~"),
        ("1. first", "1. first", "1\\. first"),
        ("2) second", "2) second", "2\\) second"),
        ("- item", "- item", "\\- item"),
        ("+ item", "+ item", "\\+ item"),
        ("---", "-\\--", "\\-\\--"),
        ("a -- b", "a -\\- b", "a -\\- b"),
        ("C:\\path", "C:\\\\path", "C:\\\\path"),
        ("AT&T &amp; &#35;", "AT&T \\&amp; &\\#35;", "AT&T \\&amp; &\\#35;"),
        (
            "{{< sc >}} {% raw %}",
            "{\\{\\< sc \\>}} {&#37; raw %}",
            "{\\{\\< sc \\>}} {&#37; raw %}",
        ),
        (
            "*y*{: .z} {::nomarkdown}",
            "\\*y\\*\\{: .z} \\{::nomarkdown}",
            "\\*y\\*\\{: .z} \\{::nomarkdown}",
        ),
        ("{{% sc %}} {{:", "{\\{&#37; sc %}} {\\{:", "{\\{&#37; sc %}} {\\{:"),
        ("two\nlines  here", "two lines here", "two lines here"),
        ("ünïcödé: 深度学习", "ünïcödé: 深度学习", "ünïcödé: 深度学习"),
    ],
)
def test_escaping(text: str, inline: str, line: str) -> None:
    assert escape_inline(text) == inline
    assert escape_line(text) == line


def test_readable_source_has_no_needless_backslashes(finished: Path) -> None:
    text = ok(finished, "export", "markdown", "dls").stdout
    assert "\\:" not in text
    assert "\\," not in text
    assert "\\" not in split_post(text)[1]  # the shipped catalog needs no escapes at all


# --- writing files ---------------------------------------------------------------------


def test_existing_file_is_refused_without_force(finished: Path, tmp_path: Path) -> None:
    out = tmp_path / "post.md"
    out.write_text("my edits", encoding="utf-8")
    result = cli(finished, "export", "markdown", "dls", "-o", out)
    assert result.exit_code == 1
    assert f"{out} already exists; add --force to overwrite it" in result.stderr
    assert out.read_text(encoding="utf-8") == "my edits"
    ok(finished, "export", "markdown", "dls", "-o", out, "--force")
    assert split_post(out.read_text(encoding="utf-8"))[0]["title"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".post.md")]


def test_file_matches_stdout(finished: Path, tmp_path: Path) -> None:
    out = tmp_path / "post.md"
    ok(finished, "export", "markdown", "dls", "-o", out)
    assert out.read_text(encoding="utf-8") == ok(finished, "export", "markdown", "dls").stdout


def test_missing_folder_is_created(finished: Path, tmp_path: Path) -> None:
    """The -o folder rule (issue 11): see test_outputs.py."""
    ok(finished, "export", "markdown", "dls", "-o", tmp_path / "no" / "post.md")
    assert (tmp_path / "no" / "post.md").is_file()


def test_export_help_stays_light() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from coursetrack.cli import app\n"
        "r = CliRunner().invoke(app, ['export', 'markdown', '--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'yaml') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_links_appear_under_their_course_and_topic(finished: Path) -> None:
    ok(finished, "link", "dls/2", "https://github.com/me/nb", "--title", "my *notebook*")
    ok(finished, "link", "dls/2/1", "https://youtu.be/x")
    body = split_post(ok(finished, "export", "markdown", "dls").stdout)[1]
    second = body.split("### 2. ")[1].split("### 3. ")[0]
    assert "- Practical Aspects of Deep Learning\n  - [youtu.be](https://youtu.be/x)\n" in second
    assert "Links:\n\n- [my \\*notebook\\*](https://github.com/me/nb)\n" in second
    assert "github.com/me/nb" not in body.split("### 2. ")[0]


# --- the post a blogger would publish --------------------------------------------------


@pytest.fixture(scope="module")
def studied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read only by the tests below, so built once."""
    return studied_dls(tmp_path_factory.mktemp("studied") / "store.db")


def test_the_post_reads_like_the_seed(studied: Path) -> None:
    """Intro, the specialization linked with its provider and time span, the
    certificate, then `N. [Title](url) - what it taught`; no progress report."""
    catalog = shipped_dls()
    body = split_post(ok(studied, "export", "markdown", "dls").stdout)[1]
    head = body.split("\nThe specialization was formed of 5 courses:\n\n")[0]
    assert head == (
        f"\n[Deep Learning Specialization]({catalog.url}) by Coursera / DeepLearning.AI, "
        "Sep 14 \u2013 Nov 13, 2026 (9 weeks).\n"
        f"\ncertificate is available here: <{CERTIFICATE}>\n"
    )
    for i, course in enumerate(catalog.courses, start=1):
        description = " ".join(course.description.split())
        assert f"\n{i}. [{course.title}]({course.url}) - {description}\n" in body
    assert "done on" not in body and "Completed on" not in body
    assert "Overall progress" not in body and "## My progress" not in body
    assert "\n## My notes\n" in body
    assert "- [my notebook](https://github.com/me/nb)" in body, "a Markdown link"
    assert ": <https://github.com" not in body


def test_dates_adds_the_progress_report(studied: Path) -> None:
    body = split_post(ok(studied, "export", "markdown", "dls", "--dates").stdout)[1]
    assert "## My progress" in body
    assert "- Neural Networks Basics - done on 2026-11-13" in body
    assert "  > 2026-09-20: Vectorise with `np.dot`" in body, "dated notes with --dates"
    assert body.count("Completed on 2026-11-13.") == 5


def test_without_notes_or_links_the_post_ends_with_the_courses(finished: Path) -> None:
    body = split_post(ok(finished, "export", "markdown", "dls").stdout)[1]
    assert body.rstrip("\n").rsplit("\n", 1)[-1].startswith("5. [Sequence Models](")
    assert "## My notes" not in body


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2026-09-14", "2026-11-13", "Sep 14 \u2013 Nov 13, 2026 (9 weeks)"),
        ("2025-12-01", "2026-02-03", "Dec 1, 2025 \u2013 Feb 3, 2026 (9 weeks)"),
        ("2026-05-01", "2026-05-01", "May 1, 2026 (1 day)"),
        ("2026-05-01", "2026-05-10", "May 1 \u2013 May 10, 2026 (10 days)"),
        ("2026-01-01", "2026-12-31", "Jan 1 \u2013 Dec 31, 2026 (12 months)"),
    ],
)
def test_time_span(start: str, end: str, text: str) -> None:
    assert time_span(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) == text


def test_without_a_start_the_span_begins_at_the_first_completion(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    ok(db, "import", "deep-learning-specialization")
    ok(db, "done", "dls/1", "--on", "2024-01-20")
    ok(db, "done", "dls", "--on", "2024-05-01")
    body = split_post(ok(db, "export", "markdown", "dls").stdout)[1]
    assert "by Coursera / DeepLearning.AI, Jan 20 \u2013 May 1, 2024 (15 weeks).\n" in body


def test_an_unfinished_specialization_says_since_and_how_far(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    ok(db, "import", "deep-learning-specialization")
    ok(db, "done", "dls/1/1", "dls/1/2", "--on", "2026-09-14")
    body = split_post(ok(db, "export", "markdown", "dls").stdout)[1]
    assert (
        "by Coursera / DeepLearning.AI, since Sep 14, 2026: 2 of 17 topics done so far (11%)."
        in body
    )


def test_notes_are_the_learners_markdown(studied: Path) -> None:
    body = split_post(ok(studied, "export", "markdown", "dls").stdout)[1]
    quoted = [line.strip() for line in CODE_AND_MATHS.splitlines()]
    expected = "\n".join(f"  > {line}" if line else "  >" for line in quoted)
    assert f"- Neural Networks Basics\n\n{expected}\n" in body
    assert "`np.dot`" in body and INLINE_MATHS in body and DISPLAY_MATHS in body


def test_a_notes_line_break_survives(finished: Path) -> None:
    ok(finished, "note", "dls", "first line  \nsecond line")
    body = split_post(ok(finished, "export", "markdown", "dls").stdout)[1]
    assert "\n> first line  \n> second line\n" in body


def test_plain_notes_keeps_the_escaping(studied: Path) -> None:
    body = split_post(ok(studied, "export", "markdown", "dls", "--plain-notes").stdout)[1]
    assert "\\`np.dot\\` and \\*never\\*" in body
    assert "$\\\\frac{1}{2m}$" in body


@pytest.mark.parametrize(
    ("note", "written"),
    [
        ("<script>alert(1)</script>", "\\<script>alert(1)\\</script>"),
        ("<img src=x onerror=alert(2)>", "\\<img src=x onerror=alert(2)>"),
        ("[click](javascript:alert(3))", "\\[click\\](javascript:alert(3))"),
        ("<javascript:alert(4)>", "\\<javascript:alert(4)>"),
        ("[r][evil]\n\n[evil]: javascript:x", "\\[r][evil]\n\n\\[evil\\]: javascript:x"),
        ("[r][ok]\n\n[ok]: https://example.org", "[r][ok]\n\n[ok]: https://example.org"),
        ("&lt;b&gt; &#60;b>", "&lt;b&gt; &#60;b>"),
        ("`<script>alert(7)</script>`", "`<script>alert(7)</script>`"),
        ("```\n<script>\n```", "```\n<script>\n```"),
        ("\\<b> and \\\\<b>", "\\<b> and \\\\\\<b>"),
        ("[e](java&#115;cript:x)", "\\[e\\](java&#115;cript:x)"),
        ('*a*{: onclick="x"}', '*a*\\{: onclick="x"}'),
        ("{::nomarkdown}<b>{:/}", "\\{::nomarkdown}\\<b>\\{:/}"),
        ("![i](javascript:x)", "!\\[i\\](javascript:x)"),
        ("[d](data:text/html,x)", "\\[d\\](data:text/html,x)"),
        ("[rel](/about/)", "\\[rel\\](/about/)"),
        ("<https://a.example> <me@a.example>", "<https://a.example> <me@a.example>"),
        ("[ok](https://a.example/(x)) [m](mailto:me@a.example)", None),
        ("[x](javascript:y junk)", "[x\\](javascript:y junk)"),
        ("{{< sc >}} {% raw %} `{{ code }}`", "{\\{< sc >}} {&#37; raw %} `{ { code }}`"),
        ("a < b, a<b", "a < b, a\\<b"),
        ("{{% sc %}} {{{", "{\\{&#37; sc %}} {\\{\\{"),
        ("bell\x07 esc\x1b[1m", "bell\\x07 esc\\x1b[1m"),
        ("| `<s>|</s>` |\n|---|---|", "| `\\<s>|\\</s>` |\n|---|---|"),
        ("<div>\n[a](javascript:x)\n</div>", "\\<div>\n[a\\](javascript:x)\n\\</div>"),
        # kramdown reads `[evil\]: url` as a definition (label `evil\`); CommonMark does not
        ("[x][evil\\]\n\n[evil\\]: javascript:x", "[x][evil\\]\n\n\\[evil\\]: javascript:x"),
        ("> - [q]: javascript:x junk", "> - \\[q\\]: javascript:x junk"),
        ("```\n[a]: javascript:x\n```", "```\n[a]: javascript:x\n```"),
        ('# Head {style="x" .c}', '# Head \\{style="x" .c}'),
        # an allowed link keeps only its own syntax: HTML in its text or title is escaped
        ("[<b>x</b>](https://ok)", "[\\<b>x\\</b>](https://ok)"),
        ('[x](https://ok "<b>t</b>")', '[x](https://ok "\\<b>t\\</b>")'),
        (
            "![<img src=x onerror=y>](https://i/x.png)",
            "![\\<img src=x onerror=y>](https://i/x.png)",
        ),
        ("[a](<https://a.example/a b>)", None),
        ("one\r\ntwo\r", "one\ntwo\\x0d"),
        ("## $x^{2}$ and {y}", "## $x^{2}$ and \\{y}"),
    ],
)
def test_hostile_notes_are_neutralised(note: str, written: str | None) -> None:
    assert neutralise(note, allowed_url) == (note if written is None else written)


def _live_parts(markdown: str) -> list[str]:
    """What CommonMark would make live: raw HTML and links outside http(s)/mailto."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.validateLink = lambda url: True
    found = []
    for token in md.parse(markdown):
        if token.type == "html_block":
            found.append(token.content)
        for child in token.children or []:
            if child.type == "html_inline":
                found.append(child.content)
            url = child.attrGet("href") or child.attrGet("src")
            if url is not None and not url.startswith(("https://", "http://", "mailto:")):
                found.append(url)
    return found


def test_the_whole_post_has_nothing_live(studied: Path) -> None:
    body = split_post(ok(studied, "export", "markdown", "dls").stdout)[1]
    assert _live_parts(body) == []
    assert "{{" not in body and "{%" not in body and "{:" not in body.replace("\\{:", "")
    for n in [*range(1, 13), 14, 15, 16, 18, 19, 20]:
        assert f"alert({n})" in body, "shown as text, not dropped"


def test_a_refused_url_is_shown_as_text() -> None:
    assert href("javascript:alert(1)") is None
    assert href("/relative") is None
    assert href("https://example.org/a b") is None  # the store's URL rule: no spaces
    assert href("https://example.org/a(c){{d}}") == "https://example.org/a%28c%29%7B%7Bd%7D%7D"
    assert href("mailto:me@example.org") == "mailto:me@example.org"


def test_deeply_nested_links_settle_with_nothing_live() -> None:
    note = "[" * 30 + "x" + "](javascript:alert(1))" * 30
    written = neutralise(note, allowed_url)
    assert _live_parts(written) == []
    assert written.count("alert(1)") == 30


def test_a_note_that_does_not_settle_is_shown_as_plain_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coursetrack import markdown_notes

    monkeypatch.setattr(markdown_notes, "_MAX_ROUNDS", 1)  # this note needs two rounds
    assert neutralise("<div>{% x %}</div>", allowed_url) == "\\<div\\>\\{&#37; x %\\}\\</div\\>"
    written = neutralise("<div>\n[a](javascript:x) *b*\n</div>", allowed_url)
    assert written == "\\<div\\>\n\\[a\\](javascript:x) \\*b\\*\n\\</div\\>"
    assert _live_parts(written) == []


def test_every_url_from_the_store_passes_the_one_door() -> None:
    """A stored URL that is not http(s)/mailto (an old store, a hand-edited backup)
    prints as text wherever the post would link it."""
    from coursetrack.blog import PostOptions, body
    from coursetrack.services.export import CourseEntry, PostData, TopicLine
    from coursetrack.services.figures import Progress

    bad = "javascript:alert(1)"
    course = CourseEntry(
        position=1,
        slug="c",
        title="Course",
        description=None,
        url=bad,
        certificate_url="https://example.org/cert",
        progress=Progress("done", 1, 1, 100.0, None, dt.date(2026, 1, 2)),
        topics=[TopicLine("Topic", "done", dt.date(2026, 1, 2), links=[(None, bad)])],
        links=[("mine", bad)],
    )
    data = PostData(
        slug="s",
        title="Spec",
        provider=None,
        url=bad,
        description=None,
        certificate_url=bad,
        progress=Progress("done", 1, 1, 100.0, dt.date(2026, 1, 1), dt.date(2026, 1, 2)),
        courses_done=1,
        courses=[course],
        links=[(None, "data:text/html,x")],
    )
    for dates in (False, True):
        text = body(data, options=PostOptions(dates=dates))
        assert "](javascript" not in text and "<javascript" not in text and "](data" not in text
        assert _live_parts(text) == []
        assert text.startswith("Spec, Jan 1 \u2013 Jan 2, 2026 (2 days).\n")
        assert "\n1. Course ([certificate](https://example.org/cert))\n" in text
        assert "- mine\n" in text and "- javascript:alert(1)\n" in text


# --- front matter without PyYAML: byte for byte what safe_dump writes -----------------

_YAMLISH = list("aZ09 :#,-?[]{}'\"!&*%@`|>~.\t\n\x85\u2028\u2029\xa0\ufeff\x7f\ue000é中😀_=<$/\\")


def _yamlish_text():
    from hypothesis import strategies as st

    wordy = st.builds(
        lambda first, rest: first + rest,
        st.sampled_from(list("aZyYnNoOtTfF/")),
        st.text(st.sampled_from(_YAMLISH), max_size=12),
    )
    return st.one_of(wordy, st.text(max_size=10), st.sampled_from(["yes", "Off", "NULL", "a: b"]))


def test_a_word_written_as_it_is_is_what_safe_dump_writes() -> None:
    """`front_matter._plain_word` says a text is written as it is only where safe_dump
    writes it so, in a mapping's value and in a `[...]` list."""
    import yaml
    from hypothesis import HealthCheck, given, settings

    from coursetrack import front_matter

    def dumped(value: object) -> str:
        return yaml.safe_dump(
            {"k": value, "l": []},
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=None,
            width=2**30,
        )

    @settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=_yamlish_text())
    def check(text: str) -> None:
        if front_matter._plain_word(text):
            assert dumped(text) == f"k: {text}\nl: []\n"
        if front_matter._plain_word(text, in_list=True):
            assert dumped([text, text]) == f"k: [{text}, {text}]\nl: []\n"

    check()
    for written_as_is in ("Deep Learning Specialization", 'Andrew\'s "best" course', "/a.png"):
        assert front_matter._plain_word(written_as_is)
    for quoted in ("yes", "No", "a: b", "a #b", "x:", "x ", "tab\there", "2026", "-a", "é"):
        assert not front_matter._plain_word(quoted)


@pytest.mark.parametrize("fmt", ["hugo", "jekyll"])
def test_front_matter_is_what_safe_dump_writes(fmt: str, monkeypatch) -> None:
    """Written without PyYAML or by it, the front matter is the same bytes."""
    import zoneinfo

    from hypothesis import HealthCheck, example, given, settings
    from hypothesis import strategies as st

    from coursetrack import front_matter

    fast_path = front_matter._front_matter_as_yaml_writes_it
    taken = []

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
    # plain words, which take the way without PyYAML whatever else is drawn
    @example(
        title="Deep Learning",
        description="Five courses",
        tags=["ml"],
        image=None,
        draft=False,
        date=dt.datetime(2024, 1, 2, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")),
    )
    @given(
        title=_yamlish_text(),
        description=_yamlish_text(),
        tags=st.lists(_yamlish_text(), max_size=3),
        image=st.one_of(st.none(), _yamlish_text()),
        draft=st.booleans(),
        date=st.datetimes(
            min_value=dt.datetime(1900, 1, 1),
            max_value=dt.datetime(2999, 12, 31),
            timezones=st.one_of(st.none(), st.just(zoneinfo.ZoneInfo("Asia/Kolkata"))),
        ),
    )
    def check(title, description, tags, image, draft, date) -> None:
        args = dict(title=title, date=date, description=description, tags=tags, image=image)
        mappings: list[dict] = []
        with monkeypatch.context() as patch:  # the mapping, handed to safe_dump
            patch.setattr(front_matter, "_front_matter_as_yaml_writes_it", mappings.append)
            by_safe_dump = front_matter.front_matter(fmt, draft=draft, **args)
        taken.append(fast_path(mappings[0]) is not None)
        assert front_matter.front_matter(fmt, draft=draft, **args) == by_safe_dump

    check()
    assert any(taken)  # the way without PyYAML was tried


@pytest.mark.sqlite_only  # what a process imports, the same on either engine
def test_the_shipped_post_is_written_without_pyyaml(finished: Path) -> None:
    """The shipped catalog's post (and a usual one) takes the way without PyYAML."""
    probe = (
        "import sys\n"
        "from coursetrack.cli import main\n"
        f"sys.argv = ['coursetrack', '--db', {str(finished)!r}, 'export', 'markdown', 'dls',"
        " '--tag', 'deep-learning', '--tag', 'ml', '--image', '/images/dls.png']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('YAML' if 'yaml' in sys.modules else 'NO YAML', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.startswith("---\ntitle: Deep Learning Specialization\n")
    assert "tags: [deep-learning, ml]\n" in result.stdout
    assert result.stderr.strip().endswith("NO YAML")
