package runtimebench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// placement is where the benchmark client and the PostgreSQL backends of
// the store under test run: both on one CPU (same-core), on two CPUs
// (cross-core), or wherever the schedulers put them (unpinned).
type placement struct {
	// name is part of the benchmark names: "same-core", "cross-core" or
	// "unpinned".
	name string
	// pin is false for the unpinned placement.
	pin bool
	// client and server index the CPUs of the process's affinity mask at
	// start (0 = the lowest CPU it may use); used when pin is set.
	client, server int
}

var (
	sameCore  = placement{name: "same-core", pin: true, client: 0, server: 0}
	crossCore = placement{name: "cross-core", pin: true, client: 0, server: 1}
	unpinned  = placement{name: "unpinned"}
)

// placementsEnv selects the placements of the read benchmarks, comma
// separated; the default is "same-core,cross-core". The writes (Load,
// Reload) always run cross-core (or unpinned when it is the only one
// listed).
const placementsEnv = "DMSC_BENCH_PLACEMENTS"

// readPlacements returns the placements the read benchmarks run in.
func readPlacements(tb testing.TB) []placement {
	v := os.Getenv(placementsEnv)
	if v == "" {
		return []placement{sameCore, crossCore}
	}
	var out []placement
	for _, name := range strings.Split(v, ",") {
		switch strings.TrimSpace(name) {
		case sameCore.name:
			out = append(out, sameCore)
		case crossCore.name:
			out = append(out, crossCore)
		case unpinned.name:
			out = append(out, unpinned)
		default:
			tb.Fatalf("%s=%q: unknown placement %q (same-core, cross-core, unpinned)", placementsEnv, v, name)
		}
	}
	return out
}

// writePlacement returns the placement of the write benchmarks: cross-core
// unless the read placements are only "unpinned".
func writePlacement(reads []placement) placement {
	if len(reads) == 1 && reads[0] == unpinned {
		return unpinned
	}
	return crossCore
}

// backends tracks the PostgreSQL backend processes of one pool's
// connections (their pg_backend_pid(), which pgx learns at connect time as
// PgConn().PID()) and pins each new one to the CPU of the current
// placement: it is the pool's AfterConnect hook.
type backends struct {
	mu   sync.Mutex
	pids map[uint32]bool
	// cpu is the CPU new connections are pinned to; -1 = none.
	cpu int
	// err is the first failure to pin a new connection.
	err error
}

func newBackends() *backends { return &backends{pids: map[uint32]bool{}, cpu: -1} }

// configure installs the registry as the pool's AfterConnect hook.
func (bs *backends) configure(cfg *pgxpool.Config) {
	next := cfg.AfterConnect
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if next != nil {
			if err := next(ctx, c); err != nil {
				return err
			}
		}
		bs.add(c.PgConn().PID())
		return nil
	}
}

// add records a backend and pins it when a placement is active.
func (bs *backends) add(pid uint32) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	bs.pids[pid] = true
	if bs.cpu >= 0 {
		if err := setAffinity(int(pid), []int{bs.cpu}); err != nil && bs.err == nil {
			bs.err = fmt.Errorf("pin backend %d to CPU %d: %w", pid, bs.cpu, err)
		}
	}
}

// list returns the live backends, sorted, forgetting those whose process
// has gone (closed connections).
func (bs *backends) list() []uint32 {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	out := make([]uint32, 0, len(bs.pids))
	for pid := range bs.pids {
		if !isBackend(pid) {
			delete(bs.pids, pid)
			continue
		}
		out = append(out, pid)
	}
	slices.Sort(out)
	return out
}

// pinAll pins every live backend to cpu (-1 = every CPU of all) and makes
// new connections follow.
func (bs *backends) pinAll(cpu int, all []int) error {
	pids := bs.list()
	bs.mu.Lock()
	defer bs.mu.Unlock()
	bs.cpu, bs.err = cpu, nil
	set := all
	if cpu >= 0 {
		set = []int{cpu}
	}
	for _, pid := range pids {
		if err := setAffinity(int(pid), set); err != nil {
			return fmt.Errorf("pin backend %d (pg_backend_pid) to CPUs %v: %w", pid, set, err)
		}
	}
	return nil
}

// pinErr returns the first failure to pin a connection opened while a
// placement was active.
func (bs *backends) pinErr() error {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return bs.err
}

// cpuNs returns the CPU time the live backends have used so far (the
// first field of /proc/<pid>/schedstat), and false when it cannot be read
// (server on another host, no schedstat).
func (bs *backends) cpuNs() (int64, bool) {
	var sum int64
	pids := bs.list()
	if len(pids) == 0 {
		return 0, false
	}
	for _, pid := range pids {
		ns, ok := schedCPU(int(pid))
		if !ok {
			return 0, false
		}
		sum += ns
	}
	return sum, true
}

// placed runs a benchmark body in placement pl for the store: it pins
// every thread of the test process to the client CPU, sets GOMAXPROCS to 1
// (the client has one CPU), pins every backend of the store's pool (and
// those it opens meanwhile) to the server CPU, runs body, and undoes all
// of it. When pinning is impossible (another OS, not allowed to set a
// backend's affinity, a server on another host, one CPU for cross-core)
// the benchmark is skipped with the reason.
//
// The benchmark goroutine is not locked to its thread
// (runtime.LockOSThread): every thread of the process is on the client
// CPU already, and a locked goroutine that blocks on its socket makes the
// scheduler hand it from thread to thread on every round trip (two
// extra thread switches per GET, counted as client CPU). GOMAXPROCS=1
// keeps idle Ps from spinning on the one client CPU.
func placed(b testing.TB, pl placement, st *benchStore, body func()) {
	if !pl.pin {
		body()
		return
	}
	cpus, err := processCPUs()
	if err != nil {
		b.Skipf("%s placement: %v", pl.name, err)
	}
	if pl.server >= len(cpus) || pl.client >= len(cpus) {
		b.Skipf("%s placement needs %d CPUs; this process may use %d (%v)", pl.name, max(pl.client, pl.server)+1, len(cpus), cpus)
	}
	client, server := cpus[pl.client], cpus[pl.server]
	// At least one connection, so that a backend we cannot pin is found
	// here rather than in the middle of the timed loop.
	conn, err := st.pool.Acquire(context.Background())
	if err != nil {
		b.Fatalf("%s store: %v", st.name, err)
	}
	conn.Release()
	for _, pid := range st.backends.list() {
		if !isLocalBackend(pid) {
			b.Skipf("%s placement: backend %d is not a postgres process of this host (server elsewhere?): cannot pin it", pl.name, pid)
		}
	}
	if err := st.backends.pinAll(server, cpus); err != nil {
		_ = st.backends.pinAll(-1, cpus)
		b.Skipf("%s placement: %v", pl.name, err)
	}
	defer func() {
		if err := st.backends.pinAll(-1, cpus); err != nil {
			b.Logf("%s placement: unpinning: %v", pl.name, err)
		}
	}()
	procs := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(procs)
	if err := pinProcess([]int{client}); err != nil {
		_ = pinProcess(cpus)
		b.Skipf("%s placement: pin the client to CPU %d: %v", pl.name, client, err)
	}
	defer func() {
		if err := pinProcess(cpus); err != nil {
			b.Logf("%s placement: unpinning the client: %v", pl.name, err)
		}
	}()
	body()
	if err := st.backends.pinErr(); err != nil {
		b.Logf("%s placement: a connection opened during the run was not pinned: %v", pl.name, err)
	}
}

// cpuMeter adds up the server CPU (the store's backends, from schedstat)
// and the client CPU (the whole test process, from getrusage) used in
// the timed parts of a benchmark.
type cpuMeter struct {
	st             *benchStore
	server, client int64
	s0, c0         int64
	serverOK       bool
	clientOK       bool
}

// newCPUMeter returns a meter for the store's backends.
func newCPUMeter(st *benchStore) *cpuMeter {
	return &cpuMeter{st: st, serverOK: true, clientOK: true}
}

// start begins a timed part.
func (m *cpuMeter) start() {
	var ok bool
	if m.s0, ok = m.st.backends.cpuNs(); !ok {
		m.serverOK = false
	}
	if m.c0, ok = processCPU(); !ok {
		m.clientOK = false
	}
}

// stop ends a timed part.
func (m *cpuMeter) stop() {
	if s, ok := m.st.backends.cpuNs(); ok && m.serverOK {
		m.server += s - m.s0
	} else {
		m.serverOK = false
	}
	if c, ok := processCPU(); ok && m.clientOK {
		m.client += c - m.c0
	} else {
		m.clientOK = false
	}
}

// report reports server-cpu-ns/<per> and client-cpu-ns/<per> over n
// units (ops or documents); a side that could not be measured is left
// out.
func (m *cpuMeter) report(b *testing.B, n int, per string) {
	if n <= 0 {
		return
	}
	if m.serverOK {
		b.ReportMetric(float64(m.server)/float64(n), "server-cpu-ns/"+per)
	}
	if m.clientOK {
		b.ReportMetric(float64(m.client)/float64(n), "client-cpu-ns/"+per)
	}
}

// TestPlacementPins checks that each pinned placement puts the backends of
// a store's pool (those open before and those opened during the run) on
// the server CPU and every thread of the test process on the client CPU,
// measures both sides' CPU, and undoes it all.
func TestPlacementPins(t *testing.T) {
	bs := newBackends()
	jb := newJSONB(t, compiler.Manifest(relstoretest.Compile(t)), "placement", bs.configure)
	st := &benchStore{name: "baseline", pool: jb.Pool, backends: bs}
	cpus, err := processCPUs()
	if err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	for _, pl := range []placement{sameCore, crossCore} {
		t.Run(pl.name, func(t *testing.T) {
			placed(t, pl, st, func() {
				if runtime.GOMAXPROCS(0) != 1 {
					t.Errorf("GOMAXPROCS %d, want 1", runtime.GOMAXPROCS(0))
				}
				// A second connection, opened while pinned.
				c1, err := jb.Pool.Acquire(ctx)
				if err != nil {
					t.Fatal(err)
				}
				c2, err := jb.Pool.Acquire(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var pid uint32
				if err := c2.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil || pid != c2.Conn().PgConn().PID() {
					t.Errorf("pg_backend_pid() %d, pgx PID %d (%v)", pid, c2.Conn().PgConn().PID(), err)
				}
				c1.Release()
				c2.Release()
				pids := bs.list()
				if len(pids) < 2 {
					t.Fatalf("backends %v, want 2 or more", pids)
				}
				want := fmt.Sprint(cpus[pl.server])
				for _, pid := range pids {
					if got := allowedCPUs(t, fmt.Sprintf("/proc/%d/status", pid)); got != want {
						t.Errorf("backend %d on CPUs %s, want %s", pid, got, want)
					}
				}
				if got := allowedCPUs(t, "/proc/self/status"); got != fmt.Sprint(cpus[pl.client]) {
					t.Errorf("client on CPUs %s, want %d", got, cpus[pl.client])
				}
				m := newCPUMeter(st)
				m.start()
				for i := 0; i < 20; i++ {
					if _, err := jb.Pool.Exec(ctx, `SELECT count(*) FROM generate_series(1, 10000)`); err != nil {
						t.Fatal(err)
					}
				}
				m.stop()
				if !m.serverOK || m.server <= 0 || !m.clientOK {
					t.Errorf("server CPU %d (ok %v), client CPU %d (ok %v)", m.server, m.serverOK, m.client, m.clientOK)
				}
			})
			for _, pid := range bs.list() {
				if got := allowedCPUs(t, fmt.Sprintf("/proc/%d/status", pid)); got != cpuList(cpus) {
					t.Errorf("backend %d left on CPUs %s, want %s", pid, got, cpuList(cpus))
				}
			}
			if got := allowedCPUs(t, "/proc/self/status"); got != cpuList(cpus) {
				t.Errorf("client left on CPUs %s, want %s", got, cpuList(cpus))
			}
		})
	}
}

// allowedCPUs returns the Cpus_allowed_list of a /proc status file.
func allowedCPUs(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s: no Cpus_allowed_list", path)
	return ""
}

// cpuList formats ascending CPUs as /proc's Cpus_allowed_list does:
// ranges of consecutive CPUs ("0-3"), separated by commas.
func cpuList(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprint(cpus[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", cpus[i], cpus[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
