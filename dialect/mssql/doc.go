// Package mssql is dmsc's SQL Server dialect: type names, [identifier]
// quoting, N'…' literals, the idempotent statement forms of the DDL script
// (IF OBJECT_ID(…) IS NULL CREATE TABLE, sys.foreign_keys and sys.indexes
// guards, CREATE SCHEMA through EXEC, CREATE OR ALTER VIEW, INSERT … WHERE
// NOT EXISTS seeds, a THROW fingerprint guard) and SQL Server's batch rules:
// a `GO` line ends a batch, and views, triggers and functions sit alone in
// theirs. Requires SQL Server 2016 SP1 or later (CREATE OR ALTER, THROW).
package mssql
