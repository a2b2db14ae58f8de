"""The registry's fixed vocabularies. Values are API contract: add, never rename."""

from enum import StrEnum


class OrganisationKind(StrEnum):
    municipality = "municipality"
    region = "region"
    municipal_federation = "municipal_federation"
    company = "company"
    agency = "agency"
    other = "other"


class InitiativeStatus(StrEnum):
    idea = "idea"
    planned = "planned"
    pilot = "pilot"
    implementation = "implementation"
    in_operation = "in_operation"
    scaled = "scaled"
    discontinued = "discontinued"


#: Statuses in which an initiative is used in real work (and can prove a benefit).
OPERATING_STATUSES = (InitiativeStatus.in_operation, InitiativeStatus.scaled)


class Category(StrEnum):
    welfare_technology = "welfare_technology"
    e_service = "e_service"
    automation = "automation"
    data_and_ai = "data_and_ai"
    infrastructure = "infrastructure"
    education = "education"
    health = "health"
    administration = "administration"
    citizen_dialogue = "citizen_dialogue"
    other = "other"


class ParticipantRole(StrEnum):
    lead = "lead"
    partner = "partner"
    funder = "funder"
    observer = "observer"


class ParticipationStatus(StrEnum):
    """Whether the participating organisation stands behind what the owner listed for it."""

    claimed = "claimed"  # listed by the owner (or a source); the organisation has not answered
    confirmed = "confirmed"
    declined = "declined"


class AdoptionStatus(StrEnum):
    considering = "considering"
    piloting = "piloting"
    in_operation = "in_operation"
    abandoned = "abandoned"


class ChangeAction(StrEnum):
    create = "create"
    update = "update"
    archive = "archive"
    delete = "delete"
    revoke = "revoke"


class ActorKind(StrEnum):
    admin = "admin"
    organisation = "organisation"
    importer = "importer"
    system = "system"


# What to look at in an initiative before more money goes into it (see `app.analytics.flags`).
class Flag(StrEnum):
    no_benefit_realisation = "no_benefit_realisation"
    no_solution = "no_solution"
    decoupled_from_strategy = "decoupled_from_strategy"
    pilot_of_proven = "pilot_of_proven"
    duplicate_of_proven = "duplicate_of_proven"


class Basis(StrEnum):
    """Why an organisation is a scaling candidate (see `app.analytics.scaling.candidates`)."""

    known_need = "known_need"
    potential = "potential"


class Verdict(StrEnum):
    """A person's judgement of a suggested overlap."""

    same = "same"
    related = "related"
    different = "different"
