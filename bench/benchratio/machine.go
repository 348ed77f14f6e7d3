package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// describeMachine returns the header of a results file: date, Go version,
// machine architecture, CPU model and core count. cpuFromBench is the "cpu:"
// line of the benchmark output, used when /proc/cpuinfo has no model.
func describeMachine(cpuFromBench string) string {
	cpu := cpuModel()
	if cpu == "" {
		cpu = cpuFromBench
	}
	if cpu == "" {
		cpu = "unknown"
	}
	return fmt.Sprintf("date: %s\ngo: %s\nmachine: %s\ncpu: %s\ncores: %d\n",
		time.Now().UTC().Format(time.RFC3339),
		command(runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH, "go", "version"),
		command(runtime.GOARCH, "uname", "-m"),
		cpu, runtime.NumCPU())
}

// command returns the trimmed output of a command, or fallback when it
// fails.
func command(fallback, name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if s := strings.TrimSpace(string(out)); err == nil && s != "" {
		return s
	}
	return fallback
}

// cpuModel reads the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
