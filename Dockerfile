# The idgraph API. Used by docker-compose.yml (which also runs Neo4j + GDS).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml README.md ./
COPY graph ./graph
COPY api ./api
COPY idgraph ./idgraph
COPY cypher ./cypher

RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 --user-group idgraph

USER idgraph

EXPOSE 8000

CMD ["idgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
