// Package boundedfile reads input files safely: only a regular file (not
// a directory, a device such as /dev/zero, a named pipe or a socket) of at
// most a given size, checked before reading and enforced while reading.
// Every file dmsc reads on a user's behalf goes through it.
package boundedfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Read reads path when it is a regular file of at most limit bytes; what
// names the kind of file in messages ("an ApiSchema file"). The size is
// checked before reading and enforced while reading (a file may grow in
// between). Errors carry no path (callers name the file).
func Read(path string, limit int64, what string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, unwrap(err)
	}
	if err := regularFile(fi); err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, tooLarge(fi.Size(), limit, what)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrap(err)
	}
	defer f.Close()
	// The path may have been replaced between Stat and Open.
	if fi, err = f.Stat(); err != nil {
		return nil, unwrap(err)
	}
	if err := regularFile(fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, unwrap(err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(-1, limit, what)
	}
	return data, nil
}

// regularFile refuses everything but a regular file, naming what it is.
func regularFile(fi fs.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "an irregular file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		what = "a device"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	}
	return errors.New("not a regular file (" + what + ")")
}

// tooLarge reports a file above limit; size < 0 when it grew while read.
func tooLarge(size, limit int64, what string) error {
	max := fmt.Sprintf("%d bytes", limit)
	if limit%(1<<20) == 0 {
		max = fmt.Sprintf("%d MiB", limit>>20)
	}
	if size < 0 {
		return fmt.Errorf("it holds more than the %s %s may hold", max, what)
	}
	return fmt.Errorf("it holds %d bytes, more than the %s %s may hold", size, max, what)
}

// unwrap drops the *fs.PathError wrapper (callers name the file).
func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
