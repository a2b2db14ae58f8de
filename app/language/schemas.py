from sqlmodel import SQLModel


class ConceptRef(SQLModel):
    id: str
    label: str
