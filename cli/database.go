package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/provision"
)

// Flag names shared by every command that talks to a database, and the
// aliases users of upstream's tooling type.
const (
	// dsnFlag names the connection string flag (-c, --connection-string).
	dsnFlag = "dsn"
	// dialectFlag names the dialect flag (-d).
	dialectFlag = "dialect"
	// outFlag names the output directory flag (-o, --output).
	outFlag = "out"
)

// flagAliases maps long flag names users of upstream's dms-schema tool
// type to dmsc's names.
var flagAliases = map[string]string{
	"connection-string": dsnFlag,
	"output":            outFlag,
}

// normalizeFlag is the flag-name normalisation of every command: it
// applies flagAliases.
func normalizeFlag(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	if to, ok := flagAliases[name]; ok {
		return pflag.NormalizedName(to)
	}
	return pflag.NormalizedName(name)
}

// dbFlags are the flags of commands that connect to a database.
type dbFlags struct {
	// dsn is the connection string (--dsn, -c, --connection-string,
	// DMSC_DSN).
	dsn string
	// dialect is --dialect; "" takes the dialect from the DSN's scheme.
	dialect string
}

// addDBFlags adds --dsn (-c, --connection-string) and, when withDialect,
// --dialect (-d) defaulting to the DSN's scheme.
func addDBFlags(cmd *cobra.Command, f *dbFlags, withDialect bool) {
	cmd.Flags().StringVarP(&f.dsn, dsnFlag, "c", "", "database connection `DSN`: postgres://… or postgresql://… (PostgreSQL), sqlserver://… (SQL Server); also --connection-string, DMSC_DSN")
	if withDialect {
		cmd.Flags().StringVarP(&f.dialect, dialectFlag, "d", "", "`DIALECT` of the database, pgsql or mssql (default: from the DSN's scheme; must agree with it)")
		markChoices(cmd.Flags(), dialectFlag, dialectChoices()...)
	}
}

// resolveDialect returns the database's dialect: the DSN's scheme
// decides, and --dialect, when given, must agree with it. A missing DSN
// or an unknown scheme is a usage error.
func (f *dbFlags) resolveDialect() (model.Dialect, error) {
	if f.dsn == "" {
		return "", usageErrorf("a database is required: --dsn DSN (also -c, --connection-string or DMSC_DSN)")
	}
	fromDSN, err := provision.DialectOf(f.dsn)
	if err != nil {
		return "", usageErrorf("--dsn: %v", err)
	}
	if f.dialect == "" {
		return fromDSN, nil
	}
	d, err := all.Parse(f.dialect)
	if err != nil {
		return "", usageErrorf("--dialect %q: must be %s", f.dialect, orList(dialectChoices()))
	}
	if d != fromDSN {
		return "", usageErrorf("--dialect %s does not match the DSN, which names a %s database; drop --dialect or fix the DSN", d, fromDSN)
	}
	return d, nil
}

// requirePostgres checks that the DSN names a PostgreSQL database: the
// runtime store (serve, roundtrip, audits, inspect) runs only on
// PostgreSQL today.
func (f *dbFlags) requirePostgres(command string) error {
	d, err := f.resolveDialect()
	if err != nil {
		return err
	}
	if d != model.PgSQL {
		return usageErrorf("%s needs PostgreSQL today: the runtime store runs only on PostgreSQL, and the DSN names a %s database (SQL Server is supported by dmsc ddl emit and dmsc ddl provision)", command, d)
	}
	return nil
}

// databaseError adds the next step to an error from connecting to or
// reading a database: create it, or provision it.
func databaseError(err error, provisionHint *commandLine) error {
	if provision.IsDatabaseMissing(err) {
		return fmt.Errorf("%w; create and provision it with:\n  %s", provision.ConnectError(err), provisionHint.set("create-database"))
	}
	return err
}
