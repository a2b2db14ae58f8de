import uuid

from sqlmodel import Field, SQLModel


class ProvenMatch(SQLModel, table=True):
    """A live initiative not yet in operation, and a proven initiative of another organisation
    in its cluster that its owner neither adopts nor takes part in; kept by the indexer. What
    `pilot_of_proven` and `duplicate_of_proven` stand on (`app.analytics.flags.rules`)."""

    __tablename__ = "proven_match"

    initiative_id: uuid.UUID = Field(primary_key=True)
    proven_id: uuid.UUID = Field(index=True)
