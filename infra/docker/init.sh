#!/bin/sh
# Runs infra/docker/init.sql on the compose PostgreSQL's first start.
set -e
psql -v ON_ERROR_STOP=1 -v service_password="${SERVICE_DB_PASSWORD:-placements-dev}" \
  --username "$POSTGRES_USER" --dbname postgres -f /docker-entrypoint-initdb.d/init.sql.in
