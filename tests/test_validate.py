"""What may enter the store, whichever way it comes in: the URL rule and the limits.

Every way in is tried — command-line arguments, catalogs, backups — and what is
refused is refused with one line naming the field (and, in a file, its
line:col), exit 1, and the store unchanged. A store written before these rules
may still hold a `javascript:` URL: the post never makes it a link (checked in
a real Hugo build) and re-importing the genuine catalog drops it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Store
from coursetrack.validate import (
    MAX_BACKUP_ROWS,
    MAX_DESCRIPTION,
    MAX_NOTE,
    MAX_PROVIDER,
    MAX_SLUG,
    MAX_TITLE,
    MAX_URL,
)

HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\x00script:alert(1)",
    "\x01javascript:alert(1)",
    "javascript\u200b:alert(1)",
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "%6Aavascript:alert(1)",
    "\uff4a\uff41\uff56\uff41script:alert(1)",  # fullwidth letters
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "https:evil.example",
    "https:///evil",
    "https:\\\\evil.example",
    'https://ok.example/" onmouseover="alert(1)',
    "https://ok.example/<script>",
    "https://ok.example/a b",
    "notes/week1.md",
    "https://" + "a" * MAX_URL + ".example/",
]


def refused(store: Store, *args: str, message: str) -> str:
    before = store.dump(history=True)
    result = store.run(*args)
    assert result.exit_code == 1, (args, result.stdout, result.stderr)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr
    assert store.dump(history=True) == before, "nothing changed, history included"
    return result.stderr


# --- the URL rule at the command line ------------------------------------------------------


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize("url", [*HOSTILE_URLS, "mailto:me@example.org", "ftp://x.example/"])
def test_link_keeps_only_absolute_web_urls(dls: Store, url: str) -> None:
    refused(dls, "link", "dls/1/1", url, message="the URL")


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize(
    "command",
    [
        ["add", "specialization", "Evil", "--slug", "evil", "--url"],
        ["add", "course", "dls", "Evil", "--url"],
        ["add", "topic", "dls/1", "Evil", "--url"],
        ["update", "dls/1/1", "--url"],
        ["update", "dls", "--certificate-url"],
        ["update", "dls/2", "--certificate-url"],
    ],
    ids=["add-spec", "add-course", "add-topic", "update-url", "spec-certificate", "course-cert"],
)
def test_url_options_refuse_what_is_not_http_https_or_mailto(
    dls: Store, command: list[str], url: str
) -> None:
    refused(dls, *command, url, message=command[-1])


def test_good_urls_are_kept_as_given(dls: Store) -> None:
    cases = [
        ("link", "dls/1/1", "https://github.com/me/dl/blob/main/w2.ipynb"),
        ("link", "dls/1/1", " HTTPS://Example.org/Köln_(Stadt)?q=1#x \n"),
        ("update", "dls", "--certificate-url", "https://coursera.org/verify/specialization/X"),
        ("update", "dls/1", "--url", "mailto:teacher@example.org"),
    ]
    for args in cases:
        result = dls.run(*args)
        assert result.exit_code == 0, result.stderr
    assert dls.rows("SELECT url FROM link ORDER BY id") == [
        ("https://github.com/me/dl/blob/main/w2.ipynb",),
        ("HTTPS://Example.org/Köln_(Stadt)?q=1#x",),
    ]
    assert dls.rows("SELECT url FROM course WHERE position = 1") == [
        ("mailto:teacher@example.org",)
    ]
    assert dls.run("update", "dls/1", "--url", "").exit_code == 0, "an empty value still clears"
    assert dls.rows("SELECT url FROM course WHERE position = 1") == [(None,)]


# --- the URL rule in catalogs and backups ----------------------------------------------


def _catalog(tmp_path: Path, body: str) -> str:
    path = tmp_path / "shared.yaml"
    path.write_text(body, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("field", "line"),
    [("certificate_url", 3), ("url", 3)],
)
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "' JaVaScRiPt:alert(1)'",
        '"java\\tscript:alert(1)"',
        '"\\x01javascript:alert(1)"',
        "data:text/html,x",
        "vbscript:x",
        "//evil.example",
    ],
)
def test_catalog_urls_follow_the_rule(
    store: Store, tmp_path: Path, field: str, line: int, url: str
) -> None:
    path = _catalog(
        tmp_path,
        f"title: Shared\nslug: shared\n{field}: {url}\ncourses:\n  - title: One\n",
    )
    message = refused(store, "import", path, message=f"{path}:{line}:")
    assert field in message


def test_course_and_topic_urls_in_a_catalog_follow_the_rule(store: Store, tmp_path: Path) -> None:
    path = _catalog(
        tmp_path,
        "title: Shared\ncourses:\n  - title: One\n    topics:\n"
        "      - title: T\n        url: javascript:alert(1)\n",
    )
    refused(store, "import", path, message=f"{path}:6:14: url 'javascript:alert(1)'")
    path = _catalog(
        tmp_path, "title: Shared\ncourses:\n  - title: One\n    certificate_url: data:x,1\n"
    )
    refused(store, "import", path, message=f"{path}:4:22: certificate_url 'data:x,1'")


def _backup(tmp_path: Path, spec: dict, name: str = "backup.json") -> str:
    path = tmp_path / name
    path.write_text(
        json.dumps({"format": "coursetrack-backup", "version": 1, "specializations": [spec]}),
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize(
    ("spec", "where"),
    [
        ({"slug": "s", "title": "T", "url": "javascript:alert(1)"}, "specializations[0].url"),
        (
            {"slug": "s", "title": "T", "certificate_url": " data:text/html,x"},
            "specializations[0].certificate_url",
        ),
        (
            {"slug": "s", "title": "T", "courses": [{"slug": "c", "title": "C", "url": "//e.x"}]},
            "specializations[0].courses[0].url",
        ),
        (
            {
                "slug": "s",
                "title": "T",
                "links": [{"url": "VBScript:x", "added_on": "2024-01-01"}],
            },
            "specializations[0].links[0].url",
        ),
        (
            {
                "slug": "s",
                "title": "T",
                "links": [{"url": "mailto:a@b.example", "added_on": "2024-01-01"}],
            },
            "specializations[0].links[0].url",
        ),
    ],
    ids=["spec-url", "certificate", "course-url", "link", "link-mailto"],
)
def test_backup_urls_follow_the_rule(store: Store, tmp_path: Path, spec: dict, where: str):
    path = _backup(tmp_path, spec)
    refused(store, "import", path, message=f"{path}: at {where}: ")


def _older_store_with_hostile_urls(dls: Store) -> None:
    """What an older coursetrack let in from a hostile shared catalog and `link`.

    The store's URL rules (schema 6) refuse these rows, and its upgrade mends them;
    the post writer still checks every href itself, so they are planted past the rules."""
    statements = [
        "UPDATE specialization SET certificate_url = 'javascript:alert(document.cookie)', "
        "url = ' JAVASCRIPT:alert(2)'",
        "UPDATE course SET certificate_url = 'data:text/html,<script>alert(3)</script>', "
        "url = 'vbscript:msgbox(4)' WHERE position = 1",
        "INSERT INTO course (specialization_id, position, slug, title, certificate_url) "
        "VALUES (1, 6, 'bonus', 'Bonus', 'javascript:alert(6)')",
        "INSERT INTO link (topic_id, url, title, added_on) "
        "VALUES (1, 'java\tscript:alert(5)', 'my notebook', '2024-01-01'), "
        "(1, 'https://example.org/kept', 'kept', '2024-01-01')",
    ]
    for statement in statements:
        dls.execute_past_rules(statement)


def test_reimporting_the_genuine_catalog_drops_a_hostile_url(dls: Store) -> None:
    _older_store_with_hostile_urls(dls)
    dls.run("update", "dls/2", "--certificate-url", "https://coursera.org/verify/C2")
    result = dls.run("import", "deep-learning-specialization")
    assert result.exit_code == 0, result.stderr
    assert "certificate_url removed: not a safe URL" in result.stdout
    spec_url = dls.rows("SELECT url, certificate_url FROM specialization")
    assert spec_url == [("https://www.coursera.org/specializations/deep-learning", None)]
    courses = dls.rows("SELECT url, certificate_url FROM course WHERE position <= 2 ORDER BY 1")
    assert all("script" not in str(row) and "data:" not in str(row) for row in courses), courses
    assert ("https://coursera.org/verify/C2",) in [(c,) for _, c in courses], (
        "a good URL the learner recorded is kept"
    )
    assert "dls/bonus" in result.stdout, "a course the file no longer lists is kept ..."
    assert dls.rows("SELECT certificate_url FROM course WHERE slug = 'bonus'") == [(None,)], (
        "... without its hostile URL"
    )


# --- the post never links to a hostile URL: a real Hugo build -------------------------------

HUGO = shutil.which("hugo")
SINGLE = "<!DOCTYPE html><html><body><main>{{ .Content }}</main></body></html>\n"


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction") or name.startswith("on"):
                self.hrefs.append(f"{name}={value}")


@pytest.mark.skipif(HUGO is None, reason="the hugo binary is not installed (apt-get install hugo)")
def test_a_post_from_an_older_store_has_no_script_link_in_hugo(dls: Store, tmp_path: Path):
    assert dls.run("done", "dls", "--on", "2024-05-01").exit_code == 0
    _older_store_with_hostile_urls(dls)
    site = tmp_path / "site"
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "content" / "posts").mkdir(parents=True)
    (site / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "t"\n'
        'disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", '
        '"404"]\n'
        # Many themes turn this on; then goldmark writes any href as given, `javascript:` too.
        "[markup.goldmark.renderer]\nunsafe = true\n"
    )
    (site / "layouts" / "_default" / "single.html").write_text(SINGLE)
    result = dls.run("export", "markdown", "dls", "-o", str(site / "content" / "posts" / "dls.md"))
    assert result.exit_code == 0, result.stderr
    built = subprocess.run(
        [HUGO, "--source", str(site), "--destination", str(site / "public"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    page = (site / "public" / "posts" / "dls" / "index.html").read_text(encoding="utf-8")
    parser = _Hrefs()
    parser.feed(page)
    assert parser.hrefs, "the post has links"
    for attr in parser.hrefs:
        name, _, value = attr.partition("=")
        assert name == "href", attr
        assert value.lower().startswith(("https://", "http://", "mailto:")), attr
    assert "href=https://example.org/kept" in parser.hrefs, "a good link is still a link"
    assert "script" not in parser.tags
    assert "alert(document.cookie)" in page, "the hostile URL shows as text, not as a link"


def test_the_post_writer_checks_every_href_itself(dls: Store) -> None:
    """Markdown has more than one way to make a link: no hostile URL reaches any."""
    _older_store_with_hostile_urls(dls)
    post = dls.run("export", "markdown", "dls", "--format", "plain").stdout
    for marker in ("<javascript", "<JAVASCRIPT", " <data:", "<vbscript", "](javascript", "](data:"):
        assert marker.lower() not in post.lower(), marker
    assert "<https://example.org/kept>" in post or "(https://example.org/kept)" in post


# --- backups follow the command line's rules ------------------------------------------------

HEAD = "format: coursetrack-backup\nversion: 1\nspecializations:\n- slug: s\n  title: T\n"
COURSE = "  courses:\n  - slug: c\n    title: C\n"


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        (HEAD + "  progress: {status: done}\n", "6:13", "a done item needs completed_on"),
        (
            HEAD + "  progress: {status: done, started_on: 2024-02-01, completed_on: 2024-01-01}\n",
            "6:13",
            "completed_on 2024-01-01 is before started_on 2024-02-01",
        ),
        (
            HEAD + "  progress: {status: todo, completed_on: 2024-01-01}\n",
            "6:13",
            "completed_on is only for done items; this one is todo",
        ),
        (
            HEAD + "  progress: {status: in-progress, completed_on: 2024-01-01}\n",
            "6:13",
            "this one is in-progress",
        ),
        (
            HEAD + COURSE + "    topics:\n    - slug: t\n      title: X\n"
            "      reviews:\n      - {reviewed_on: 2024-01-02, grade: good, interval_days: 3, "
            "due_on: 2024-01-05}\n",
            "10:7",
            "topic 't' has reviews but is todo; reviews are of done topics",
        ),
        (
            HEAD + COURSE + "    topics:\n    - slug: t\n      title: X\n"
            "      progress: {status: done, completed_on: 2024-01-01}\n"
            "      reviews:\n      - {reviewed_on: 2024-01-02, grade: good, interval_days: 3, "
            "due_on: 2024-01-01}\n",
            "14:9",
            "due_on 2024-01-01 is not after reviewed_on 2024-01-02",
        ),
        (HEAD.replace("title: T", "title: ''"), "5:10", "title is empty"),
        (HEAD.replace("title: T", "title: '   '"), "5:10", "title is empty"),
        (HEAD.replace("title: T", 'title: "a\\0b"'), "5:10", "title contains a NUL character"),
        (HEAD.replace("title: T", 'title: "a\\ud800"'), "5:10", "lone surrogate U+D800"),
        (
            HEAD + "  links:\n  - {url: '', added_on: 2024-01-01}\n",
            "7:11",
            "url is empty",
        ),
        (
            HEAD + "  progress: {status: done, completed_on: 9999-12-31}\n",
            "6:42",
            "completed_on 9999-12-31 is out of range: give a date from 1900-01-01 to 2999-12-31",
        ),
        (
            HEAD + "  notes:\n  - {written_on: 1899-12-31, text: old}\n",
            "7:18",
            "written_on 1899-12-31 is out of range",
        ),
        (HEAD + "  goal: {target_on: 3000-01-01}\n", "6:21", "target_on 3000-01-01 is out of"),
        (
            HEAD + COURSE + "    topics:\n    - slug: t\n      title: X\n"
            "      progress: {status: done, completed_on: 2024-01-01}\n"
            "      reviews:\n      - {reviewed_on: 2024-01-02, grade: good, "
            "interval_days: 18446744073709551617, due_on: 2024-01-05}\n",
            "14:63",
            "interval_days must be a whole number from 1 to 36500 days",
        ),
        (
            HEAD.replace("version: 1", "version: " + "9" * 5000),
            "2:10",
            "version must be a whole number",
        ),
        (
            HEAD.replace("title: T", "title: " + "x" * (MAX_TITLE + 1)),
            "5:10",
            f"title is 501 characters long; the limit is {MAX_TITLE}",
        ),
        (
            HEAD.replace("slug: s", "slug: " + "s" * (MAX_SLUG + 1)),
            "4:9",
            f"characters long; the limit is {MAX_SLUG}",
        ),
        (
            HEAD + f"  notes:\n  - {{written_on: 2024-01-01, text: {'n' * (MAX_NOTE + 1)}}}\n",
            "7:36",
            "text is 100,001 characters long; the limit is 100,000",
        ),
        (
            HEAD + f"  description: {'d' * (MAX_DESCRIPTION + 1)}\n",
            "6:16",
            "description is 10,001 characters long",
        ),
    ],
    ids=[
        "done-without-date",
        "done-before-start",
        "todo-with-completed-on",
        "in-progress-with-completed-on",
        "reviews-of-unfinished-topic",
        "due-before-review",
        "empty-title",
        "blank-title",
        "nul-byte",
        "lone-surrogate",
        "empty-link-url",
        "year-9999",
        "year-1899",
        "goal-year-3000",
        "integer-over-64-bits",
        "5000-digit-version",
        "long-title",
        "long-slug",
        "long-note",
        "long-description",
    ],
)
def test_backups_follow_the_command_line_rules(
    store: Store, tmp_path: Path, body: str, where: str, message: str
) -> None:
    path = tmp_path / "backup.yaml"
    path.write_text(body, encoding="utf-8")
    stderr = refused(store, "import", str(path), message=message)
    assert stderr.startswith(f"Error: {path}:{where}: "), stderr


def test_a_refused_backup_leaves_the_store_usable(dls: Store, tmp_path: Path) -> None:
    """`completed_on: 9999-12-31` used to poison the store: status, review, show raised."""
    path = tmp_path / "poison.yaml"
    path.write_text(HEAD + "  progress: {status: done, completed_on: 9999-12-31}\n")
    refused(dls, "import", str(path), message="out of range")
    for args in (["status"], ["review"], ["show", "dls"]):
        assert dls.run(*args).exit_code == 0, args


def test_a_5000_digit_integer_in_a_json_backup(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"format": "coursetrack-backup",\n "version": ' + "9" * 5000 + "}\n")
    refused(store, "import", str(path), message=f"{path}:2:13: a number of 5,000 digits")


def test_a_lone_surrogate_in_a_json_backup(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "half.json"
    path.write_text(
        '{"format": "coursetrack-backup", "version": 1, "specializations": [\n'
        '  {"slug": "s", "title": "caf\\u00e9 \\ud83c\\udf93 \\\\ud800 ok"},\n'
        '  {"slug": "t", "title": "broken \\udc80 here"}]}\n'
    )
    stderr = refused(store, "import", str(path), message=f"{path}:3:34: \\udc80 is half of")
    assert "not UTF-8" not in stderr


def test_a_backup_with_a_valid_surrogate_pair_restores(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    path.write_text(
        '{"format": "coursetrack-backup", "version": 1, "specializations": '
        '[{"slug": "s", "title": "caf\\u00e9 \\ud83c\\udf93 \\\\ud800"}]}'
    )
    result = store.run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert store.rows("SELECT title FROM specialization") == [("café 🎓 \\ud800",)]


def test_a_backup_over_the_row_limit_is_refused_before_it_is_read_whole(
    store: Store, tmp_path: Path
) -> None:
    notes = [{"written_on": "2024-01-01", "text": "n"}] * MAX_BACKUP_ROWS
    path = _backup(tmp_path, {"slug": "s", "title": "T", "notes": notes})
    refused(store, "import", path, message="the backup holds 100,001 records; one backup may hold")


def test_reopening_a_topic_takes_it_off_the_ladder_and_the_backup_restores(
    dls: Store, tmp_path: Path
) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-01-01")
    dls.run("reviewed", "dls/1/1", "--grade", "good", "--on", "2026-01-02")
    assert dls.run("reopen", "dls/1/1").exit_code == 0
    assert dls.rows("SELECT count(*) FROM review") == [(0,)]
    out = tmp_path / "b.yaml"
    assert dls.run("export", "yaml", "-o", str(out)).exit_code == 0
    assert dls.run("rm", "dls", "--yes").exit_code == 0
    restored = dls.run("import", str(out))
    assert restored.exit_code == 0, restored.stderr


# --- limits at the command line and in catalogs ------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "specialization", "x" * (MAX_TITLE + 1)], "title is 501 characters long"),
        (["add", "course", "dls", "x" * (MAX_TITLE + 1)], "the course title is 501 characters"),
        (["add", "topic", "dls/1", "x" * (MAX_TITLE + 1)], "the topic title is 501"),
        (["update", "dls/1", "--title", "x" * (MAX_TITLE + 1)], "--title is 501 characters"),
        (["add", "specialization", "T", "--slug", "s" * (MAX_SLUG + 1)], "the limit is 100"),
        (["update", "dls", "--slug", "s" * (MAX_SLUG + 1)], "the limit is 100"),
        (
            ["update", "dls", "--description", "d" * (MAX_DESCRIPTION + 1)],
            "--description is 10,001 characters long; the limit is 10,000",
        ),
        (
            ["add", "specialization", "T", "--provider", "p" * (MAX_PROVIDER + 1)],
            "--provider is 201 characters long",
        ),
        (["note", "dls/1", "n" * (MAX_NOTE + 1)], "the note is 100,001 characters long"),
        (["done", "dls/1/1", "--note", "n" * (MAX_NOTE + 1)], "the note is 100,001"),
        (["update", "dls", "--note", "n" * (MAX_NOTE + 1)], "the note is 100,001"),
        (
            ["link", "dls/1", "https://example.org/", "--title", "t" * (MAX_TITLE + 1)],
            "--title is 501 characters long",
        ),
        (["add", "specialization", "Nul\x00byte"], "contains a NUL character"),
        (["note", "dls/1", "Nul\x00byte"], "contains a NUL character"),
    ],
    ids=[
        "spec-title",
        "course-title",
        "topic-title",
        "update-title",
        "add-slug",
        "update-slug",
        "description",
        "provider",
        "note",
        "done-note",
        "update-note",
        "link-title",
        "nul-title",
        "nul-note",
    ],
)
def test_limits_at_the_command_line(dls: Store, args: list[str], message: str) -> None:
    refused(dls, *args, message=message)


def test_a_20_mb_title_is_refused_not_slugged(dls: Store) -> None:
    refused(dls, "add", "specialization", "word " * 4_000_000, message="the limit is 500")


def test_a_long_title_within_the_limit_gets_a_slug_within_the_limit(dls: Store) -> None:
    title = "Deep " * (MAX_TITLE // 5)
    result = dls.run("add", "specialization", title, "--json")
    assert result.exit_code == 0, result.stderr
    slug = result.json()["ref"]
    assert len(slug) <= MAX_SLUG and slug.startswith("deep-deep") and not slug.endswith("-")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("title: " + "x" * (MAX_TITLE + 1) + "\n", "1:8: title is 501 characters long"),
        (
            "title: T\ndescription: " + "d" * (MAX_DESCRIPTION + 1) + "\n",
            "2:14: description is 10,001",
        ),
        ("title: T\nprovider: " + "p" * (MAX_PROVIDER + 1) + "\n", "2:11: provider is 201"),
        ("title: T\nslug: " + "s" * (MAX_SLUG + 1) + "\n", "2:7: slug is 101 characters long"),
        (
            "title: T\ncourses:\n  - title: " + "c" * (MAX_TITLE + 1) + "\n",
            "3:12: title is 501",
        ),
        ('title: "a\\0b"\n', "1:8: title contains a NUL character"),
        ('title: T\ndescription: "\\ud800"\n', "2:14: description is not valid Unicode"),
    ],
    ids=["title", "description", "provider", "slug", "course-title", "nul", "surrogate"],
)
def test_limits_in_catalogs(store: Store, tmp_path: Path, body: str, message: str) -> None:
    path = _catalog(tmp_path, body)
    refused(store, "import", path, message=f"{path}:{message}")


def test_a_catalog_over_the_item_limit(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mechanism, at a limit lowered for speed: bench/limits.py times the real one."""
    from coursetrack import catalog

    monkeypatch.setattr(catalog, "MAX_CATALOG_ITEMS", 5)
    path = _catalog(tmp_path, "title: T\ncourses:\n  - title: C\n    topics: [a, b, c, d, e]\n")
    refused(store, "import", path, message=":1:1: the catalog lists 6 courses and topics")


def test_a_yaml_file_with_too_many_values_stops_while_it_is_read(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyYAML holds every node in memory: reading stops at the limit, not at the end."""
    from coursetrack import strict_yaml

    monkeypatch.setattr(strict_yaml, "MAX_YAML_NODES", 20)
    topics = "".join(f"      - Topic {n}\n" for n in range(30))
    path = _catalog(tmp_path, f"title: T\ncourses:\n  - title: C\n    topics:\n{topics}")
    refused(store, "import", path, message=":15:9: more than 20 values")
    backup_path = tmp_path / "b.yaml"
    backup_path.write_text(HEAD + "  notes:\n" + "  - {written_on: 2024-01-01, text: n}\n" * 10)
    refused(store, "import", str(backup_path), message="b.yaml:8:")


@pytest.mark.parametrize("image", [u for u in HOSTILE_URLS if "javascript" in u.lower()])
def test_a_featured_image_is_a_path_or_a_web_url(dls: Store, image: str) -> None:
    """--image lands in front matter, where a theme may put it in an href or src."""
    result = dls.run("export", "markdown", "dls", "--image", image)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: --image ")


@pytest.mark.parametrize("image", ["/images/dls.jpg", "https://example.org/dls.png", "dls.jpg"])
def test_a_featured_image_path_or_web_url_is_kept(dls: Store, image: str) -> None:
    result = dls.run("export", "markdown", "dls", "--image", image)
    assert result.exit_code == 0, result.stderr
    assert f"featured_image: {image}" in result.stdout
