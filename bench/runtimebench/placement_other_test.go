//go:build !linux

package runtimebench

import (
	"errors"
	"runtime"
)

// errNoPinning is why placements are skipped off Linux.
var errNoPinning = errors.New("pinning threads and backends needs Linux (sched_setaffinity, /proc); this is " + runtime.GOOS)

func setAffinity(pid int, cpus []int) error { return errNoPinning }
func processCPUs() ([]int, error)           { return nil, errNoPinning }
func pinProcess(cpus []int) error           { return errNoPinning }
func processCPU() (int64, bool)             { return 0, false }
func schedCPU(pid int) (int64, bool)        { return 0, false }
func isBackend(pid uint32) bool             { return true }
func isLocalBackend(pid uint32) bool        { return false }
