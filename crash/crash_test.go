package crash

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/store"
)

var (
	rounds   = flag.Int("crash.rounds", 12, "kill -9 rounds of TestCrash (make crash runs 50)")
	big      = flag.Bool("crash.big", false, "every third round imports a corpus of 2,500 quotes whose first file (95%) Badger commits in several transactions, and kills the child while it commits it")
	seedFlag = flag.Uint64("crash.seed", 0, "seed of the first round (0: from the clock; the seed is logged)")
	noSync   = flag.Bool("crash.nosync", false, "open the child's store with NoSync (a process kill must lose nothing either way)")
)

// childEnv names the plan file of a child process: the test binary started
// with it set runs the workload (TestMain) instead of the tests.
const childEnv = "CLAIMGRAPH_CRASH_CHILD"

// plan is what the parent hands a child.
type plan struct {
	Config Config `json:"config"`
	Data   string `json:"data"`
}

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(child(path))
	}
	os.Exit(m.Run())
}

// child runs the workload of the plan file: the child process.
func child(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 2
	}
	var p plan
	if err := json.Unmarshal(data, &p); err != nil {
		fmt.Fprintln(os.Stderr, "crash child: plan:", err)
		return 2
	}
	w, err := NewWorkload(p.Config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 2
	}
	log := zerolog.New(os.Stderr).Level(zerolog.WarnLevel).With().Timestamp().Logger()
	if err := w.Run(context.Background(), p.Data, os.Stdout, log); err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 1
	}
	return 0
}

// lines collects a child's output lines as they arrive.
type lines struct {
	mu     sync.Mutex
	buf    []byte
	got    []string
	at     []time.Duration // when each line arrived, since start
	start  time.Time
	notify chan struct{}
}

func newLines() *lines { return &lines{start: time.Now(), notify: make(chan struct{}, 1)} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.got = append(l.got, string(l.buf[:i]))
		l.at = append(l.at, time.Since(l.start))
		l.buf = l.buf[i+1:]
	}
	l.mu.Unlock()
	select {
	case l.notify <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (l *lines) lines() ([]string, []time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...), append([]time.Duration(nil), l.at...)
}

// killAt says when to kill a child: after acks acknowledgements and then
// delay, or, with acks < 0, delay after the start.
type killAt struct {
	acks  int
	delay time.Duration
}

func (k killAt) String() string {
	if k.acks < 0 {
		return fmt.Sprintf("%v after the start", k.delay)
	}
	return fmt.Sprintf("%v after acknowledgement %d", k.delay, k.acks)
}

// childRun is what one child run did.
type childRun struct {
	acked    []int // the steps acknowledged, in order
	done     bool  // the child wrote "done"
	killed   bool
	lastAck  time.Duration
	exitErr  error
	stderr   string
	linesOut []string
	at       []time.Duration // when each line arrived
}

// runChild starts a child on the plan and kills it as k says (never, with
// k nil), and returns what it acknowledged.
func runChild(t *testing.T, planPath string, k *killAt) childRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+planPath)
	out := newLines()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the child: %v", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })

	kill := func() { _ = cmd.Process.Signal(syscall.SIGKILL) }
	var run childRun
	var timer <-chan time.Time
	if k != nil && k.acks < 0 {
		timer = time.After(k.delay)
	}
	seenAcks := 0
wait:
	for {
		select {
		case <-exited:
			break wait
		case <-timer:
			kill()
			run.killed = true
			timer = nil
		case <-out.notify:
			if k == nil || k.acks < 0 || run.killed {
				continue
			}
			ls, _ := out.lines()
			seenAcks = 0
			for _, l := range ls {
				if strings.HasPrefix(l, "ack ") {
					seenAcks++
				}
			}
			if seenAcks >= k.acks && timer == nil {
				if k.delay == 0 {
					kill()
					run.killed = true
				} else {
					timer = time.After(k.delay)
				}
			}
		}
	}
	ls, at := out.lines()
	run.linesOut, run.at = ls, at
	for i, l := range ls {
		switch {
		case l == "done":
			run.done = true
		case strings.HasPrefix(l, "ack "):
			n, err := strconv.Atoi(strings.TrimPrefix(l, "ack "))
			if err != nil {
				t.Fatalf("child wrote %q", l)
			}
			run.acked = append(run.acked, n)
			run.lastAck = at[i]
		}
	}
	run.stderr = stderr.String()
	run.exitErr = waitErr
	if run.killed && run.done && waitErr == nil {
		run.killed = false // it finished before the kill
	}
	return run
}

// stats tallies where the kills landed.
type stats struct {
	kills, beforeOpen, beforeAck, inFlight, repaired, completed int
}

// pace is what the rounds learnt of the child's speed, for one size of
// workload, to aim the kills: when a run's store was open, when a run
// that imported the first file acknowledged it, how long a run that was
// not killed took, and the time between two acknowledgements.
type pace struct {
	open, first, run, gap time.Duration
}

func (p *pace) learn(at []time.Duration, lines []string, done bool) {
	var acks []time.Duration
	for i, l := range lines {
		switch {
		case l == "open":
			p.open = (p.open + at[i]) / 2
		case strings.HasPrefix(l, "ack "):
			acks = append(acks, at[i])
		}
	}
	if len(acks) == 0 {
		return
	}
	// The first acknowledgement of a run that imported the first file
	// (not one that found it imported) comes the latest.
	p.first = max(p.first, acks[0])
	if done {
		// The length of a whole run, smoothed: the machine's pace varies.
		if p.run == 0 {
			p.run = acks[len(acks)-1]
		}
		p.run = (3*p.run + acks[len(acks)-1]) / 4
	}
	if len(acks) > 1 {
		gap := (acks[len(acks)-1] - acks[0]) / time.Duration(len(acks)-1)
		p.gap = (p.gap + gap) / 2
	}
}

// uniform returns a random duration in [lo, hi].
func uniform(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)+1))
}

func TestCrash(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("crash harness: %d rounds, first seed %d (rerun with -crash.seed %d)", *rounds, seed, seed)
	r := rand.New(rand.NewPCG(seed, 9))
	var st stats
	paces := map[int]*pace{} // by corpus size
	for round := range *rounds {
		cfg := Config{Seed: seed + uint64(round), Quotes: 40, Files: 3, Mutations: 6, NoSync: *noSync}
		if *big && round%3 == 0 {
			cfg.Quotes, cfg.FirstShare = 2500, 0.95
		}
		kills := 1 + round%3/2 // every third round kills twice: the second kill hits a re-run
		p := paces[cfg.Quotes]
		if p == nil {
			p = &pace{gap: 20 * time.Millisecond}
			paces[cfg.Quotes] = p
		}
		t.Run(fmt.Sprintf("round-%d", round), func(t *testing.T) {
			crashRound(t, r, cfg, kills, &st, p)
		})
		if t.Failed() {
			break
		}
	}
	t.Logf("%d kills: %d before the store was open, %d before the first acknowledgement of their run, "+
		"%d with a step committed but not acknowledged, %d repaired a commit cut in half; %d runs finished before their kill",
		st.kills, st.beforeOpen, st.beforeAck, st.inFlight, st.repaired, st.completed)
}

// crashRound runs one round: kills of a child at random moments, a check
// after each, then a run to completion (which imports every file again)
// and a final check.
func crashRound(t *testing.T, r *rand.Rand, cfg Config, kills int, st *stats, p *pace) {
	dir := t.TempDir()
	cfg.Dir = filepath.Join(dir, "files")
	w, err := NewWorkload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFiles(); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	planPath := filepath.Join(dir, "plan.json")
	pj, _ := json.Marshal(plan{Config: cfg, Data: data})
	if err := os.WriteFile(planPath, pj, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	acked, applied := 0, 0
	for i, attempt := 0, 0; i < kills; i++ {
		// A run acknowledges every import file, then the mutations not
		// yet applied. The kill comes a random time into the run; or a
		// random time into the step after a random acknowledgement; or,
		// in a first run, late in the import of the first file, when
		// its batch is being committed (a large one in several Badger
		// transactions: the first kill of a round with a large first
		// file always aims there).
		expect := cfg.Files + w.Steps() - max(applied, cfg.Files)
		var k killAt
		switch mode := r.IntN(3); {
		case i == 0 && (mode == 2 || cfg.FirstShare > 0) && p.first > p.open:
			k = killAt{acks: -1, delay: uniform(r, p.open+(p.first-p.open)/2, p.first)}
		case mode == 1:
			k = killAt{acks: r.IntN(expect), delay: uniform(r, 0, 2*p.gap)}
		default:
			// Mostly after the open (half of the kills landed in it
			// otherwise); a re-run skips the steps already applied: it
			// is shorter.
			run := p.run
			if run == 0 {
				run = time.Second // nothing learnt yet
			}
			k = killAt{acks: -1, delay: uniform(r, p.open/2, p.open+run/time.Duration(1+i))}
		}
		run := runChild(t, planPath, &k)
		p.learn(run.at, run.linesOut, run.done)
		if !run.killed {
			if run.exitErr != nil || !run.done {
				t.Fatalf("kill %d (%v): the child failed before the kill: %v\n%s", i, k, run.exitErr, run.stderr)
			}
			st.completed++
			if i == 0 && attempt < 3 {
				// The first run ended before its kill: aim earlier and
				// start the round again on an empty directory, so that
				// every round kills a run with writes to do.
				attempt++
				p.run = p.run * 2 / 3
				if err := os.RemoveAll(data); err != nil {
					t.Fatal(err)
				}
				i--
				continue
			}
		} else {
			st.kills++
			if len(run.linesOut) == 0 {
				st.beforeOpen++
			}
			if len(run.acked) == 0 {
				st.beforeAck++
			}
		}
		for _, a := range run.acked {
			acked = max(acked, a+1)
		}
		out, err := w.Check(ctx, data, acked)
		if err != nil {
			t.Fatalf("after kill %d (%v) of seed %d, %d steps acknowledged: %v\nchild output: %v\nchild stderr:\n%s", i, k, cfg.Seed, acked, err, run.linesOut, run.stderr)
		}
		if out.Applied < applied {
			t.Fatalf("after kill %d: the store holds %d steps, it held %d before", i, out.Applied, applied)
		}
		if out.Applied == acked+1 && run.killed {
			st.inFlight++
		}
		if out.Repaired {
			st.repaired++
		}
		applied = out.Applied
	}
	// The re-run: imports every file again and applies the rest.
	run := runChild(t, planPath, nil)
	p.learn(run.at, run.linesOut, false) // a re-run skips what is applied: not a whole run
	if run.exitErr != nil || !run.done {
		t.Fatalf("re-run after the kills failed: %v\n%s", run.exitErr, run.stderr)
	}
	out, err := w.Check(ctx, data, w.Steps())
	if err != nil {
		t.Fatalf("after the re-run: %v", err)
	}
	if out.Applied != w.Steps() {
		t.Fatalf("after the re-run the store holds %d of %d steps", out.Applied, w.Steps())
	}
}

// TestRunAndCheck runs the workload in this process and checks the result
// against the reference: the check passes on a store that holds every
// step, and on one that holds a prefix of them.
func TestRunAndCheck(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	w, err := NewWorkload(Config{Seed: 11, Quotes: 60, Files: 3, Mutations: 10, Dir: filepath.Join(dir, "files")})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFiles(); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	var out bytes.Buffer
	if err := w.Run(ctx, data, &out, zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	want := "open\n"
	for i := range w.Steps() {
		want += fmt.Sprintf("ack %d\n", i)
	}
	if got := out.String(); got != want+"done\n" {
		t.Fatalf("child output:\n%s\nwant:\n%sdone", got, want)
	}
	res, err := w.Check(ctx, data, w.Steps())
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != w.Steps() || res.Verify.Nodes == 0 || res.Verify.Links == 0 {
		t.Errorf("check: %+v", res)
	}
	// A second run imports every file again and changes nothing.
	out.Reset()
	if err := w.Run(ctx, data, &out, zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Check(ctx, data, w.Steps()); err != nil {
		t.Fatalf("after a second run: %v", err)
	}
	// A merge step is among the steps, so merges are exercised.
	merges := 0
	for _, s := range w.steps {
		if s.merge != nil {
			merges++
		}
	}
	if merges == 0 {
		t.Error("the workload has no merge step")
	}
}

// partial returns a store in a new data directory holding the first m steps
// of w.
func partial(t *testing.T, w *Workload, m int) (string, *store.Store) {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(t.Context(), store.Options{Dir: data, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		if err := w.apply(t.Context(), st, i); err != nil {
			t.Fatal(err)
		}
	}
	return data, st
}

// TestCheckFindsBrokenPromises breaks each promise on purpose and checks
// that Check reports it.
func TestCheckFindsBrokenPromises(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWorkload(Config{Seed: 5, Quotes: 40, Files: 2, Mutations: 4, Dir: filepath.Join(dir, "files")})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFiles(); err != nil {
		t.Fatal(err)
	}
	mutation := 3 // the second mutation step
	if w.steps[mutation].batch == nil || w.steps[mutation].merge != nil {
		t.Fatalf("step %d is not a plain mutation", mutation)
	}
	cases := []struct {
		name    string
		corrupt func(t *testing.T, st *store.Store)
		acked   int
		want    string
	}{
		{"acknowledged step lost", func(t *testing.T, st *store.Store) {}, mutation + 1, "acknowledged write was lost"},
		{"two steps beyond the acknowledged ones", func(t *testing.T, st *store.Store) {
			if err := w.apply(t.Context(), st, mutation); err != nil {
				t.Fatal(err)
			}
			if err := w.apply(t.Context(), st, mutation+1); err != nil {
				t.Fatal(err)
			}
		}, mutation, "only 3 were acknowledged"},
		{"members without their marker", func(t *testing.T, st *store.Store) {
			b := w.steps[mutation].batch()
			b.Nodes = b.Nodes[1:] // the marker is the first node
			if _, err := st.Apply(t.Context(), b); err != nil {
				t.Fatal(err)
			}
		}, mutation, "should not be there"},
		{"marker without its members", func(t *testing.T, st *store.Store) {
			b := w.steps[mutation].batch()
			if _, err := st.Apply(t.Context(), &graph.Batch{Nodes: b.Nodes[:1], By: b.By, Note: b.Note}); err != nil {
				t.Fatal(err)
			}
		}, mutation, "missing"},
		{"a later step without an earlier one", func(t *testing.T, st *store.Store) {
			b := w.steps[mutation+1].batch()
			if _, err := st.Apply(t.Context(), &graph.Batch{Nodes: b.Nodes[:1]}); err != nil {
				t.Fatal(err)
			}
		}, mutation, "out of order"},
		{"an index key lost", func(t *testing.T, st *store.Store) {
			_, err := st.KV().Update(t.Context(), func(tx store.Txn) error {
				var key []byte
				err := tx.Scan(t.Context(), store.Range{Prefix: []byte{'x'}, KeysOnly: true, Limit: 1}, func(k, _ []byte) error {
					key = append([]byte(nil), k...)
					return nil
				})
				if err != nil {
					return err
				}
				if key == nil {
					return errors.New("no exact index key")
				}
				return tx.Delete(key)
			})
			if err != nil {
				t.Fatal(err)
			}
		}, mutation, "x missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, st := partial(t, w, mutation)
			tc.corrupt(t, st)
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			_, err := w.Check(t.Context(), data, tc.acked)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
