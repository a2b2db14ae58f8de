""" "Vår portfölj": where a signed-in organisation lands: its initiatives with their flags, the
participation others claim for it, the overlaps the registry asks it to judge, and the proven
solutions it could take after."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from app.analytics.context import ContextDep
from app.analytics.flags import service as flag_service
from app.analytics.overlaps import service as overlap_service
from app.analytics.scaling import service as scaling_service
from app.analytics.scaling.schemas import CandidateQuery
from app.initiatives import reads as initiative_reads
from app.web.templating import EditorDep

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
SUGGESTIONS_SHOWN = 30
CANDIDATES_SHOWN = 20
CLAIMS_SHOWN = 50


@router.get("/var-portfolj")
def our_portfolio(editor: EditorDep, context: ContextDep) -> Response:
    """The signed-in organisation's portfolio and what it is asked to look at."""
    code = editor.signed_in.organisation_code
    profile = context.organisations.profiles.get(code) if code else None
    if profile is None:
        return editor.redirect("/")
    portfolio = flag_service.portfolio(context, profile)
    own_ids = [item.id for item in portfolio.initiatives]
    suggestions = overlap_service.unjudged(context, own_ids, profile.code, SUGGESTIONS_SHOWN)
    candidates, _ = scaling_service.candidates_for(context, profile, CandidateQuery(basis=None, limit=CANDIDATES_SHOWN))
    claims = initiative_reads.open_claims(context.session, profile.code)
    return editor.render(
        "our_portfolio.html",
        organisation=profile,
        portfolio=portfolio,
        claims=initiative_reads.reads(context.session, claims[:CLAIMS_SHOWN]),
        more_claims=len(claims) > CLAIMS_SHOWN,
        suggestions=suggestions,
        candidates=candidates,
        judged_by_caller=set(),
    )
