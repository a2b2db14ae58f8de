from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.auth.dependencies import AdminDep
from app.changes.log import keys, tree
from app.changes.log.schemas import ConsistencyProof, InclusionProof, PublicKeys, TreeHead
from app.core.db import SessionDep, may_write
from app.core.problems import problems

router = APIRouter(prefix="/api/v1/log", tags=["verifiable log"])


@router.get("/tree-head", response_model=TreeHead, dependencies=[Depends(may_write)])
def tree_head(request: Request, session: SessionDep) -> TreeHead:
    """The signed head of the change log's Merkle tree (RFC 9162 §2.1), for mirrors to check what they hold."""
    return tree.tree_head(session, keys.signing_key(session, request.app.state.settings.log_signing_key))


@router.get("/public-key", response_model=PublicKeys, dependencies=[Depends(may_write)])
def public_key(request: Request, session: SessionDep) -> PublicKeys:
    """The Ed25519 key that signs tree heads, and the retired ones."""
    return keys.listing(session, request.app.state.settings.log_signing_key)


@router.post("/public-key/rotate", response_model=PublicKeys, responses=problems(401, 403, 409))
def rotate_key(request: Request, session: SessionDep, _admin: AdminDep) -> PublicKeys:
    """Sign from now on with a new key (admin only); the old one stays listed for heads it signed."""
    return keys.rotate(session, request.app.state.settings.log_signing_key)


@router.get("/proof/inclusion", response_model=InclusionProof, responses=problems(404, 422))
def inclusion_proof(
    session: SessionDep,
    sequence: Annotated[int, Query(ge=1, le=2**63 - 1, description="The change-feed entry's sequence number.")],
    tree_size: Annotated[int, Query(ge=1, le=2**63 - 1, description="The size of a tree head the client holds.")],
) -> InclusionProof:
    """The audit path (RFC 9162 §2.1.3) from an entry's leaf to the root of the tree of `tree_size` entries."""
    return tree.inclusion(session, sequence, tree_size)


@router.get("/proof/consistency", response_model=ConsistencyProof, responses=problems(404, 422))
def consistency_proof(
    session: SessionDep,
    first: Annotated[int, Query(ge=1, le=2**63 - 1, description="The size of the older tree head.")],
    second: Annotated[int, Query(ge=1, le=2**63 - 1, description="The size of the newer tree head.")],
) -> ConsistencyProof:
    """The consistency path (RFC 9162 §2.1.4) proving the tree of `first` entries a prefix of that of `second`."""
    return tree.consistency(session, first, second)
