# Production image: `registry serve` with several uvicorn workers against PostgreSQL.
# Two stages: the first installs the locked dependencies (every file checked against its hash in
# requirements.lock) and the registry into a virtual environment; the second copies only that
# environment and the code, and runs as an unprivileged user.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /srv/registry

# Dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY migrations ./migrations
COPY app ./app
COPY importers ./importers
# Editable, so `alembic.ini` and `migrations/` beside the code are found at run time; the
# dependencies are already installed from the lock.
RUN pip install --no-deps --no-build-isolation -e .


FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

RUN useradd --system --create-home --home-dir /srv/registry registry
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /srv/registry /srv/registry
WORKDIR /srv/registry
# The Swedish word lists as tries (app/language/resources.py), built now: the user below cannot
# write its home, where they would otherwise be kept.
ENV REGISTRY_LANGUAGE_CACHE_DIR=/opt/language
RUN python -m app.language.resources /opt/language

USER registry
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=4)"
CMD ["registry", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4", "--timeout-worker-healthcheck", "30"]
