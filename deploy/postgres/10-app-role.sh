#!/bin/sh
# Run once by the postgres image on a fresh data directory (docker-entrypoint-initdb.d):
# the insert-only role the web app and the worker log in as. Its rights are granted by
# `kiemdiem db grant --app-role kiemdiem_app` (run by the init service, as the owner).
set -eu
password_file="${KIEMDIEM_APP_PASSWORD_FILE:-/run/secrets/db_app_password}"
password=$(cat "$password_file")
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=app_password="$password" <<'SQL'
CREATE ROLE kiemdiem_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
  PASSWORD :'app_password';
SQL
