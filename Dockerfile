# Assay application server: stateless; state lives in PostgreSQL and the shared data directory.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ASSAY_DATA_DIR=/data \
    ASSAY_ENVIRONMENT=production

RUN groupadd --system assay && useradd --system --gid assay --home-dir /app assay \
    && mkdir -p /app /data && chown assay:assay /data

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY alembic ./alembic
COPY questionnaires ./questionnaires
COPY templates ./templates
COPY static ./static
# Editable install: templates, static files and migrations are read from /app at run time.
RUN pip install --no-cache-dir -e '.[postgres]'

USER assay
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

CMD ["sh", "-c", "assay db upgrade && exec uvicorn app.asgi:app --host 0.0.0.0 --port 8000 --workers ${ASSAY_WORKERS:-4} --proxy-headers --forwarded-allow-ips='*'"]
