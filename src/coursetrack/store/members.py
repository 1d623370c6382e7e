"""Who is in a study group: logins (`group add`), and who is listed in its post (`group share`).

A learner is a login role of the server, a member of the group's learners'
role (`store.group` makes the roles and the security). The owner adds them
through `Store.administer` (a role is the server's business, not a learner's
record to undo); a learner's own choice to be listed is a row of theirs
(`member`), written in their command's transaction and undone like any other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.errors import StoreError
from coursetrack.store.group import CURATORS, LEARNERS, is_group, quote, role_name

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from coursetrack.store.writer import Writer

NOT_A_GROUP = "this store is not a study group's yet; its owner runs coursetrack group init first"


def is_postgres_target(target: str) -> bool:
    """Whether the store named `target` (path or URL) is on PostgreSQL, without opening it."""
    scheme, sep, _ = target.partition("://")
    return bool(sep) and scheme.split("+", 1)[0].lower() == "postgresql"


def not_on_postgres(shown: str) -> StoreError:
    return StoreError(
        f"study groups need a PostgreSQL store that every learner reaches; {shown} is a "
        "SQLite store (give --db postgresql://USER@HOST/DATABASE, or set COURSETRACK_DB)"
    )


@dataclass(frozen=True)
class Added:
    learner: str
    curator: bool
    password: str | None  # None: the role existed already and keeps its password
    database: str = ""  # the store's database, which names the group's roles
    changed: bool = True  # False: they were a member so already (a curator stays one)


_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a learner's role, or None."""
    if not _NAME.fullmatch(name):
        return (
            f"{name!r} cannot name a learner: use 1 to 63 lowercase letters, digits "
            "and _, starting with a letter (it becomes their database role)"
        )
    if name.startswith("pg_") or name in ("public", "postgres", "current_user", "session_user"):
        return f"{name!r} is reserved by PostgreSQL; choose another name"
    return None


def add(conn: Connection, name: str, *, curator: bool) -> Added:
    """Give `name` a login in the group (a new role with a fresh password, or an existing one).

    The password reaches the server as a SCRAM-SHA-256 verifier, as psql's
    \\password sends it: the plain text is in no statement, so in no server log.
    """
    problem = name_problem(name)
    if problem:
        raise StoreError(problem)
    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    learners, curators = role_name(database, LEARNERS), role_name(database, CURATORS)
    if name in (learners, curators):
        raise StoreError(f"{name!r} is one of the group's own roles; choose another name")
    if not is_group(conn):
        raise StoreError(NOT_A_GROUP)
    _refuse_unless_owner(conn, name, curator=curator, curators=curators)
    # a member (directly or through the curators' role); a superuser is every role's
    # member to pg_has_role, so is granted as before
    exists, learner, is_curator = conn.exec_driver_sql(
        "SELECT count(*) > 0, "
        "coalesce(bool_or(NOT rolsuper AND pg_has_role(oid, to_regrole(%(l)s), 'MEMBER')), "
        "false), "
        "coalesce(bool_or(NOT rolsuper AND pg_has_role(oid, to_regrole(%(c)s), 'MEMBER')), "
        "false) FROM pg_roles WHERE rolname = %(r)s",
        {"r": name, "l": learners, "c": curators},
    ).one()
    if learner and (is_curator or not curator):
        # a member already, as much as asked: `group add` never demotes a curator
        return Added(name, bool(is_curator), None, database, changed=False)
    password = None
    if not exists:
        password = secrets.token_urlsafe(18)
        verifier = scram_verifier(password)
        # utility statements take no bound parameters; a verifier is base64, digits, $ and :
        assert re.fullmatch(r"[A-Za-z0-9+/=$:-]+", verifier)
        conn.exec_driver_sql(f"CREATE ROLE {quote(name)} LOGIN PASSWORD '{verifier}'")
    if not learner:
        conn.exec_driver_sql(f"GRANT {quote(learners)} TO {quote(name)}")
    if curator:
        conn.exec_driver_sql(f"GRANT {quote(curators)} TO {quote(name)}")
    return Added(name, curator, password, database)


def _refuse_unless_owner(conn: Connection, name: str, *, curator: bool, curators: str) -> None:
    """Only the group's owner (the tables' owner, who made its roles) adds members: anyone
    else is told so, and what to ask of them, before the server refuses a role."""
    owner, me, may, is_curator = conn.exec_driver_sql(
        "SELECT pg_get_userbyid(c.relowner), session_user, "
        "c.relowner = r.oid OR r.rolsuper, pg_has_role(session_user, to_regrole(%(c)s), "
        "'MEMBER') FROM pg_class c, pg_roles r "
        "WHERE c.oid = to_regclass('progress') AND r.rolname = current_user",
        {"c": curators},
    ).one()
    if may:
        return
    flag = " --curator" if curator else ""
    raise StoreError(
        f"only the group's owner, {owner}, adds learners and curators; {me} is a "
        f"{'curator' if is_curator else 'learner'} (ask {owner} to run coursetrack group "
        f"add {name}{flag})"
    )


def scram_verifier(password: str, *, iterations: int = 4096) -> str:
    """PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 5802/7677)."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def learner_url(target: str, name: str, password: str | None) -> str:
    """The store's URL `target` for learner `name`: the owner's, with the user (and the
    password) replaced. The rest is kept as typed; a `user` or `password` parameter
    in the query, which libpq would prefer to the user part, is left out."""
    from urllib.parse import quote, unquote, urlsplit, urlunsplit

    parts = urlsplit(target)
    host = parts.netloc.rpartition("@")[2]
    user = quote(name, safe="") if password is None else f"{name}:{quote(password, safe='')}"
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and unquote(pair.partition("=")[0]).lower() not in ("user", "password")
    ]
    return urlunsplit((parts.scheme, f"{user}@{host}", parts.path, "&".join(kept), parts.fragment))


@dataclass(frozen=True)
class Shared:
    learner: str  # the role that logged in
    changed: bool  # False: it was so already


def set_shared(writer: Writer, *, shared: bool) -> Shared:
    """List this learner in the group's post or not (their own `member` row).

    Inside a write (the history records the row); the row's learner is the
    column's default, the role that logged in.
    """
    if not is_group(writer):
        raise StoreError(NOT_A_GROUP)
    learner = writer.scalar("SELECT session_user")
    before = writer.one("SELECT shared FROM member WHERE learner = session_user")
    if before is None:
        writer.execute("INSERT INTO member (shared) VALUES (:shared)", shared=shared)
    elif bool(before.shared) != shared:
        writer.execute(
            "UPDATE member SET shared = :shared WHERE learner = session_user", shared=shared
        )
    return Shared(learner, changed=before is None or bool(before.shared) != shared)
