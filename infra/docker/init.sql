-- First start of the compose PostgreSQL: one database and one least-privilege login role per
-- service, and the shared key store (the same layout infra/postgres.sh provision creates).
-- Passwords come from SERVICE_DB_PASSWORD via infra/docker/init.sh.
\set ON_ERROR_STOP on
CREATE DATABASE placements_referral;
CREATE DATABASE placements_matching;
CREATE DATABASE placements_notification;
CREATE DATABASE placements_monitoring;
CREATE DATABASE placements_keys;
CREATE ROLE placements_referral_svc LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'service_password';
CREATE ROLE placements_matching_svc LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'service_password';
CREATE ROLE placements_notification_svc LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'service_password';
CREATE ROLE placements_monitoring_svc LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'service_password';
REVOKE ALL ON DATABASE placements_referral, placements_matching, placements_notification, placements_monitoring, placements_keys FROM PUBLIC;
GRANT CONNECT ON DATABASE placements_referral TO placements_referral_svc;
GRANT CONNECT ON DATABASE placements_matching TO placements_matching_svc;
GRANT CONNECT ON DATABASE placements_notification TO placements_notification_svc;
GRANT CONNECT ON DATABASE placements_monitoring TO placements_monitoring_svc;
GRANT CONNECT ON DATABASE placements_keys TO placements_referral_svc, placements_matching_svc, placements_notification_svc, placements_monitoring_svc;
-- Lets each event store's read horizon tell other databases' transactions from its own.
GRANT pg_read_all_stats TO placements_referral_svc, placements_matching_svc, placements_notification_svc, placements_monitoring_svc;
