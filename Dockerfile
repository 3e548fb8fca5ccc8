FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsodium23 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/kiemdiem
COPY pyproject.toml README.md ./
COPY domain domain
COPY ledger ledger
COPY services services
COPY projections projections
COPY votes votes
COPY web web
COPY cli cli
RUN pip install --no-cache-dir . \
 && useradd --system --home /srv/kiemdiem kiemdiem \
 && mkdir -p instance && chown kiemdiem instance
USER kiemdiem
EXPOSE 8000
CMD ["gunicorn", "--bind=0.0.0.0:8000", "--workers=1", "--threads=8", "web.wsgi:app"]
