"""The schema is written once, in the models: a migrated store on each engine is exactly
what they describe, and its history records every change under its own command.

Runs on SQLite and on PostgreSQL (`db` is a file path or a fresh database's URL).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

import by_hand
import postgres
from coursetrack import store as db_store
from coursetrack.models import TRACKED, SQLModel, columns_of
from coursetrack.store import fresh, peer_rules, rules, schema, triggers
from coursetrack.vocabulary import Verdict

# a migrated store on each engine is what the models say:
# the [postgresql] runs stay in the quick loop
pytestmark = pytest.mark.both_engines

PG_FIXTURE = Path(__file__).parent / "data" / "store-schema2.postgresql.sql"


def _engine(db: str):
    url = db if "://" in db else f"sqlite:///{db}"
    return create_engine(postgres.on_psycopg2(url))


def _migrated(db: str):
    db_store.open_store(db, write=True).close()
    return _engine(db)


def _words(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def _model_uniques(table) -> set[frozenset[str]]:
    found = {
        frozenset(c.name for c in constraint.columns)
        for constraint in table.constraints
        if constraint.__class__.__name__ == "UniqueConstraint"
    }
    return found | {frozenset([c.name]) for c in table.columns if c.unique}


def _foreign_keys(bind, found, table: str) -> set[tuple]:
    """(columns, referred table, referred columns, ON DELETE) of each foreign key.

    On SQLite from `PRAGMA foreign_key_list`: SQLAlchemy's reading of the DDL text
    misses an ON DELETE written on the next line.
    """
    if bind.dialect.name == "sqlite":
        with bind.connect() as conn:
            listed = conn.exec_driver_sql(f"PRAGMA foreign_key_list({table})").all()
        return {
            ((row[3],), row[2], (row[4],), None if row[6] == "NO ACTION" else row[6])
            for row in listed
        }
    return {
        (
            tuple(k["constrained_columns"]),
            k["referred_table"],
            tuple(k["referred_columns"]),
            k["options"].get("ondelete"),
        )
        for k in found.get_foreign_keys(table)
    }


def test_a_migrated_store_is_exactly_what_the_models_describe(db: str) -> None:
    """Columns, types, nullability, defaults, unique and check constraints, foreign keys
    and indexes: the frozen migrations and the models agree, on this engine."""
    bind = _migrated(db)
    assert_is_what_the_models_describe(bind)
    bind.dispose()


def test_an_upgraded_first_release_store_is_what_the_models_describe(tmp_path: Path) -> None:
    """Upgraded step by step from schema 1, a store ends where a new one starts."""
    path = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parent / "data" / "store-schema1.db", path)
    bind = _migrated(str(path))
    assert_is_what_the_models_describe(bind)
    bind.dispose()


def _replayed(db: str, monkeypatch: pytest.MonkeyPatch):
    """The store at `db` made as before `store.fresh`: every step in turn from empty."""
    with monkeypatch.context() as steps:
        steps.setattr(fresh, "VERSION", 0)  # not the newest schema: `migrate` replays
        return _migrated(db)


def schema_of(bind) -> list[tuple]:
    """Everything the engine keeps of a store's schema, in a form two stores compare by.

    SQLite: sqlite_master's rows in their order, its DDL's text to the byte (a CHECK
    the store refuses a write by is named by that text), and the header's version and
    application id. PostgreSQL: its catalog as the server prints it back: columns,
    constraints (deferrable or not), indexes, triggers, functions, sequences, the
    version row (a column's place, which a dropped column leaves a gap in, aside; and a
    constraint's casts and parentheses, which the server places elsewhere in a store
    restored from pg_dump's text, such as the schema 2 fixture).
    """
    with bind.connect() as conn:
        if bind.dialect.name == "sqlite":
            return [
                *conn.exec_driver_sql(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
                ),
                *conn.exec_driver_sql("SELECT * FROM pragma_user_version, pragma_application_id"),
            ]
        here = "current_schema()::regnamespace"
        found: list[tuple] = []
        for sql in (
            "SELECT table_name, column_name, data_type, is_nullable, column_default, "
            "collation_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
            "SELECT conrelid::regclass::text, conname, contype, condeferrable, condeferred, "
            r"regexp_replace(pg_get_constraintdef(oid), '::[a-z ]+(\[\])?|[()]', '', 'g') "
            f"FROM pg_constraint WHERE connamespace = {here} ORDER BY 1, 2",
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() ORDER BY 1, 2",
            "SELECT tgrelid::regclass::text, tgname, tgenabled, pg_get_triggerdef(oid) "
            "FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
            "SELECT proname, prosrc, prosecdef, proconfig::text FROM pg_proc "
            f"WHERE pronamespace = {here} ORDER BY 1",
            "SELECT sequencename, data_type::text, start_value, increment_by FROM pg_sequences "
            "WHERE schemaname = current_schema() ORDER BY 1",
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            f"WHERE relnamespace = {here} AND relkind = 'r' ORDER BY 1",
            "SELECT to_jsonb(s)::text FROM coursetrack_schema s",
        ):
            found += [tuple(row) for row in conn.exec_driver_sql(sql)]
        return found


def test_a_new_store_is_the_schema_every_step_makes(
    db: str, new_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new store is made at once at the newest schema (`store.fresh`), not step by step:
    the same schema as replaying every step, to sqlite_master's text on SQLite."""
    assert fresh.VERSION == schema.SCHEMA_VERSION  # a new step comes with store.fresh's update
    made, replayed = _migrated(db), _replayed(new_store(), monkeypatch)
    made_schema = schema_of(made)
    assert made_schema == schema_of(replayed)
    assert len(made_schema) > 60  # tables, indexes, triggers: not two empty lists
    made.dispose()
    replayed.dispose()


def test_a_new_store_is_an_upgraded_first_release_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store upgraded from schema 1 holds the very schema a new one is made with."""
    path = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parent / "data" / "store-schema1.db", path)
    upgraded, made = _migrated(str(path)), _migrated(str(tmp_path / "new.db"))
    assert schema_of(upgraded) == schema_of(made)
    upgraded.dispose()
    made.dispose()


def assert_is_what_the_models_describe(bind) -> None:
    """Compare the store behind `bind` with `models`, table by table."""
    engine = bind.dialect.name
    found = inspect(bind)
    dialect = bind.dialect
    tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
    assert set(found.get_table_names()) - set(schema.INTERNAL_TABLES) == set(tables)
    for name, table in tables.items():
        columns = {c["name"]: c for c in found.get_columns(name)}
        assert list(columns) == [c.name for c in table.columns], name
        for column in table.columns:
            got = columns[column.name]
            where = f"{name}.{column.name}"
            assert str(got["type"]) == column.type.compile(dialect), where
            if not column.primary_key:
                assert got["nullable"] == column.nullable, where
            if column.server_default is not None:
                default = column.server_default.arg
                if not isinstance(default, str):  # an expression: as this engine spells it
                    default = str(default.compile(dialect=dialect))
                assert default.lower() in str(got["default"]).lower(), where
        assert found.get_pk_constraint(name)["constrained_columns"] == ["id"], name

        uniques = {frozenset(u["column_names"]) for u in found.get_unique_constraints(name)}
        assert uniques == _model_uniques(table), name

        checks = [c for c in table.constraints if c.__class__.__name__ == "CheckConstraint"]
        stored = found.get_check_constraints(name)
        if engine == "sqlite":  # SQLite keeps the DDL's text as written
            assert {_words(c["sqltext"]) for c in stored} == {
                _words(str(c.sqltext)) for c in checks
            }, name
        else:  # PostgreSQL rewrites the text; the names are the models'
            assert {c["name"] for c in stored} == {c.name for c in checks}, name

        keys = _foreign_keys(bind, found, name)
        declared = {
            (
                tuple(c.name for c in fk.columns),
                fk.elements[0].column.table.name,
                tuple(e.column.name for e in fk.elements),
                fk.ondelete,
            )
            for fk in table.foreign_key_constraints
        }
        assert keys == declared, name
        if engine == "postgresql":  # undo defers them (SET CONSTRAINTS ALL DEFERRED)
            assert all(k["options"].get("deferrable") for k in found.get_foreign_keys(name))

        indexes = {
            (i["name"], tuple(i["column_names"]), bool(i["unique"]))
            for i in found.get_indexes(name)
            if not i.get("duplicates_constraint")
        }
        assert indexes == {
            (i.name, tuple(c.name for c in i.columns), bool(i.unique)) for i in table.indexes
        }, name


def test_the_constraints_hold_on_this_engine(store) -> None:
    """What the models declare, the store refuses: a status or grade outside the enum,
    an owner count other than one."""
    assert store.run("import", "deep-learning-specialization").exit_code == 0
    bind = _engine(store.db)
    for statement in (
        "INSERT INTO progress (topic_id, status) VALUES (1, 'finished')",
        "INSERT INTO progress (topic_id, course_id, status) VALUES (1, 1, 'todo')",
        "INSERT INTO note (written_on, text) VALUES ('2025-01-01', 'nobody''s')",
        "INSERT INTO review (topic_id, reviewed_on, grade, interval_days, due_on) "
        "VALUES (1, '2025-01-01', 'meh', 1, '2025-01-02')",
    ):
        with pytest.raises(IntegrityError), bind.begin() as conn:
            conn.exec_driver_sql(
                f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
                f"VALUES ('2025-01-01T00:00:00+00:00', 'x', {by_hand.values(bind.dialect.name)})"
            )
            _bind_newest(conn)
            conn.exec_driver_sql(statement)
    bind.dispose()


def _bind_newest(conn) -> None:
    newest = conn.exec_driver_sql("SELECT max(id) FROM command").scalar_one()
    triggers.bind_command(conn, newest)


def test_every_change_names_the_models_columns(dls) -> None:
    """The triggers' column lists come from the models: each recorded row has exactly
    the model's columns, in the model's order."""
    assert dls.run("start", "dls/1/1", "--on", "2025-01-02").exit_code == 0
    assert dls.run("note", "dls/1/1", "hello").exit_code == 0
    assert dls.run("link", "dls/1", "https://example.com/nb").exit_code == 0
    assert dls.run("goal", "dls", "--by", "2099-01-01").exit_code == 0
    assert dls.run("done", "dls/1/1", "--on", "2025-01-03").exit_code == 0
    assert dls.run("reviewed", "dls/1/1", "--grade", "good", "--on", "2025-01-04").exit_code == 0
    dls.execute("INSERT INTO member DEFAULT VALUES")  # a study group's (PostgreSQL) member
    # a study group's peer review: another learner's request (by hand), reviewed
    dls.execute(
        "INSERT INTO peer_request (topic_id, url, asked_on, learner) "
        "VALUES (1, 'https://example.org/ann', '2025-01-05', 'ann')"
    )
    dls.execute(
        "INSERT INTO peer_review (request_id, reviewed_on, grade, comment) "
        "SELECT max(id), '2025-01-06', ?, 'clear' FROM peer_request",
        Verdict.PASS.value,
    )
    seen = set()
    for table, old, new in dls.rows("SELECT table_name, old, new FROM change ORDER BY id"):
        model = next(m for m in TRACKED if m.__tablename__ == table)
        for values in (old, new):
            if values is not None:
                assert tuple(json.loads(values)) == columns_of(model), table
                seen.add(table)
    assert seen == {m.__tablename__ for m in TRACKED}


def test_each_transaction_records_under_its_own_command(db: str, engine: str) -> None:
    """Two writers whose transactions interleave (possible on PostgreSQL) each record
    their changes under their own command, never the newest one; on SQLite the
    binding is gone once the transaction ends."""
    bind = _migrated(db)
    first, second = bind.connect(), bind.connect()
    try:
        ids = []
        for conn in (first, second):
            conn.begin()
            ids.append(
                conn.execute(
                    text(
                        f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
                        f"VALUES (:at, :line, {by_hand.values(engine)}) RETURNING id"
                    ),
                    {"at": "2025-01-01T00:00:00+00:00", "line": f"writer {len(ids) + 1}"},
                ).scalar_one()
            )
            triggers.bind_command(conn, ids[-1])
            if engine == "sqlite":  # one writer at a time: the first finishes here
                conn.exec_driver_sql(
                    "INSERT INTO specialization (slug, title) VALUES ('a', 'A')"
                    if conn is first
                    else "INSERT INTO specialization (slug, title) VALUES ('b', 'B')"
                )
                conn.commit()
        if engine == "postgresql":  # the first writes after the second began and bound
            first.exec_driver_sql("INSERT INTO specialization (slug, title) VALUES ('a', 'A')")
            second.exec_driver_sql("INSERT INTO specialization (slug, title) VALUES ('b', 'B')")
            first.commit()
            second.commit()
    finally:
        first.close()
        second.close()
    with bind.connect() as conn:
        recorded = conn.exec_driver_sql(
            "SELECT c.line, ch.new FROM change ch JOIN command c ON c.id = ch.command_id "
            "ORDER BY ch.id"
        ).all()
        if engine == "sqlite":
            assert conn.exec_driver_sql("SELECT count(*) FROM history_binding").scalar() == 0
    assert [(line, json.loads(new)["slug"]) for line, new in recorded] == [
        ("writer 1", "a"),
        ("writer 2", "b"),
    ]
    bind.dispose()


def test_a_write_under_no_command_is_refused(db: str) -> None:
    """No change without a trace, on either engine: the trigger finds no bound command
    and guesses none (not the newest command, which may be another writer's)."""
    bind = _migrated(db)
    with pytest.raises(IntegrityError, match="command_id"), bind.begin() as conn:
        conn.exec_driver_sql(
            f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
            f"VALUES ('2025-01-01T00:00:00+00:00', 'x', {by_hand.values(bind.dialect.name)})"
        )
        conn.exec_driver_sql("INSERT INTO specialization (slug, title) VALUES ('a', 'A')")
    bind.dispose()


def _load_schema2(pg_url: str) -> None:
    with postgres.connect(pg_url, autocommit=True) as con:
        con.execute(PG_FIXTURE.read_text())


def _pg_rows(pg_url: str, sql: str) -> list[tuple]:
    bind = create_engine(postgres.on_psycopg2(pg_url))
    try:
        with bind.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]
    finally:
        bind.dispose()


_CATALOG = "SELECT id, slug, title FROM {} ORDER BY id"
_PROGRESS = (
    "SELECT id, specialization_id, course_id, topic_id, status, "
    "CAST(started_on AS VARCHAR), CAST(completed_on AS VARCHAR) FROM progress ORDER BY id"
)
_NOTES = "SELECT specialization_id, course_id, topic_id, text FROM note ORDER BY id"


def test_a_schema_2_postgresql_store_upgrades_and_keeps_every_row(
    pg_url: str, postgres_server
) -> None:
    _load_schema2(pg_url)
    assert _pg_rows(pg_url, "SELECT version FROM coursetrack_schema") == [(2,)]
    before = {
        t: _pg_rows(pg_url, _CATALOG.format(t)) for t in ("specialization", "course", "topic")
    }
    progress, notes = _pg_rows(pg_url, _PROGRESS), _pg_rows(pg_url, _NOTES)
    assert len(notes) == 2 and len(progress) == 8

    from typer.testing import CliRunner

    from coursetrack.cli import app

    result = CliRunner().invoke(app, ["--db", pg_url, "start", "dls/3/1", "--on", "2025-03-01"])
    assert result.exit_code == 0, result.stderr
    assert _pg_rows(pg_url, "SELECT version FROM coursetrack_schema") == [(schema.SCHEMA_VERSION,)]
    assert {
        t: _pg_rows(pg_url, _CATALOG.format(t)) for t in ("specialization", "course", "topic")
    } == before
    after = _pg_rows(pg_url, _PROGRESS)
    assert after[:8] == progress and len(after) == 9
    assert _pg_rows(pg_url, _NOTES) == notes
    # the upgraded store keeps history, under the command that made the change
    assert _pg_rows(
        pg_url,
        "SELECT c.line, ch.table_name, ch.op FROM change ch JOIN command c ON c.id = ch.command_id",
    ) == [("start dls/3/1 --on 2025-03-01", "progress", "insert")]
    undone = CliRunner().invoke(app, ["--db", pg_url, "undo", "--yes"])
    assert undone.exit_code == 0, undone.stderr
    assert _pg_rows(pg_url, _PROGRESS) == progress
    bind = create_engine(postgres.on_psycopg2(pg_url))
    assert_is_what_the_models_describe(bind)
    name = postgres_server.create_database()
    try:  # a new store holds the very schema the upgrade ends at
        made = _migrated(postgres_server.url(name))
        assert schema_of(bind) == schema_of(made)
        made.dispose()
    finally:
        postgres_server.drop_database(name)
    bind.dispose()


def _fail_half_way(original):
    def migration(conn) -> None:
        original(conn)
        conn.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")

    return migration


def test_a_failing_postgresql_migration_rolls_back(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load_schema2(pg_url)
    tables = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    triggers = "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
    before = (_pg_rows(pg_url, tables), _pg_rows(pg_url, triggers), _pg_rows(pg_url, _PROGRESS))
    failing = [*schema.MIGRATIONS[:3], _fail_half_way(schema.MIGRATIONS[3])]
    monkeypatch.setattr(schema, "MIGRATIONS", failing)

    from typer.testing import CliRunner

    from coursetrack.cli import app

    result = CliRunner().invoke(app, ["--db", pg_url, "start", "dls/3/1"])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "no_such_table" in result.stderr and result.stderr.count("\n") == 1
    # step 3 went through in its own transaction; step 4 left nothing behind
    assert _pg_rows(pg_url, "SELECT version FROM coursetrack_schema") == [(3,)]
    assert (
        _pg_rows(pg_url, tables),
        _pg_rows(pg_url, triggers),
        _pg_rows(pg_url, _PROGRESS),
    ) == before
    monkeypatch.undo()
    assert CliRunner().invoke(app, ["--db", pg_url, "start", "dls/3/1"]).exit_code == 0
    assert _pg_rows(pg_url, "SELECT version FROM coursetrack_schema") == [(schema.SCHEMA_VERSION,)]


def test_two_processes_migrating_one_new_postgresql_store_both_succeed(pg_url: str) -> None:
    """The first to take the migration lock builds the schema; the other waits, then
    finds each step done (what two `coursetrack` commands on a new shared store do)."""
    import threading

    errors: list[BaseException] = []

    def migrate() -> None:
        bind = create_engine(postgres.on_psycopg2(pg_url))
        try:
            schema.migrate(bind, shown="the shared store")
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)
        finally:
            bind.dispose()

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _pg_rows(pg_url, "SELECT version FROM coursetrack_schema") == [(schema.SCHEMA_VERSION,)]
    triggers = "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
    ruled = [
        s
        for s in (*rules.cross_table_ddl("postgresql"), *peer_rules.ddl("postgresql"))
        if s.startswith(("CREATE TRIGGER", "CREATE CONSTRAINT TRIGGER"))
    ]
    assert _pg_rows(pg_url, triggers) == [(3 * len(TRACKED) + len(ruled),)]


def test_the_new_sqlite_store_statements_are_the_schemas() -> None:
    """store/new_sqlite.py, what the first write on a new machine makes its store with
    (sqlite3 alone), says what `fresh.create_sqlite` makes: the comparisons above then
    hold for a store made either way."""
    from coursetrack.store import fresh

    written = (Path(fresh.__file__).with_name("new_sqlite.py")).read_text(encoding="utf-8")
    assert written == fresh.new_sqlite_source(), (
        "store/new_sqlite.py is out of date with the schema: run "
        "python -c 'from coursetrack.store import fresh; fresh.write_new_sqlite()'"
    )


def test_a_store_a_first_write_makes_is_the_schemas_and_imports_no_orm(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "first.db"
    script = (
        "import sys\n"
        "from coursetrack import store\n"
        f"store.open_store({str(path)!r}, write=True).close()\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    made = tmp_path / "made.db"
    db_store.open_store(f"sqlite:///{made}", write=True).close()  # the SQLAlchemy way
    plain, other = (create_engine(f"sqlite:///{p}") for p in (path, made))
    try:
        assert schema_of(plain) == schema_of(other)
    finally:
        plain.dispose()
        other.dispose()
