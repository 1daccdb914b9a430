"""``carewise serve`` (the web app) and ``carewise users`` (web accounts)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from carewise.cli_common import (
    DbOption,
    JsonOption,
    console,
    open_store,
    out,
    print_json,
    user_errors,
)
from carewise.store.accounts import Role

users_app = typer.Typer(help="Manage the web app's accounts.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")

    @app.command("serve")
    @user_errors
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        db: DbOption = None,
        demo_admin: Annotated[bool, typer.Option(help="Create (or reset) a demo admin account and print its sign-in.")] = False,
        workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
    ) -> None:
        """Serve the web app (dashboards, explorer, imports, panel pack, children's records)."""
        import uvicorn

        from carewise.settings import get_settings
        from carewise.web import create_app

        settings = get_settings()
        url = db or settings.resolved_database_url()
        if demo_admin:
            password = _demo_admin(url)
            console.print(f"[bold]Demo sign-in[/]: user name [cyan]admin[/], password [cyan]{password}[/]")
        console.print(f"carewise is running at [link]http://{host}:{port}/[/link] — press Ctrl+C to stop")
        uvicorn.run(create_app(url, settings), host=host, port=port, workers=workers, log_level="warning",
                    access_log=False, **proxy_options(settings.trusted_proxies))


def proxy_options(trusted: str | None) -> dict[str, object]:
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


@users_app.command("add")
@user_errors
def add(
    username: Annotated[str, typer.Argument(help="User name (usually an email address).")],
    role: Annotated[Role, typer.Option(help="admin, analyst, manager or panel.")] = Role.PANEL,
    council: Annotated[list[str] | None, typer.Option("--council", help="A council they may see (repeat).")] = None,
    all_councils: Annotated[bool, typer.Option(help="May see every council stored.")] = False,
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    password: Annotated[str | None, typer.Option(help="Password (at least 12 characters); asked for if not given.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a web account."""
    from carewise.store import audit
    from carewise.store.accounts import create_user

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = open_store(db)
    user = create_user(store, username, password, role, display_name=name, councils=council or [],
                       all_councils=all_councils)
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
