"""Each command's summary as the root's --help lists it: written by
`lazy.write_summaries()`, from the commands' own docstrings (see
`lazy.summaries_source`). Do not edit: tests/test_help_summaries.py checks it."""

SUMMARIES: dict[str, tuple[str | None, str | None, bool, bool, str | None]] = {
    'status': ("Show progress as tables with bars: every specialization, one's courses, or a course's topics.", None, False, False, None),
    'start': ('Mark items as started.', None, False, False, None),
    'done': ('Mark items done. A course or specialization marks all its open topics done.', None, False, False, None),
    'reopen': ('Mark done items as not done again (a course or specialization: all its topics).', None, False, False, None),
    'update': ("Change an item's title, slug, description, links or note. An empty value clears a field.", None, False, False, None),
    'rm': ('Remove an item with everything under it. Asks first if it holds any progress.', None, False, False, None),
    'import': ("Import a catalog. Safe to repeat: matches by slug and never resets progress.\n\nA backup ('coursetrack export yaml|json') is restored instead, with its progress, into a store that does not hold its specializations yet.", None, False, False, None),
    'catalogs': ("List the catalogs that ship with coursetrack, ready for 'coursetrack import NAME'.", None, False, False, None),
    'log': ('List the changes made to the store, newest first.', None, False, False, None),
    'undo': ("Revert a command's changes: the last one, or the one numbered ID in the log.\n\nIt names the command and asks first (--yes: without asking; needed without a terminal). Run it again to go further back. `undo ID` reverts an older command only if no later command changed the same rows or depends on it (a review of a topic it marked done, a note under an item it added, a slug it would give back); else it names that command to undo first.", None, False, False, None),
    'next': ('List the next open topics: the program you studied most recently first, then the ones you started, then course order.\n\nA topic is a unit; so is a course without topics. Done units are skipped.', None, False, False, None),
    'goal': ('Set, show or clear the date by which you mean to finish a specialization.\n\n`coursetrack plan` then tells you the pace that needs and whether you are on track.', None, False, False, None),
    'plan': ('Show units left, your pace, the projected finish, and how it compares with your goal.\n\nYour pace is the units you completed in the last 4 weeks (28 days ending today) divided by 4; if you began less than 28 days ago, the units done since your first activity x 7 / the days since then (under 7 days: an early estimate). The projected finish is today + units left x those days / units done in them, rounded up to whole days. The pace needed is units left x 7 / days until the goal. Days ahead = goal - projected finish (negative: behind). With nothing done in the window there is no pace, and plan says so rather than guess.', None, False, False, None),
    'review': ("List the finished topics due for review today, oldest due first.\n\nA topic enters the queue when you mark it done; its first review is due the next day. Record each review with 'coursetrack reviewed REF --grade ...'.", None, False, False, None),
    'reviewed': ('Record that you reviewed finished topics, and schedule their next reviews.\n\nIntervals climb a ladder of 1, 3, 7, 21, 60 and 180 days: good moves one rung up, easy two, hard stays on the same rung, again goes back to 1 day. The next review is due that many days after this one. A review before the topic is due is recorded, but good and easy keep the interval it has. A course or specialization reviews each of its topics that is due.', None, False, False, None),
    'show': ('Print everything about one item: description, status, dates, notes, links, review.', None, False, False, None),
    'chart': ('Draw a burn-up: units done each week, the running total and your goal line.', None, False, False, None),
    'whoami': ("Print who you are in the store: the learner, what you may do, and the store.\n\nOn a study group's store the learner is your database role; a curator may change the catalog too. On a SQLite store you are its one learner, 'me'.", None, False, False, None),
    'check': ("Verify the store: print what is wrong (exit 1), or one line that all holds.\n\nThe schema's version; the store's integrity (SQLite's integrity_check, CHECK constraints included; on PostgreSQL, constraints added NOT VALID and disabled triggers); every foreign key; the history triggers. On a study group, every role, grant, policy, guard and function the group needs, as this coursetrack's `group init` makes them, and its security's version. It repairs nothing: `coursetrack group init`, run by the group's owner, applies the group's security again.", None, False, False, None),
    'add': ('Add a specialization, a course or a topic by hand.', None, False, False, None),
    'export': ('Write a blog post or a page to share about a specialization, or back up the whole record.', None, False, False, None),
    'note': ('Keep dated notes on a specialization, course or topic; list, edit or remove them.\n\n`note REF TEXT` adds a note (short for `note add REF TEXT`). A note is named by the id that `note list` and `show` print; `undo` takes back an edit or a removal.', None, False, False, None),
    'link': ('Keep links (your notebook, a video) on any item; list or remove them.\n\n`link REF URL` adds a link (short for `link add REF URL`). A link is named by the id that `link list` and `show` print; `undo` takes back a removal.', None, False, False, None),
    'group': ("Study in a group: one PostgreSQL store, each learner's own record.\n\nThe store's owner runs `group init` once, then `group add NAME` for each learner and hands them the URL it prints (their COURSETRACK_DB).", None, False, False, None),
}
