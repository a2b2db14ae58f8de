"""The public web pages, in Swedish: thin routes over the same services as the JSON API."""

import hmac
import tempfile
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from app.adoptions import service as adoption_service
from app.analytics.clusters import service as cluster_service
from app.analytics.clusters.schemas import ClusterQuery, ClusterRead
from app.analytics.context import AnalyticsContext, ContextDep
from app.analytics.flags import service as flag_service
from app.analytics.indexer import state as indexer_state
from app.analytics.kpis import service as kpi_service
from app.analytics.kpis.schemas import KpiReport
from app.analytics.overlaps import service as overlap_service
from app.analytics.overlaps.schemas import SimilarQuery
from app.analytics.scaling import service as scaling_service
from app.analytics.scaling.schemas import CandidateQuery, NationalCandidateQuery
from app.auth import service as auth_service
from app.auth.throttle import WINDOW_SECONDS as THROTTLE_WINDOW_SECONDS
from app.auth.throttle import client_address
from app.changes import service as change_service
from app.core.db import SessionDep
from app.core.enums import Category, ParticipationStatus
from app.core.problems import Forbidden, NotFound, PreconditionFailed, ValidationFailed
from app.initiatives import export
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.initiatives.query import InitiativeQuery
from app.initiatives.schemas import InitiativeRead
from app.organisations import service as organisation_service
from app.organisations.service import Profile
from app.web import downloads, forms, labels, listing, organisation_list, views
from app.web.charts import Bar
from app.web.templating import EditorDep, Page, PageDep, local_path

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
STATIC_DIR = Path(__file__).parent / "static"
CsrfField = Annotated[str | None, Form()]
TOP_ON_START = 5
CLUSTERS_PER_PAGE = 20
MEMBERS_SHOWN = 12  # per cluster: a national cluster can have hundreds of members
CANDIDATES_SHOWN = 50
BROKEN_PAGE_LINK = (
    "Länken till sidan fungerar inte",
    "Adressen pekar på en sida i listan som registret inte känner igen. Börja om från listans första sida.",
)
PORTFOLIO_SHOWN = 200
CLUSTERS_PER_DOWNLOAD_PAGE = 200
CANDIDATES_DOWNLOADED = 200  # the most one query returns


@router.get("/")
def start(page: PageDep, context: ContextDep) -> Response:
    """The national picture."""
    counts = initiative_reads.facet_counts(context.session, InitiativeQuery(), counted_only=True)
    clusters = cluster_service.list_clusters(context, ClusterQuery(limit=TOP_ON_START)).items
    candidates = scaling_service.national_candidates(context, NationalCandidateQuery(limit=TOP_ON_START))
    return page.render(
        "start.html",
        facets=counts,
        status_bars=views.status_bars(counts.status),
        category_bars=views.category_bars(counts.category),
        clusters=clusters,
        cluster_bars=views.cluster_bars(clusters),
        candidates=candidates,
        candidate_bars=views.national_candidate_bars(candidates),
        coverage=scaling_service.coverage(context),
    )


@router.get("/att-ta-efter.{extension}", response_class=StreamingResponse)
def download_national_candidates(extension: str, page: PageDep, context: ContextDep) -> Response:
    """The proven solutions others could take after, ranked as on the start page, up to the most one query returns."""
    if extension not in downloads.EXTENSIONS:
        return page.not_found("Listan finns som CSV (.csv) och Excel (.xlsx).")
    found = scaling_service.national_candidates(context, NationalCandidateQuery(limit=CANDIDATES_DOWNLOADED))
    return downloads.respond(downloads.national_candidates(found, _public_url(page)), extension)


@router.get("/initiativ")
def initiatives(page: PageDep, session: SessionDep) -> Response:
    """Search and filter initiatives, with facet counts and pagination."""
    try:
        query = listing.query_from_params(page.request.query_params)
        found, cursor = initiative_reads.list_page(session, query)
    except ValidationFailed:
        return page.render("error.html", status_code=400, heading=BROKEN_PAGE_LINK[0], message=BROKEN_PAGE_LINK[1])
    return page.render(
        "initiatives.html",
        query=query,
        items=initiative_reads.reads(session, found),
        cursor=cursor,
        facets=initiative_reads.facet_counts(session, query),
        organisation_names=_names(session, query.organisation),
        query_string=listing.query_string,
        sorts=listing.SORTS,
    )


@router.get("/initiativ.{extension}", response_class=StreamingResponse)
def download_initiatives(extension: str, page: PageDep, session: SessionDep) -> Response:
    """Every initiative the list's query matches: for spreadsheets (CSV, XLSX) or as JSON Lines."""
    if extension not in (*downloads.EXTENSIONS, "jsonl"):
        return page.not_found("Det finns bara nedladdningar som CSV (.csv), Excel (.xlsx) och JSON Lines (.jsonl).")
    records = export.matching_records(session, listing.query_from_params(page.request.query_params))
    if extension != "jsonl":
        return downloads.respond(downloads.initiatives(records, _public_url(page)), extension)
    # The request's transaction ends when this function returns, so the whole result is
    # written out now (to disk beyond a few megabytes) and only the sending happens later.
    spool = tempfile.SpooledTemporaryFile(max_size=downloads.SPOOL_BYTES, mode="w+", encoding="utf-8", newline="")  # noqa: SIM115  (closed by chunks once sent)
    export.write_jsonl(records, spool)
    spool.seek(0)
    headers = {"Content-Disposition": 'attachment; filename="initiativ.jsonl"'}
    return StreamingResponse(downloads.chunks(spool), media_type="application/x-ndjson", headers=headers)


@router.get("/initiativ/nytt")
def new_initiative(editor: EditorDep, session: SessionDep) -> HTMLResponse:
    """The form for registering an initiative."""
    return _form(editor, session, forms.empty_values(editor.signed_in.organisation_code), {}, initiative=None)


@router.post("/initiativ/nytt")
async def create_initiative(editor: EditorDep, session: SessionDep, csrf: CsrfField = None) -> Response:
    """Register an initiative with the API's validation and permissions."""
    if not editor.web.is_valid_csrf(csrf):
        return editor.csrf_failed()
    form = await editor.request.form()
    values = forms.values_from_form(form)
    if forms.MORE_ROWS in form:
        return _form(editor, session, values, {}, initiative=None)
    # Only organisations sign in on the web and register for themselves; an owner posted anyway
    # goes to the service, which refuses another organisation's (403), never silently replaced.
    values["owner"] = values["owner"] or (editor.signed_in.organisation_code or "")
    try:
        data = forms.read_create(values, _missing_codes(session))
        with session.begin_nested():
            initiative = initiative_service.create(session, data, editor.signed_in)
    except forms.FormInvalid as invalid:
        return _form(editor, session, values, invalid.errors, initiative=None)
    except ValidationFailed as problem:
        errors = forms.errors_from_service(problem.invalid_parameters, problem.detail, values)
        return _form(editor, session, values, errors, initiative=None)
    except Forbidden:
        owner = organisation_service.labels_by_code(session, [values["owner"]]).get(values["owner"])
        return _forbidden(editor, owner.name if owner else values["owner"])
    editor.web.flash("Initiativet är registrerat. Tack!")
    return editor.redirect(f"/initiativ/{initiative.id}")


@router.get("/initiativ/{initiative_id}")
def initiative(initiative_id: str, page: PageDep, context: ContextDep) -> Response:
    """Everything about one initiative."""
    session = context.session
    read = _initiative(session, initiative_id)
    if read is None:
        return page.not_found("Det finns inget initiativ med den adressen. Kontrollera länken eller sök.")
    adoptions = adoption_service.list_for_initiative(session, read.id)
    taken_after = adoption_service.taken_after(session, read.id)
    originals = {row.id: row for row in initiative_reads.rows(session, [i for i, _status in taken_after])}
    history = change_service.history(session, read.id)
    # What the analytics take to be the same work, so this list agrees with the clusters and flags.
    overlaps = overlap_service.list_similar(context, read.id, SimilarQuery())
    judges = [j.judge for match in overlaps for j in match.explanation.judgements]
    names = organisation_service.names_by_code(
        session,
        [
            read.owner,
            *(p.organisation for p in read.participants),
            *(a.organisation_code for a in adoptions),
            *(change.actor_organisation_code for change in history if change.actor_organisation_code),
            *(change.snapshot.get("organisation", "") for change in history if change.entity == "adoption"),
            *judges,
        ],
    )
    return page.render(
        "initiative.html",
        initiative=read,
        adoptions=adoptions,
        history=history,
        names=names,
        judge_names={code: label.name for code, label in names.items()},
        may_edit=_may_edit(page, read.owner) and not read.is_archived,
        answerable={p.organisation for p in read.participants if _may_edit(page, p.organisation)},
        taken_after=[(originals[i], status) for i, status in taken_after if i in originals],
        overlaps=overlaps,
        **_acts(page, session, read, overlaps),
    )


def _acts(page: Page, session: SessionDep, read: InitiativeRead, overlaps: list) -> dict:
    """What the signed-in organisation may do here (app/web/acts.py): take after another's
    initiative or link its own, and judge the overlaps that involve it."""
    caller = page.caller
    if caller is None:
        return {"may_act": False, "own_initiatives": [], "judgeable": set(), "judged_by_caller": set()}
    code = caller.organisation_code
    involved_here = {read.owner, *(p.organisation for p in read.participants if p.status == "confirmed")}
    acting_for = code if code is not None and code not in involved_here and not read.is_archived else None
    return {
        "may_act": acting_for is not None,
        "own_initiatives": initiative_reads.owned(session, acting_for) if acting_for else [],
        "judgeable": {
            match.initiative.id for match in overlaps if code in involved_here or code == match.initiative.owner
        },
        "judged_by_caller": {
            match.initiative.id for match in overlaps if any(j.judge == code for j in match.explanation.judgements)
        },
    }


ANSWERS = {"bekrafta": ParticipationStatus.confirmed, "avboja": ParticipationStatus.declined}
ANSWERED = {
    ParticipationStatus.confirmed: "Deltagandet är bekräftat.",
    ParticipationStatus.declined: "Deltagandet är avböjt.",
}


@router.post("/initiativ/{initiative_id}/deltagare/{code}/{answer}")
def answer_participation(
    initiative_id: str,
    code: str,
    answer: str,
    editor: EditorDep,
    session: SessionDep,
    csrf: CsrfField = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """The participating organisation confirms or declines what the owner listed for it, then goes
    back to the initiative (or to `next`, a page of this site: "Vår portfölj" sends its own)."""
    read = _initiative(session, initiative_id)
    if read is None or answer not in ANSWERS:
        return editor.not_found("Det finns inget initiativ med den adressen.")
    if not editor.web.is_valid_csrf(csrf):
        return editor.csrf_failed()
    try:
        with session.begin_nested():
            initiative_service.answer_participation(session, read.id, code, ANSWERS[answer], editor.signed_in)
    except Forbidden:
        return _forbidden_answer(editor, code)
    except NotFound:
        return editor.not_found("Organisationen är inte listad som deltagare i initiativet.")
    editor.web.flash(ANSWERED[ANSWERS[answer]])
    return editor.redirect(local_path(next) if next else f"/initiativ/{read.id}")


@router.get("/initiativ/{initiative_id}/andra")
def edit_initiative(initiative_id: str, editor: EditorDep, session: SessionDep) -> Response:
    """The form for changing an initiative, carrying the version it was loaded at."""
    read = _initiative(session, initiative_id)
    if read is None:
        return editor.not_found("Det finns inget initiativ med den adressen.")
    if not _may_edit(editor, read.owner):
        return _forbidden(editor, read.owner_name)
    if read.is_archived:
        return _archived(editor)
    return _form(editor, session, forms.values_from_initiative(read), {}, initiative=read, version=read.version)


@router.post("/initiativ/{initiative_id}/andra")
async def update_initiative(
    initiative_id: str,
    editor: EditorDep,
    session: SessionDep,
    version: Annotated[int, Form()],
    csrf: CsrfField = None,
) -> Response:
    """Save a change with the API's validation and permissions; refused when the initiative
    changed after the form was loaded."""
    read = _initiative(session, initiative_id)
    if read is None:
        return editor.not_found("Det finns inget initiativ med den adressen.")
    if not editor.web.is_valid_csrf(csrf):
        return editor.csrf_failed()
    if not _may_edit(editor, read.owner):
        return _forbidden(editor, read.owner_name)
    if read.is_archived:
        return _archived(editor)
    form = await editor.request.form()
    values = forms.values_from_form(form)
    if version != read.version:
        return _stale(editor, session, values, read, version)
    if forms.MORE_ROWS in form:
        return _form(editor, session, values, {}, initiative=read, version=version)
    try:
        data = forms.read_update(values, forms.values_from_initiative(read), _missing_codes(session))
        with session.begin_nested():
            updated = initiative_service.update(session, read.id, data, editor.signed_in, version)
    except forms.FormInvalid as invalid:
        return _form(editor, session, values, invalid.errors, initiative=read, version=version)
    except ValidationFailed as problem:
        errors = forms.errors_from_service(problem.invalid_parameters, problem.detail, values)
        return _form(editor, session, values, errors, initiative=read, version=version)
    except Forbidden:
        return _forbidden(editor, read.owner_name)
    except PreconditionFailed:
        return _stale(editor, session, values, _initiative(session, initiative_id), version)
    is_changed = updated.version != version
    editor.web.flash("Ändringarna är sparade." if is_changed else "Inget ändrades: formuläret var oförändrat.")
    return editor.redirect(f"/initiativ/{read.id}")


@router.get("/organisation")
def organisations(page: PageDep, context: ContextDep) -> Response:
    """Find organisations by name, kind and county; filter by initiatives and reporting; sort."""
    filters = organisation_list.filters_from_params(page.request.query_params)
    session = context.session
    found = organisation_service.list_organisations(
        session, kind=filters.kind_filter, county=filters.county or None, q=filters.q or None
    )
    counts = initiative_reads.owned_counts(session)
    rows = organisation_list.rows(found, counts, scaling_service.reporting(context), filters)
    return page.render("organisations.html", rows=rows, filters=filters, sorts=organisation_list.SORTS)


@router.get("/organisation/{code}")
def organisation(code: str, page: PageDep, context: ContextDep) -> Response:
    """An organisation's portfolio, what it could take after from others, and its KPIs."""
    session = context.session
    profile = context.organisations.profiles.get(code)
    if profile is None:
        return page.not_found(f"Det finns ingen organisation med koden {code} i registret.")
    involved, more = initiative_reads.list_page(
        session, InitiativeQuery(organisation=profile.code, limit=PORTFOLIO_SHOWN, sort="title")
    )
    portfolio = flag_service.portfolio(context, profile)
    candidates, _ = scaling_service.candidates_for(context, profile, CandidateQuery(basis=None, limit=CANDIDATES_SHOWN))
    history = kpi_service.kpi_history(context, profile, date.today())
    return page.render(
        "organisation.html",
        organisation=profile,
        may_register=_may_edit(page, profile.code),
        initiatives=initiative_reads.reads(session, involved),
        has_more=more is not None,
        portfolio=portfolio,
        flags_by_id={item.id: item.flags for item in portfolio.initiatives},
        flag_bars=views.flag_bars(portfolio.flags),
        candidates=candidates,
        candidate_bars=views.candidate_bars(candidates),
        kpis=views.kpi_series(history),
        compared_year=history[-1].year if history else None,
        compared=_kpi_comparison(page, context, profile, history),
    )


def _kpi_comparison(
    page: Page, context: AnalyticsContext, profile: Profile, history: list[KpiReport]
) -> dict[str, list[Bar]]:
    """The latest year beside the county's and the country's, which every organisation page
    shares: computed once per data version by each worker, not once per page."""
    if not history:
        return {}
    latest, today = history[-1], date.today()
    aggregates = page.request.app.state.shared_figures.get(
        indexer_state.data_version(context.session.connection()),
        ("kpi-aggregates", latest.year, today),
        lambda: kpi_service.kpi_aggregates(context, latest.year, today),
    )
    return views.kpi_comparison(latest, kpi_service.kpi_comparison(aggregates, profile))


@router.get("/organisation/{code}/{table}.{extension}", response_class=StreamingResponse)
def download_organisation_table(code: str, table: str, extension: str, page: PageDep, context: ContextDep) -> Response:
    """An organisation's KPIs (`nyckeltal`) or what it could take after (`att-ta-efter`), for spreadsheets."""
    profile = context.organisations.profiles.get(code)
    if profile is None or table not in ("nyckeltal", "att-ta-efter") or extension not in downloads.EXTENSIONS:
        return page.not_found("Den nedladdningen finns inte. Organisationens sida länkar till dem som finns.")
    if table == "nyckeltal":
        series = views.kpi_series(kpi_service.kpi_history(context, profile, date.today()))
        return downloads.respond(downloads.kpis(series, code), extension)
    found, _ = scaling_service.candidates_for(context, profile, CandidateQuery(basis=None, limit=CANDIDATES_DOWNLOADED))
    return downloads.respond(downloads.candidates(found, code, _public_url(page)), extension)


@router.get("/dubbelarbete")
def duplication(page: PageDep, session: SessionDep) -> Response:
    """Duplication clusters across organisations, by county and category."""
    params = page.request.query_params
    county, category = _duplication_filters(page)
    query = ClusterQuery(
        county=county, category=category, limit=CLUSTERS_PER_PAGE, cursor=(params.get("cursor") or "")[:500] or None
    )
    first_page = urlencode({name: value for name, value in (("county", county), ("category", category)) if value})
    try:
        clusters = cluster_service.list_clusters(AnalyticsContext.of(session), query)
    except ValidationFailed:
        return page.redirect(f"/dubbelarbete?{first_page}")
    return page.render(
        "duplication.html",
        clusters=clusters,
        query=query,
        first_page=first_page,
        bars=views.cluster_bars(clusters.items[:10]),
        members_shown=MEMBERS_SHOWN,
    )


@router.get("/sa-raknar-vi")
def method(page: PageDep, context: ContextDep) -> Response:
    """How every figure on the site is computed: formulas, assumptions and limits."""
    return page.render("method.html", coverage=scaling_service.coverage(context))


@router.get("/dubbelarbete.{extension}", response_class=StreamingResponse)
def download_duplication(extension: str, page: PageDep, session: SessionDep) -> Response:
    """The duplication report (every cluster, one row per initiative) for spreadsheets."""
    if extension not in downloads.EXTENSIONS:
        return page.not_found("Rapporten om dubbelarbete finns som CSV (.csv) och Excel (.xlsx).")
    county, category = _duplication_filters(page)
    found = _every_cluster(AnalyticsContext.of(session), county, category)
    return downloads.respond(downloads.clusters(found, _public_url(page)), extension)


def _every_cluster(context: AnalyticsContext, county: str | None, category: Category | None) -> Iterator[ClusterRead]:
    cursor = None
    while True:
        query = ClusterQuery(county=county, category=category, limit=CLUSTERS_PER_DOWNLOAD_PAGE, cursor=cursor)
        found = cluster_service.list_clusters(context, query)
        yield from found.items
        if found.next is None:
            return
        cursor = found.next


@router.get("/om")
def about(page: PageDep) -> Response:
    """What the registry is, its licence and its API."""
    return page.render("about.html", public_url=page.request.app.state.settings.public_url.rstrip("/"))


@router.get("/logga-in")
def sign_in_form(page: PageDep, next: str = "/var-portfolj") -> Response:
    """Sign in with the organisation's API key."""
    return page.render("sign_in.html", next=local_path(next), error=None)


@router.post("/logga-in")
def sign_in(
    page: PageDep,
    session: SessionDep,
    key: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/var-portfolj",
    csrf: CsrfField = None,
) -> Response:
    """Check the key and start a session; the key itself is not kept."""
    if not page.web.is_enabled:
        return page.render("sign_in.html", status_code=503, next=local_path(next), error=None)
    if not page.web.is_valid_csrf(csrf):
        return page.csrf_failed()
    throttle = page.request.app.state.auth_throttle
    client = client_address(page.request)
    if throttle.is_blocked(client):
        return _throttled(page, next)
    # The admin token is not looked up here: it works in the API and the command line only.
    caller = auth_service.authenticate(session, key.strip(), None)
    if caller is None:
        throttle.record_failure(client)
        error = (
            "Nyckeln är okänd eller har återkallats. Kontrollera att du har kopierat hela nyckeln."
            if key.strip()
            else "Fyll i organisationens nyckel."
        )
        if _is_admin_token(page, key.strip()):
            error = (
                "Administratörsnyckeln kan inte användas för att logga in på webben. "
                "Logga in med en organisations nyckel."
            )
        return page.render("sign_in.html", status_code=422, next=local_path(next), error=error)
    page.web.sign_in(caller)
    page.web.flash("Du är inloggad.")
    return page.redirect(local_path(next))


@router.post("/logga-ut")
def sign_out(page: PageDep, session: SessionDep, csrf: CsrfField = None) -> RedirectResponse:
    """End the session, for this browser and any copy of its cookie."""
    if page.web.is_valid_csrf(csrf):
        page.web.sign_out(session)
        page.web.flash("Du är utloggad.")
    return page.redirect("/")


def _is_admin_token(page: Page, key: str) -> bool:
    admin_token = page.request.app.state.settings.admin_token
    return admin_token is not None and hmac.compare_digest(key.encode(), admin_token.get_secret_value().encode())


def _throttled(page: Page, next: str) -> HTMLResponse:
    response = page.render(
        "sign_in.html",
        status_code=429,
        next=local_path(next),
        error="För många misslyckade inloggningar. Vänta en minut och försök igen.",
    )
    response.headers["Retry-After"] = str(THROTTLE_WINDOW_SECONDS)
    return response


def _duplication_filters(page: Page) -> tuple[str | None, Category | None]:
    params = page.request.query_params
    county = params.get("county") if params.get("county") in labels.COUNTY_NAMES else None
    category = Category(params["category"]) if params.get("category") in listing.CATEGORY_VALUES else None
    return county, category


def _public_url(page: Page) -> str:
    return page.request.app.state.settings.public_url.rstrip("/")


def _may_edit(page: Page, owner_code: str) -> bool:
    """Whether the signed-in user may write the owner's initiatives: the service's decision,
    asked before a form or a link to it is shown."""
    if page.caller is None:
        return False
    try:
        initiative_service.check_may_edit(page.caller, owner_code)
    except Forbidden:
        return False
    return True


def _initiative(session: SessionDep, initiative_id: str) -> InitiativeRead | None:
    try:
        return initiative_reads.read(session, uuid.UUID(initiative_id))
    except ValueError:
        return None


def _names(session: SessionDep, code: str | None) -> dict:
    return organisation_service.names_by_code(session, [code] if code else [])


def _form(
    page: Page,
    session: SessionDep,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    initiative,
    version: int | None = None,
    stale: bool = False,
) -> HTMLResponse:
    status_code = 409 if stale else 422 if errors else 200
    return page.render(
        "initiative_form.html",
        status_code=status_code,
        values=forms.displayable(values),
        errors=errors,
        initiative=initiative,
        version=version,
        stale=stale,
        field_label=forms.field_label,
        rows=forms.shown_rows(values),
        column_labels=forms.COLUMN_LABELS,
        organisations={o.code: o.name for o in organisation_service.list_organisations(session)},
        participation={p.organisation: p.status for p in initiative.participants} if initiative else {},
    )


def _missing_codes(session: SessionDep) -> forms.MissingCodes:
    return lambda codes: organisation_service.missing_codes(session, codes)


def _stale(page: Page, session: SessionDep, values: dict[str, str], current, version: int) -> HTMLResponse:
    return _form(page, session, values, {}, initiative=current, version=version, stale=True)


def _archived(page: Page) -> HTMLResponse:
    return page.render(
        "error.html",
        status_code=409,
        heading="Initiativet är arkiverat",
        message="Ett arkiverat initiativ finns kvar att läsa men kan inte längre ändras eller tas efter.",
    )


def _forbidden(page: Page, owner_name: str) -> HTMLResponse:
    return page.render(
        "error.html",
        status_code=403,
        heading="Du kan inte ändra det här initiativet",
        message=f"Initiativet ägs av {owner_name}. "
        "Bara den organisationen (eller registrets administratör) kan ändra det.",
    )


def _forbidden_answer(page: Page, code: str) -> HTMLResponse:
    return page.render(
        "error.html",
        status_code=403,
        heading="Du kan inte svara för den organisationen",
        message=f"Bara organisationen {code} själv (eller registrets administratör) kan bekräfta eller avböja "
        "sitt deltagande.",
    )
