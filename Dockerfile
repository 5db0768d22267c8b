# Tsunagu web / worker / beat image: one image, the command picks the role (see docker-compose.yml).
FROM python:3.11-slim

# Gunicorn reads GUNICORN_CMD_ARGS whatever the command line, so every start (here, in
# docker-compose.yml, by hand) uses tsunagu/gunicorn_conf.py: an access log of paths only, with the
# secrets in emailed links redacted, no Server header, no control socket.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=tsunagu.settings.production \
    STATIC_ROOT=/app/static \
    MEDIA_ROOT=/app/media \
    GUNICORN_CMD_ARGS="--config python:tsunagu.gunicorn_conf"

WORKDIR /app

# A Japanese font to embed in the meeting papers' PDFs (settings.PDF_FONT_PATH).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-ipafont-gothic \
    && rm -rf /var/lib/apt/lists/*

# Runtime dependencies first, from pyproject.toml pinned by requirements.lock, so a code change
# does not reinstall them. tomllib is stdlib: nothing else is needed to read the list.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > /tmp/requirements.txt \
    && pip install -c requirements.lock -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# Editable on purpose: settings find site/ templates and static files (and the apps' templates,
# which the wheel does not carry) relative to the source tree, so the code must run from /app.
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home tsunagu \
    && mkdir -p /app/media /app/var/beat \
    && chown tsunagu:tsunagu /app/media /app/var /app/var/beat

# The manifest lives in STATIC_ROOT, so collect with the production storage; the values below are
# build-time dummies for this RUN only (production settings refuse to load without them).
RUN SECRET_KEY=build-only-not-secret \
    FIELD_ENCRYPTION_KEYS=build-only-not-a-key \
    FIELD_HASH_KEY=build-only-not-secret \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@127.0.0.1:1/build \
    REDIS_URL=redis://127.0.0.1:1/0 \
    WAGTAILADMIN_BASE_URL=http://localhost \
    python manage.py collectstatic --noinput

USER tsunagu
EXPOSE 8000

# Host header: Django answers 400 to a host outside ALLOWED_HOSTS, so probe as the first one.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h if h not in ('', '*') else 'localhost'}), timeout=4)"]

CMD ["gunicorn", "--bind", "0.0.0.0:8000", "tsunagu.wsgi:application"]
