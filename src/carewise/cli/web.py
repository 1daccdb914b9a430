"""``carewise serve`` (the web app) and ``carewise users`` (web accounts)."""

from datetime import date
from pathlib import Path
from typing import Annotated, TypedDict

import typer

from carewise.cli.common import (
    DbOption,
    JsonOption,
    console,
    open_store,
    out,
    print_json,
    user_errors,
)
from carewise.store.roles import Role

users_app = typer.Typer(help="Manage the web app's accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail: export it for the data protection officer, purge old entries.",
                        no_args_is_help=True)


@user_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOption = None,
    demo_admin: Annotated[bool, typer.Option(help="Create (or reset) a demo admin account and print its sign-in.")] = False,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
) -> None:
    """Serve the web app (dashboards, explorer, imports, panel pack, children's records)."""
    import os

    import uvicorn

    from carewise.settings import get_settings

    settings = get_settings()
    url = db or settings.resolved_database_url()
    if demo_admin:
        password = _demo_admin(url)
        console.print(f"[bold]Demo sign-in[/]: user name [cyan]admin[/], password [cyan]{password}[/]")
    console.print(f"carewise is running at [link]http://{host}:{port}/[/link] — press Ctrl+C to stop")
    # uvicorn starts each worker process from an import string; the workers read the database
    # from the environment, and share sessions and sign-in throttling through it
    os.environ["CAREWISE_DATABASE_URL"] = url
    get_settings.cache_clear()
    # a worker still importing carewise's libraries on a busy machine can miss uvicorn's
    # default 5 s health check, and would be killed and restarted for ever
    uvicorn.run("carewise.web:create_app", factory=True, host=host, port=port, workers=workers,
                timeout_worker_healthcheck=120, log_level="warning", access_log=False,
                **proxy_options(settings.trusted_proxies))


class ProxyOptions(TypedDict, total=False):
    """The keyword arguments of ``uvicorn.run`` about proxies."""

    proxy_headers: bool
    forwarded_allow_ips: list[str]


def proxy_options(trusted: str | None) -> ProxyOptions:
    """uvicorn's proxy options: believe forwarded headers only from ``CAREWISE_TRUSTED_PROXIES``.

    Without it a proxy's own address would be every visitor's, and one visitor's failed sign-ins
    would throttle everyone; believing the headers from anyone would let a visitor pick an address.
    """
    proxies = [a.strip() for a in (trusted or "").split(",") if a.strip()]
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}


def _demo_admin(url: str) -> str:
    """An admin for the demo, with a fresh random password each time it is asked for."""
    from carewise.store import Store
    from carewise.store.accounts import create_user, find_user, temporary_password, update_user

    store = Store(url)
    password = temporary_password()
    if find_user(store, "admin") is None:
        create_user(store, "admin", password, Role.ADMIN, display_name="Demo administrator", all_councils=True)
    else:
        update_user(store, "admin", password=password, role=Role.ADMIN, active=True, all_councils=True)
    return password


def _council_codes(store, values: list[str] | None) -> list[str] | None:
    """--council values (code, DfE number or name) as codes, chosen as every command chooses them."""
    from carewise.cli.common import resolve_council

    known = [c.la_code for c in store.councils()]
    return None if values is None else [resolve_council(v, known) for v in values]


@users_app.command("add")
@user_errors
def add(
    username: Annotated[str, typer.Argument(help="User name (usually an email address).")],
    role: Annotated[Role, typer.Option(help="admin, analyst, manager or panel.")] = Role.PANEL,
    council: Annotated[list[str] | None, typer.Option("--council", help="A council they may see (repeat).")] = None,
    all_councils: Annotated[bool, typer.Option(help="May see every council stored.")] = False,
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    password: Annotated[str | None, typer.Option(
        help="Password (at least 12 characters, not a common one); asked for if not given.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a web account."""
    from carewise.store import audit
    from carewise.store.accounts import create_user

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = open_store(db)
    user = create_user(store, username, password, role, display_name=name,
                       councils=_council_codes(store, council) or [], all_councils=all_councils)
    audit.record(store, "(command line)", "user-created", target=user.username, detail={"role": user.role.value})
    if as_json:
        print_json({"username": user.username, "role": user.role.value, "councils": list(user.councils),
                    "all_councils": user.all_councils})
    else:
        out.print(f"Added {user.username} ({user.role.label}).")


@users_app.command("list")
@user_errors
def list_(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List web accounts."""
    from rich.table import Table

    from carewise.store.accounts import list_users

    users = list_users(open_store(db))
    if as_json:
        print_json([{"username": u.username, "name": u.display_name, "role": u.role.value, "active": u.active,
                     "councils": list(u.councils), "all_councils": u.all_councils} for u in users])
        return
    table = Table("User", "Name", "Role", "Councils", "Active")
    for u in users:
        table.add_row(u.username, u.display_name, u.role.label, "all" if u.all_councils else ", ".join(u.councils),
                      "yes" if u.active else "no")
    out.print(table)


def _user_json(u) -> dict:
    return {"username": u.username, "role": u.role.value, "councils": list(u.councils),
            "all_councils": u.all_councils, "active": u.active, "must_change_password": u.must_change_password}


@users_app.command("set")
@user_errors
def set_(
    username: Annotated[str, typer.Argument(help="The user to change.")],
    role: Annotated[Role | None, typer.Option(help="New role.")] = None,
    council: Annotated[list[str] | None, typer.Option("--council", help="Councils they may see (repeat; replaces the list).")] = None,
    all_councils: Annotated[bool | None, typer.Option("--all-councils/--not-all-councils", help="May see every council.")] = None,
    active: Annotated[bool | None, typer.Option("--on/--off", help="Switch the account on or off (off ends its sessions).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a web account's role, councils or whether it is on; applies to its next request."""
    from carewise.store import audit
    from carewise.store.accounts import update_user

    store = open_store(db)
    council = _council_codes(store, council)
    user = update_user(store, username, role=role, councils=council, all_councils=all_councils, active=active)
    audit.record(store, "(command line)", "settings-changed", target=user.username,
                 detail={"role": role.value if role else None, "councils": council, "all_councils": all_councils,
                         "active": active})
    if as_json:
        print_json(_user_json(user))
    else:
        out.print(f"Changed {user.username} ({user.role.label}).")


@users_app.command("reset-password")
@user_errors
def reset_password(
    username: Annotated[str, typer.Argument(help="The user whose password to reset.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give a user a random temporary password (printed once); they choose their own at next sign-in."""
    from carewise.store import audit
    from carewise.store.accounts import reset_password as reset
    from carewise.store.accounts import temporary_password

    store = open_store(db)
    temporary = temporary_password()
    user = reset(store, username, temporary)
    audit.record(store, "(command line)", "password-reset", target=user.username)
    if as_json:
        print_json({**_user_json(user), "temporary_password": temporary})
    else:
        out.print(f"Temporary password for {user.username}: [bold]{temporary}[/] (they must change it at sign-in)")


@audit_app.command("export")
@user_errors
def audit_export(
    out_path: Annotated[Path, typer.Option("--out", help="File to write: .csv or .xlsx.")],
    since: Annotated[str | None, typer.Option(help="From this UTC date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="To this UTC date, inclusive (YYYY-MM-DD).")] = None,
    user: Annotated[str | None, typer.Option(help="Only this user's entries.")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action (e.g. sign-in-failed, refused, view-child).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the audit trail (times in UTC with the zone) for the data protection officer."""
    from carewise.errors import UserFacingError
    from carewise.exports import frame_csv, frame_xlsx
    from carewise.store import audit

    try:
        where = audit.AuditFilter(action=action, actor=user, since=date.fromisoformat(since) if since else None,
                                  until=date.fromisoformat(until) if until else None)
    except ValueError:
        raise UserFacingError("write --since and --until as YYYY-MM-DD, e.g. 2025-03-31") from None
    if out_path.suffix.lower() not in (".csv", ".xlsx"):
        raise UserFacingError(f"{out_path}: name the file .csv or .xlsx")
    store = open_store(db)
    frame = audit.export_frame(store, where)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path.suffix.lower() == ".xlsx":
        out_path.write_bytes(frame_xlsx(frame, "Audit trail"))
    else:
        out_path.write_text(frame_csv(frame), encoding="utf-8")
    audit.record(store, "(command line)", "export", target="audit",
                 detail={"since": since, "until": until, "user": user, "action": action, "entries": frame.height})
    if as_json:
        print_json({"path": str(out_path), "entries": frame.height})
    else:
        out.print(f"Wrote {frame.height:,} audit entries to {out_path}")


@audit_app.command("purge")
@user_errors
def audit_purge(
    days: Annotated[int | None, typer.Option(help="Keep this many days (default: CAREWISE_AUDIT_RETENTION_DAYS).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete audit entries older than the retention period; the purge is itself recorded."""
    from carewise.errors import UserFacingError
    from carewise.settings import get_settings
    from carewise.store import audit

    days = days or get_settings().audit_retention_days
    if not days or days < 1:
        raise UserFacingError("no retention period: set CAREWISE_AUDIT_RETENTION_DAYS or give --days (1 or more)")
    deleted = audit.purge(open_store(db), days, "(command line)")
    if as_json:
        print_json({"retention_days": days, "deleted": deleted})
    else:
        out.print(f"Deleted {deleted:,} audit entries older than {days} days.")
