"""Who may do what. Every write's permission rule is here; services call these before they
write, and routes, the web and the importers only pass the caller on, so the API and the web
always answer alike (403 with the same explanation)."""

from app.core.caller import Caller
from app.core.problems import Forbidden


def may_act_for(caller: Caller, organisation_code: str) -> bool:
    """An organisation's key acts for that organisation only; the admin (and importers) for all."""
    return caller.is_admin or caller.organisation_code == organisation_code


def require_acting_for(caller: Caller, organisation_code: str, detail: str) -> None:
    if not may_act_for(caller, organisation_code):
        raise Forbidden(detail)


def require_involved(caller: Caller, organisation_codes: set[str], detail: str) -> None:
    """The admin, or a key of one of these organisations (owners and participants of what is acted on)."""
    if not (caller.is_admin or caller.organisation_code in organisation_codes):
        raise Forbidden(detail)


def require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden("Only the registry's admin key may do this.")
