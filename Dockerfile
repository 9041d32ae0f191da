# Safeguarding performance dashboard: the web app, served by gunicorn.
# Build: docker build -t safeguard .   Run: docker run -p 8050:8050 -v safeguard-data:/data safeguard
# Load data into the volume with: docker run -v safeguard-data:/data -v $PWD/extracts:/extracts:ro \
#   safeguard safeguard load /extracts/*.csv
# The first account: docker run -it -v safeguard-data:/data safeguard safeguard users add NAME --role admin
# docker-compose.yml runs the app with the scheduler beside it; docs/deploy.md says more.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY requirements/run.lock ./requirements/run.lock
COPY app ./app
COPY appstate ./appstate
COPY etl ./etl
COPY warehouse ./warehouse
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r requirements/run.lock \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps .

FROM python:3.11-slim-bookworm
# Debian's chromium prints the meeting pack to PDF (/pack.pdf); nothing is downloaded at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 safeguard \
    && mkdir /data && chown safeguard:safeguard /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    SAFEGUARD_HOME=/data \
    PYTHONUNBUFFERED=1
USER safeguard
WORKDIR /home/safeguard
VOLUME ["/data"]
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/readyz', timeout=4)"
# gthread workers: a few processes, each with threads sharing its read-only DuckDB snapshots,
# opened after the fork (app.wsgi opens nothing); a swap is noticed by every worker on its own.
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--worker-class", "gthread", "--workers", "2", "--threads", "4", \
     "--timeout", "120", "--access-logfile", "-", "--access-logformat", \
     "{\"time\": \"%(t)s\", \"request\": \"%(r)s\", \"status\": %(s)s, \"bytes\": \"%(b)s\", \"ms\": %(M)s}", \
     "app.wsgi:server"]
