from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth import permissions
from app.auth import service as auth_service
from app.auth.throttle import client_address
from app.core.caller import Caller
from app.core.db import SessionDep
from app.core.problems import TooManyRequests, Unauthorized

bearer = HTTPBearer(auto_error=False, description="An organisation's API key, or the admin token.")


def authenticated_caller(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    if credentials is None:
        raise Unauthorized("Send the key as `Authorization: Bearer <key>`.")
    throttle, client = request.app.state.auth_throttle, client_address(request)
    if throttle.is_blocked(client):
        raise TooManyRequests("Too many wrong keys from this address; try again in a minute.")
    admin_token = request.app.state.settings.admin_token
    caller = auth_service.authenticate(
        session, credentials.credentials, admin_token.get_secret_value() if admin_token else None
    )
    if caller is None:
        throttle.record_failure(client)
        raise Unauthorized("The key is unknown or has been revoked.")
    return caller


CallerDep = Annotated[Caller, Depends(authenticated_caller)]


def admin_caller(caller: CallerDep) -> Caller:
    permissions.require_admin(caller)
    return caller


AdminDep = Annotated[Caller, Depends(admin_caller)]
