"""The web app: FastAPI with GOV.UK Frontend pages, accounts, roles and an audit trail."""

from carewise.web.app import create_app

__all__ = ["create_app"]
