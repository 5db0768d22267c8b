#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume (docker-entrypoint-initdb.d).
# Creates the role the application connects as: it logs in and owns nothing. The owner
# (POSTGRES_USER) runs the migrations and then `manage.py grant_app_role tsunagu_app`, which
# grants this role what it may do. On an existing volume, run the CREATE ROLE below by hand once.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$TSUNAGU_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE tsunagu_app LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
SQL
