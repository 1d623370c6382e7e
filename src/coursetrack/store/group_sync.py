"""The study group's security for sync (issue 24), applied with the rest of it
(`store.group.apply_security`, security version 5) and compared by `coursetrack check`
(`store.check_group`).

A learner's replica syncs with the group's store as her role, so row-level security
already keeps to her own record what goes up and comes down (`docs/sync.md`, "In a
study group"). What a sync needs besides:

- the hub's `sync_state` (its replica id: a replica refuses a hub that is not the one it
  synced with) to read, and never to write;
- `command_seq`, the hub's arrival numbers, to draw from (USAGE, not UPDATE: no learner
  moves the sequence back under the others); her commands' `seq`, `gid`, `stamp` and
  `payload` are hers as the rest of her history is (`own_rows` on `command`), nothing of
  anyone else's;
- the catalog's version. A learner cannot read the curators' history (a command line may
  hold a private note), so the catalog comes down to a replica as state
  (`services.sync_group`) when it changed: the store counts catalog changes in
  `coursetrack_schema.catalog_version`, bumped once per transaction by a statement
  trigger on each catalog table. The trigger's function runs as the owner, as the
  history's do, since no learner, curators included, may write that row; and, as theirs,
  it is run by its triggers alone (any grant of it is taken back). It is a column of the table
  every store has, so a sync reads it in its one read (`HUB_CATALOG_VERSION`, NULL on a
  store that is no group's), as `group.opening` reads `security`;
- a catalog item's uid never changes (`keep_uid`): a replica applies the catalog by uid,
  and would take an item given another uid for another item, removing the learner's
  record of the old one there while the group keeps it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: The function that bumps the catalog's version, and the trigger that calls it on each
#: catalog table.
CATALOG_FUNCTION, CATALOG_TRIGGER = "coursetrack_catalog_changed", "catalog_version"

#: The function that refuses a change of a catalog item's uid, and its trigger.
UID_FUNCTION, UID_TRIGGER = "coursetrack_keep_uid", "keep_uid"
#: What it raises (`group.OTHERS_SQLSTATE`'s kin).
UID_SQLSTATE = "CT003"

_UID_BODY = (
    "\nBEGIN\n"
    f"    RAISE EXCEPTION USING ERRCODE = '{UID_SQLSTATE}',\n"
    "        MESSAGE = TG_TABLE_NAME || ' ' || OLD.slug || '''s uid names it on every replica '\n"
    "            || 'and never changes (a new uid is a new item: add it)';\n"
    "END "
)

#: Whether the catalog has its uids (schema 8): a test's store of an older schema has not.
_HAS_UID = (
    "EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('topic') "
    "AND attname = 'uid' AND NOT attisdropped)"
)

#: The catalog's version as a sync reads it on the hub: NULL where the store is no group's
#: (no column; through to_jsonb, so the query is the same on every store).
HUB_CATALOG_VERSION = (
    "(SELECT (to_jsonb(s) ->> 'catalog_version')::bigint FROM coursetrack_schema s)"
)

#: The function's body: one bump per transaction, however many statements it runs (an
#: import is thousands), so a replica compares one number; `catalog_xact` is the last
#: transaction that bumped it.
_BODY = """
BEGIN
    UPDATE coursetrack_schema SET catalog_version = catalog_version + 1,
        catalog_xact = txid_current()
    WHERE catalog_xact IS DISTINCT FROM txid_current();
    RETURN NULL;
END """


def _quote(name: str) -> str:  # as `group.quote`, which imports this module
    return '"' + name.replace('"', '""') + '"'


def security(conn: Connection, schema: str, learners: str) -> list[str]:
    """What `group.apply_security` applies for sync: each statement idempotent."""
    from coursetrack.models import CATALOG, table_names

    has_state, has_seq, has_uid = conn.exec_driver_sql(
        "SELECT to_regclass('sync_state') IS NOT NULL, to_regclass('command_seq') IS NOT NULL, "
        + _HAS_UID
    ).one()
    out = [
        "ALTER TABLE coursetrack_schema ADD COLUMN IF NOT EXISTS "
        "catalog_version BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE coursetrack_schema ADD COLUMN IF NOT EXISTS catalog_xact BIGINT",
        f"CREATE OR REPLACE FUNCTION {CATALOG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
        f"SECURITY DEFINER SET search_path = {_quote(schema)}, pg_temp AS $${_BODY}$$",
        # the version is the trigger's to write: learners read the table, no more
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON coursetrack_schema FROM {_quote(learners)}",
        f"REVOKE ALL ON FUNCTION {CATALOG_FUNCTION}() FROM PUBLIC",
        # and from whoever was granted it by hand
        *(
            f"REVOKE ALL ON FUNCTION {CATALOG_FUNCTION}() FROM {who}"
            for (who,) in conn.exec_driver_sql(
                "SELECT DISTINCT quote_ident(pg_get_userbyid(a.grantee)) FROM pg_proc p, "
                "aclexplode(p.proacl) a WHERE p.oid = to_regprocedure(%(f)s) "
                "AND a.grantee NOT IN (0, p.proowner)",
                {"f": f"{CATALOG_FUNCTION}()"},
            )
        ),
    ]
    for table in table_names(CATALOG):
        out += [
            f"DROP TRIGGER IF EXISTS {CATALOG_TRIGGER} ON {_quote(table)}",
            f"CREATE TRIGGER {CATALOG_TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {_quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {CATALOG_FUNCTION}()",
        ]
    if has_uid:
        out.append(
            f"CREATE OR REPLACE FUNCTION {UID_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $${_UID_BODY}$$"
        )
        for table in table_names(CATALOG):
            out += [
                f"DROP TRIGGER IF EXISTS {UID_TRIGGER} ON {_quote(table)}",
                f"CREATE TRIGGER {UID_TRIGGER} BEFORE UPDATE OF uid ON {_quote(table)} "
                "FOR EACH ROW WHEN (OLD.uid IS DISTINCT FROM NEW.uid) "
                f"EXECUTE FUNCTION {UID_FUNCTION}()",
            ]
    if has_state:
        out += [
            f"REVOKE ALL ON sync_state FROM {_quote(learners)}",
            f"GRANT SELECT ON sync_state TO {_quote(learners)}",
        ]
    if has_seq:
        out += [
            f"REVOKE ALL ON SEQUENCE command_seq FROM {_quote(learners)}",
            f"GRANT USAGE, SELECT ON SEQUENCE command_seq TO {_quote(learners)}",
        ]
    return out


def grant_problems(conn: Connection, learners: str) -> list[str]:
    """What learners may do that sync needs, and no more (`check`'s group-grants): read
    `sync_state` and the catalog's version, draw from `command_seq`; write neither."""
    again = "its owner runs 'coursetrack group init' to apply it again"
    expected = [("TABLE", "coursetrack_schema", p, False) for p in ("UPDATE", "INSERT", "DELETE")]
    present: dict[str, bool] = dict(
        conn.exec_driver_sql(
            "SELECT n, to_regclass(n) IS NOT NULL FROM unnest(ARRAY['sync_state', 'command_seq']) n"
        ).all()
    )
    if present.get("sync_state"):
        expected += [("TABLE", "sync_state", "SELECT", True)] + [
            ("TABLE", "sync_state", p, False) for p in ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
        ]
    if present.get("command_seq"):
        expected += [
            ("SEQUENCE", "command_seq", "USAGE", True),
            ("SEQUENCE", "command_seq", "UPDATE", False),
        ]
    wrong = []
    for kind, name, privilege, must in expected:
        has = conn.exec_driver_sql(
            f"SELECT has_{kind.lower()}_privilege(%(r)s, %(t)s, %(p)s)",
            {"r": learners, "t": name, "p": privilege},
        ).scalar()
        if bool(has) != must:
            wrong.append(
                f"{learners} {'may not' if must else 'may'} {privilege} on {name}; {again}"
            )
    return wrong


def trigger_problems(conn: Connection, config: list[str]) -> list[str]:
    """The catalog's version is kept (`check`'s group-triggers): its column, its function as
    made and run as the owner with the store's search_path, its trigger on each catalog
    table (a missing one would let a curator's change never reach the replicas). `config`:
    the settings a function of the owner's runs with, as PostgreSQL lists them."""
    from coursetrack.models import CATALOG, table_names

    again = "its owner runs 'coursetrack group init' to apply it again"
    wrong = []
    has_column = conn.exec_driver_sql(
        "SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'coursetrack_schema'::regclass "
        "AND attname = 'catalog_version' AND NOT attisdropped)"
    ).scalar()
    if not has_column:
        wrong.append(
            f"the catalog's version (coursetrack_schema.catalog_version) is missing; {again}"
        )
    found = conn.exec_driver_sql(
        "SELECT prosrc, prosecdef, proconfig FROM pg_proc WHERE proname = %(f)s "
        "AND pronamespace = current_schema()::regnamespace",
        {"f": CATALOG_FUNCTION},
    ).first()
    if found is None:
        wrong.append(f"the function {CATALOG_FUNCTION}() is missing; {again}")
    elif found[0] != _BODY or not found[1] or list(found[2] or ()) != config:
        wrong.append(
            f"the function {CATALOG_FUNCTION}() is not the one coursetrack makes (it runs as "
            f"the owner, with the store's search_path); {again}"
        )
    on = {
        table
        for (table,) in conn.exec_driver_sql(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %(t)s "
            "AND tgfoid = to_regproc(%(f)s)",
            {"t": CATALOG_TRIGGER, "f": CATALOG_FUNCTION},
        )
    }
    wrong += [
        f"the trigger {CATALOG_TRIGGER} on {table} is missing (a curator's change would not "
        f"reach the learners' replicas); {again}"
        for table in table_names(CATALOG)
        if table not in on
    ]
    if not conn.exec_driver_sql(f"SELECT {_HAS_UID}").scalar():
        return wrong
    body = conn.exec_driver_sql(
        "SELECT prosrc FROM pg_proc WHERE proname = %(f)s "
        "AND pronamespace = current_schema()::regnamespace",
        {"f": UID_FUNCTION},
    ).scalar()
    if body != _UID_BODY:
        what = "is missing" if body is None else "is not the one coursetrack makes"
        wrong.append(f"the function {UID_FUNCTION}() {what}; {again}")
    kept = {
        table
        for (table,) in conn.exec_driver_sql(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %(t)s "
            "AND tgfoid = to_regproc(%(f)s)",
            {"t": UID_TRIGGER, "f": UID_FUNCTION},
        )
    }
    wrong += [
        f"the trigger {UID_TRIGGER} on {table} is missing (a curator could give an item "
        f"another uid, which replicas take for another item); {again}"
        for table in table_names(CATALOG)
        if table not in kept
    ]
    return wrong
