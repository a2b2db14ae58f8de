from datetime import datetime
from typing import Literal

from pydantic import Field
from sqlmodel import SQLModel

BASE64 = "Standard base64 (RFC 4648 §4)."


class TreeHeadBody(SQLModel):
    tree_size: int = Field(description="How many entries the log holds.")
    root_hash: str = Field(
        description=f"The Merkle tree hash of the first `tree_size` entries (RFC 9162 §2.1.1). {BASE64}"
    )
    timestamp: int = Field(description="When the head was signed, in milliseconds since the Unix epoch.")


class TreeHead(TreeHeadBody):
    signature: str = Field(
        description=f"Ed25519 signature over the RFC 8785 canonical JSON of the other three members. {BASE64}"
    )


class KeyRead(SQLModel):
    public_key: str = Field(description=f"The 32 raw bytes of the Ed25519 public key. {BASE64}")
    created_at: datetime | None = None
    retired_at: datetime | None = None


class PublicKeys(SQLModel):
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str = Field(description=f"The key that signs tree heads now: its 32 raw bytes. {BASE64}")
    created_at: datetime | None = Field(default=None, description="When it was generated; null for a configured key.")
    previous_keys: list[KeyRead] = Field(description="Retired keys, newest first, to check heads they signed.")


class InclusionProof(SQLModel):
    leaf_index: int = Field(description="The entry's position in sequence order, from 0.")
    tree_size: int
    audit_path: list[str] = Field(
        description=f"PATH(leaf_index, D[tree_size]) of RFC 9162 §2.1.3.1, leaf side first. {BASE64}"
    )


class ConsistencyProof(SQLModel):
    first: int
    second: int
    consistency_path: list[str] = Field(description=f"PROOF(first, D[second]) of RFC 9162 §2.1.4.1. {BASE64}")
