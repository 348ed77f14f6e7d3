package apischema

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileSize is the largest ApiSchema file dmsc reads: 256 MiB, about 25
// times the DS 5.0 core's ApiSchema.json (~10 MB). Larger files, and
// anything that is not a regular file (a directory, a device such as
// /dev/zero, a named pipe), are refused with a read-failed diagnostic
// instead of being read whole.
const MaxFileSize = 256 << 20

// readBounded reads path when it is a regular file of at most limit bytes.
// The size is checked before reading and enforced while reading (a file
// may grow in between).
func readBounded(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if err := regularFile(fi); err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, tooLarge(fi.Size(), limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	// The path may have been replaced between Stat and Open.
	if fi, err = f.Stat(); err != nil {
		return nil, unwrapPathError(err)
	}
	if err := regularFile(fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(-1, limit)
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
func tooLarge(size, limit int64) error {
	max := fmt.Sprintf("%d bytes", limit)
	if limit%(1<<20) == 0 {
		max = fmt.Sprintf("%d MiB", limit>>20)
	}
	if size < 0 {
		return fmt.Errorf("it holds more than the %s an ApiSchema file may hold", max)
	}
	return fmt.Errorf("it holds %d bytes, more than the %s an ApiSchema file may hold", size, max)
}
