# Cosign's production image: gunicorn serves the app, whitenoise its static files.
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's libraries (letter PDFs) and fonts for Latin and Khmer text.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-noto-core fonts-khmeros \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# The interface's translations: every .po compiled to .mo (fuzzy entries stay English).
RUN python manage.py compile_catalogues -v0
# Static files are collected into the image; the key is a placeholder used only for this step.
RUN SECRET_KEY=collectstatic-only-not-a-secret DEBUG=false MAIL_OUTBOX_DIR=/tmp \
        python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin cosign \
    && mkdir -p var \
    && chown -R cosign:cosign var

USER cosign
EXPOSE 8000
# Whether this web server reaches the database and the broker (GET /healthz). docker-compose.yml
# gives the workers their own check and none to beat and migrate, which serve no page.
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["python", "manage.py", "healthcheck"]
CMD ["gunicorn", "letters_app.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
