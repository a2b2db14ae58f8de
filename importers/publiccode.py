"""publiccode.yml: each solution that names a `publiccode_url` is read from that file.

The file's name, description, addresses, licence, maintenance and platforms replace the
solution's; a file that cannot be fetched or read is a rejection of that initiative, the
others go on. The URLs are typed in by registry users, so each is fetched as the other importers
fetch: only from public addresses unless `REGISTRY_IMPORT_ALLOW_PRIVATE_ADDRESSES=true`, and
only from its own origin (a redirect to another host is refused).
"""

import uuid

from sqlmodel import Session

from app.core.caller import IMPORTER
from app.initiatives import publiccode
from app.initiatives import service as initiative_service
from app.initiatives.schemas import Solution
from importers.http import Fetcher, FetchError
from importers.pipeline import RunContext, batch_session, chunks


def run(context: RunContext, fetcher: Fetcher) -> None:
    with batch_session(context) as session:
        solutions = initiative_service.solutions_with_publiccode(session)
    context.progress.start("Reading publiccode.yml files", len(solutions))
    for batch in chunks(solutions, context.settings.batch_size):
        read = [(initiative_id, _read(context, fetcher, initiative_id, solution)) for initiative_id, solution in batch]
        with batch_session(context) as session:
            for initiative_id, solution in read:
                if solution is not None:
                    _record(session, context, initiative_id, solution)
        context.progress.advance(len(batch))


def _read(context: RunContext, fetcher: Fetcher, initiative_id: uuid.UUID, solution: Solution) -> Solution | None:
    url = str(solution.publiccode_url)
    try:
        fetcher.stay_on(url)  # each file is a source of its own
        fetched = fetcher.get(url)
        if fetched is None:  # not conditional: never None, but the type allows it
            return None
        return publiccode.read_solution(fetched.body.decode(fetched.charset or "utf-8", errors="replace"), solution)
    except (FetchError, publiccode.InvalidPubliccode) as error:
        context.tally.reject(url, str(initiative_id), str(error))
        return None


def _record(session: Session, context: RunContext, initiative_id: uuid.UUID, solution: Solution) -> None:
    if initiative_service.replace_solution(session, initiative_id, solution, IMPORTER):
        context.tally.counts.updated += 1
    else:
        context.tally.counts.unchanged += 1
