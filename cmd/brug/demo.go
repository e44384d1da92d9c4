package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store/demo"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui"
)

// demoFlags are the demo command's own flags.
type demoFlags struct {
	clients int
	seed    int64
}

func newDemoCmd(c *cli) *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Open the app on a generated demo region",
		Long: `Open the app on a made-up region: teams, coaches and clients spread over the
six steps, with checklists, answers, agreements (some overdue), contacts,
journal entries, route moves (some of them steps back) and a few conflicts.
Every name in it is fictional. Nothing to configure, no server needed.

Without --db the region goes into a new temporary file, and brug says where.
With --db FILE, brug generates the region when FILE does not exist or holds
no clients, and otherwise opens FILE as it is, so a demo can be reopened.
BRUG_DB is not used here, so a demo never lands in your own file.

The same --seed gives the same region.`,
		Example: `  brug demo                          a fresh demo in a temporary file
  brug demo --db demo.db             make demo.db, or reopen it
  brug demo --clients 10000 --db big.db --seed 7`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.clients < 1 || f.clients > demo.MaxClients {
				return usageError{errors.New(c.msgs().f("demo.clients", demo.MaxClients, f.clients))}
			}
			return c.runDemo(f, cmd.Flags().Changed("db"))
		},
	}
	cmd.Flags().IntVar(&f.clients, "clients", demo.DefaultClients, "how many clients to generate")
	cmd.Flags().Int64Var(&f.seed, "seed", 1, "which region to generate; the same seed gives the same region")
	return cmd
}

// runDemo makes or reopens the demo file and runs the app on it.
func (c *cli) runDemo(f demoFlags, haveDB bool) (err error) {
	m := c.msgs()
	meth, err := c.loadMethod()
	if err != nil {
		return err
	}
	path := c.g.db
	if !haveDB {
		tmp, err := os.CreateTemp(c.env.tempDir, "brug-demo-*.db")
		if err != nil {
			return c.fail("demo.tempfailed", err)
		}
		path = tmp.Name()
		if err := tmp.Close(); err != nil {
			return c.fail("demo.tempfailed", err)
		}
		fmt.Fprintln(c.env.stderr, m.f("demo.temp", path))
	}
	c.demoKey = path
	if err := c.ensureDemo(path, f, meth); err != nil {
		return err
	}
	s, err := c.openStore(path, c.openOpts(meth))
	if err != nil {
		return err
	}
	defer func() {
		c.closeStore(s, &err)
		fmt.Fprintln(c.env.stderr, m.f("demo.again", path, path))
	}()
	// The demo runs as a coordinator, so it shows the team overview and
	// the review queue too.
	return c.startTUI(s, meth, tui.RoleCoordinator)
}

// ensureDemo generates the region into path unless the file holds clients
// already. Generation skips fsync per transaction (it is one bulk load that
// can simply be redone); the app then reopens the file normally.
func (c *cli) ensureDemo(path string, f demoFlags, meth *method.Method) (err error) {
	m := c.msgs()
	opt := c.openOpts(meth)
	opt.NoSync = true
	s, err := c.openStore(path, opt)
	if err != nil {
		return err
	}
	defer c.closeStore(s, &err)
	st, err := s.Stats()
	if err != nil {
		return c.fail("demo.failed", err)
	}
	if st.Clients > 0 {
		fmt.Fprintln(c.env.stderr, m.f("demo.existing", path, m.n("count.clients", st.Clients)))
		return nil
	}
	fmt.Fprintln(c.env.stderr, m.f("demo.generating", m.n("count.clients", f.clients)))
	start := time.Now()
	bar := c.progress("")
	err = demo.Generate(s, demo.Options{Clients: f.clients, Seed: f.seed, Now: c.env.now(),
		Progress: func(done, total int) { bar.Set(done, total, m.f("progress.count", m.num(done), m.num(total))) }})
	bar.Done()
	if err != nil {
		return c.fail("demo.failed", err)
	}
	if st, err = s.Stats(); err != nil {
		return c.fail("demo.failed", err)
	}
	fmt.Fprintln(c.env.stderr, m.f("demo.generated", m.n("count.clients", st.Clients), m.n("count.changes", st.Ops), time.Since(start).Round(time.Millisecond)))
	return nil
}
