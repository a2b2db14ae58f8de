from typing import Annotated

from fastapi import Depends, Path

from app.core.db import SessionDep
from app.core.problems import NotFound
from app.organisations import service as organisation_service
from app.organisations.models import Organisation

CodePath = Annotated[str, Path(description="Kommunkod, county code or organisation number.", max_length=32)]


def existing_organisation(code: CodePath, session: SessionDep) -> Organisation:
    organisation = organisation_service.get(session, code)
    if organisation is None:
        raise NotFound(f"No organisation has the code {code!r}.")
    return organisation


OrganisationDep = Annotated[Organisation, Depends(existing_organisation)]
