"""Administration pages: users (add, role, councils, switch off, reset password) and the audit
trail (filter, export for the data protection officer, purge past the retention period).

Administrators only. Every change is audited; changes to a user's role, councils or account
apply to their next request, as every request reads the user afresh.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from carewise.store import accounts, audit
from carewise.store.accounts import AccountError, Role, User
from carewise.web.auth import admin_role, check_csrf

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 100
AUDIT_ACTIONS = ("sign-in", "sign-in-failed", "sign-in-throttled", "sign-out", "refused", "import", "export",
                 "view-child", "view-child-list", "user-created", "settings-changed", "password-reset",
                 "password-changed", "shortlist", "view-referral-list", "audit-purged")


def _render(request: Request, name: str, status_code: int = 200, **context):
    from carewise.web.rendering import render

    return render(request, name, status_code=status_code, **context)


def _users_page(request: Request, status_code: int = 200, errors: dict | None = None, form: dict | None = None,
                notice: str | None = None):
    store = request.app.state.store
    return _render(request, "users.html", status_code=status_code, title="Users", users=accounts.list_users(store),
                   errors=errors or {}, roles=list(Role), all_councils=store.councils(),
                   form=form or {"role": Role.PANEL.value, "councils": []}, notice=notice)


@router.get("/admin/users")
def users_page(request: Request, user: User = Depends(admin_role)) -> Response:
    return _users_page(request)


@router.post("/admin/users")
def users_create(request: Request, username: str = Form(""), display_name: str = Form(""),
                 password: str = Form(""), role: str = Form(Role.PANEL.value), councils: list[str] = Form(default=[]),
                 all_councils: str = Form(""), csrf_token: str = Form(""), user: User = Depends(admin_role)) -> Response:
    """Add a user; a refused form comes back with the message by the field and the entries kept
    (all but the password, which is never sent back)."""
    check_csrf(request, csrf_token)
    store = request.app.state.store
    try:
        accounts.create_user(store, username, password, role, display_name=display_name or None,
                             councils=councils, all_councils=all_councils == "yes")
    except AccountError as exc:
        return _users_page(request, status_code=400, errors={exc.field: str(exc)}, form=dict(
            username=username, display_name=display_name, role=role, councils=councils,
            all_councils=all_councils == "yes"))
    audit.record(store, user.username, "user-created", target=username.strip().lower(),
                 detail={"role": role, "councils": councils, "all_councils": all_councils == "yes"})
    return RedirectResponse("/admin/users", status_code=303)


def _not_own_admin(user: User, username: str, *, active: str = "", role: str = "") -> None:
    if username.strip().lower() == user.username and (active == "no" or role not in ("", Role.ADMIN.value)):
        # otherwise the last administrator could lock everyone out of user management
        raise HTTPException(403, "You cannot switch off your own account or take away your own "
                                 "administrator role. Ask another administrator.")


@router.post("/admin/users/{username}")
def users_update(request: Request, username: str, role: str = Form(""), active: str = Form(""),
                 csrf_token: str = Form(""), user: User = Depends(admin_role)) -> Response:
    """Change a role or switch an account off or on (switching off ends its sessions at once)."""
    check_csrf(request, csrf_token)
    if role and role not in {r.value for r in Role}:
        raise HTTPException(400, "unknown role")
    _not_own_admin(user, username, active=active, role=role)
    try:
        accounts.update_user(request.app.state.store, username, role=role or None,
                             active=None if active == "" else active == "yes")
    except AccountError:
        raise HTTPException(404) from None
    audit.record(request.app.state.store, user.username, "settings-changed", target=username,
                 detail={"role": role or None, "active": active or None})
    return RedirectResponse("/admin/users", status_code=303)


def _find(request: Request, username: str) -> User:
    found = accounts.find_user(request.app.state.store, username)
    if found is None:
        raise HTTPException(404)
    return found


@router.get("/admin/users/{username}")
def user_page(request: Request, username: str, user: User = Depends(admin_role)) -> Response:
    return _render(request, "user.html", title=f"User {username}", person=_find(request, username), errors={},
                   all_councils=request.app.state.store.councils(), temporary=None)


@router.post("/admin/users/{username}/councils")
def user_councils(request: Request, username: str, councils: list[str] = Form(default=[]),
                  all_councils: str = Form(""), csrf_token: str = Form(""), user: User = Depends(admin_role)) -> Response:
    """Which councils' data the user may see: some, or all (now and any added later)."""
    check_csrf(request, csrf_token)
    person = _find(request, username)
    store = request.app.state.store
    try:
        accounts.update_user(store, person.username, councils=councils, all_councils=all_councils == "yes")
    except AccountError as exc:
        return _render(request, "user.html", status_code=400, title=f"User {username}", person=person,
                       errors={exc.field: str(exc)}, all_councils=store.councils(), temporary=None)
    audit.record(store, user.username, "settings-changed", target=person.username,
                 detail={"councils": councils, "all_councils": all_councils == "yes"})
    return RedirectResponse(f"/admin/users/{person.username}", status_code=303)


@router.post("/admin/users/{username}/password")
def user_reset_password(request: Request, username: str, csrf_token: str = Form(""),
                        user: User = Depends(admin_role)) -> Response:
    """Reset a password to a random temporary one, shown once to the administrator; the user must
    choose their own at their next sign-in, and their sessions end now."""
    check_csrf(request, csrf_token)
    person = _find(request, username)
    if person.username == user.username:
        raise HTTPException(403, "Change your own password with 'Change password' at the top of the page.")
    temporary = accounts.temporary_password()
    store = request.app.state.store
    accounts.reset_password(store, person.username, temporary)
    audit.record(store, user.username, "password-reset", target=person.username)
    response = _render(request, "user.html", title=f"User {username}", person=_find(request, username), errors={},
                       all_councils=store.councils(), temporary=temporary)
    response.headers["Cache-Control"] = "no-store"
    return response


# -- audit trail ----------------------------------------------------------------------------------

def _day(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = "Enter a date as YYYY-MM-DD, for example 2025-03-31"
        return None


def _audit_filter(action: str, who: str, since: str, until: str) -> tuple[audit.AuditFilter, dict[str, str]]:
    errors: dict[str, str] = {}
    where = audit.AuditFilter(action=action or None, actor=who or None, since=_day(since, "since", errors),
                              until=_day(until, "until", errors))
    return where, errors


@router.get("/admin/audit")
def audit_page(request: Request, action: str = "", who: str = "", since: str = "", until: str = "",
               page: int = 1, user: User = Depends(admin_role)) -> Response:
    page = max(1, min(page, 10_000))
    store = request.app.state.store
    where, errors = _audit_filter(action, who, since, until)
    return _render(request, "audit.html", status_code=400 if errors else 200, title="Audit trail",
                   events=audit.events(store, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE, where=where),
                   total=audit.count(store, where=where), page=page, per_page=AUDIT_PAGE, actions=AUDIT_ACTIONS,
                   errors=errors, query={"action": action, "who": who, "since": since, "until": until},
                   retention_days=request.app.state.settings.audit_retention_days)


@router.get("/admin/audit/download")
def audit_download(request: Request, action: str = "", who: str = "", since: str = "", until: str = "",
                   format: str = "csv", user: User = Depends(admin_role)) -> Response:
    """The audit trail for the data protection officer: every matching entry, CSV or Excel."""
    where, errors = _audit_filter(action, who, since, until)
    if errors:
        raise HTTPException(400, " ".join(errors.values()))
    store = request.app.state.store
    frame = audit.export_frame(store, where)
    audit.record(store, user.username, "export", target="audit",
                 detail={"format": format, "action": action or None, "user": who or None,
                         "since": since or None, "until": until or None, "entries": frame.height})
    from carewise.web.rendering import frame_download

    return frame_download(frame, f"carewise-audit-{date.today().isoformat()}", format, "Audit trail")


@router.post("/admin/audit/purge")
def audit_purge(request: Request, csrf_token: str = Form(""), user: User = Depends(admin_role)) -> Response:
    """Delete entries older than ``CAREWISE_AUDIT_RETENTION_DAYS``; without the setting nothing goes."""
    check_csrf(request, csrf_token)
    days = request.app.state.settings.audit_retention_days
    if not days:
        raise HTTPException(400, "No retention period is set (CAREWISE_AUDIT_RETENTION_DAYS): entries are kept.")
    audit.purge(request.app.state.store, days, user.username)
    return RedirectResponse("/admin/audit?action=audit-purged", status_code=303)
