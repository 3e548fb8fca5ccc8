FROM python:3.11-slim-bookworm
# libsodium for the vote crypto; nodejs/npm from Debian only to install the booth's
# audited @noble packages from package-lock.json (npm ci), then removed again.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsodium23 fonts-dejavu-core fonts-liberation2 \
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
COPY gunicorn.conf.py ./
# The browser booth (votes.md §7.1): our modules and node_modules/@noble/*, served
# from here (KIEMDIEM_BOOTH_ROOT) and pinned by `kiemdiem votes booth-hash`.
COPY package.json package-lock.json ./
COPY booth booth
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && npm ci --ignore-scripts --no-audit --no-fund --omit=dev \
 && apt-get purge -y --auto-remove nodejs npm \
 && rm -rf /var/lib/apt/lists/* /root/.npm
ENV KIEMDIEM_BOOTH_ROOT=/srv/kiemdiem
RUN pip install --no-cache-dir . \
 && kiemdiem votes booth-hash \
 && useradd --system --uid 10001 --home /srv/kiemdiem kiemdiem \
 && mkdir -p instance && chown kiemdiem instance
USER kiemdiem
EXPOSE 8000
# One worker process per core, 8 threads each (WEB_CONCURRENCY, GUNICORN_THREADS).
CMD ["gunicorn", "--config=gunicorn.conf.py", "web.wsgi:app"]
