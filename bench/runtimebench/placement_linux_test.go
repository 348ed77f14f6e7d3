//go:build linux

package runtimebench

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// setAffinity sets the CPU affinity of the thread or process pid.
func setAffinity(pid int, cpus []int) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	return unix.SchedSetaffinity(pid, &set)
}

// processCPUs lists the CPUs the test process may run on, ascending.
func processCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, err
	}
	var out []int
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// pinProcess sets the affinity of every thread of the test process to
// cpus. Threads created later inherit the affinity of the thread that
// creates them, so the whole process stays there; the task list is read
// again until a pass finds no new thread.
func pinProcess(cpus []int) error {
	done := map[int]bool{}
	for pass := 0; pass < 5; pass++ {
		entries, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		fresh := false
		for _, e := range entries {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || done[tid] {
				continue
			}
			fresh = true
			if err := setAffinity(tid, cpus); err != nil && err != unix.ESRCH {
				return fmt.Errorf("thread %d: %w", tid, err)
			}
			done[tid] = true
		}
		if !fresh {
			return nil
		}
	}
	return nil
}

// processCPU returns the CPU time (user + system) of the whole test
// process so far, from getrusage(RUSAGE_SELF): every thread, so the
// garbage collector's and the runtime's work for the client counts too.
func processCPU() (int64, bool) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}

// schedCPU returns the time process pid has spent on a CPU (ns, the first
// field of /proc/<pid>/schedstat).
func schedCPU(pid int) (int64, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/schedstat")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0, false
	}
	ns, err := strconv.ParseInt(f[0], 10, 64)
	return ns, err == nil
}

// isBackend reports whether a process pid exists.
func isBackend(pid uint32) bool {
	_, err := os.Stat("/proc/" + strconv.FormatUint(uint64(pid), 10))
	return err == nil
}

// isLocalBackend reports whether pid is a postgres process of this host
// (a backend's command name stays "postgres" whatever its title).
func isLocalBackend(pid uint32) bool {
	comm, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/comm")
	return err == nil && strings.TrimSpace(string(comm)) == "postgres"
}
