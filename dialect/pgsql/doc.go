// Package pgsql is dmsc's PostgreSQL dialect: type names, "identifier"
// quoting, literals and the idempotent statement forms of the DDL script
// (CREATE … IF NOT EXISTS, foreign keys added inside guarded DO blocks,
// CREATE OR REPLACE VIEW, INSERT … ON CONFLICT DO NOTHING). A PostgreSQL
// script is one batch and runs inside one transaction: it never uses
// CREATE DATABASE or CONCURRENTLY.
package pgsql
