# Production image: `registry serve` with several uvicorn workers against PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --create-home --home-dir /srv/registry registry
WORKDIR /srv/registry

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir -p app importers && touch app/__init__.py importers/__init__.py \
    && pip install . && pip uninstall --yes initiative-registry

COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
COPY importers ./importers
# Editable, so `alembic.ini` and `migrations/` beside the code are found at run time.
RUN pip install --no-deps -e . && chown -R registry /srv/registry

USER registry
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["registry", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
