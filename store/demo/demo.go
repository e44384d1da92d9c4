// Package demo fills a store with a made-up but plausible region: teams,
// coaches and clients spread over the six steps of the method, with
// checklists, answers, notes, agreements (some overdue), network contacts,
// journal entries, route moves (some of them steps back), indications,
// arrangements and a few text conflicts.
//
// Generation is deterministic: the same seed, time and method give the same
// ops, ids included. The ops are built in memory, as if they had come from
// the coaches' laptops, and applied with Store.ApplyRemote, so the demo
// goes through the same merge rule as real data.
package demo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/brug-nl/brug/store"
)

// Defaults for Options.
const (
	DefaultClients      = 40
	DefaultOpsPerClient = 70
	// MaxClients bounds a demo region; beyond it generation takes too long
	// to be a demo.
	MaxClients = 1_000_000
)

// Options configure Generate.
type Options struct {
	// Clients is how many clients to make; 0 means DefaultClients.
	Clients int
	// Seed picks the region; the same seed gives the same region.
	Seed int64
	// Now is the moment the region is generated at: every op lies before
	// it, and agreements are overdue or not relative to it. Zero means
	// time.Now().
	Now time.Time
	// OpsPerClient is the average number of ops per client to aim for
	// (clients in later steps get more, clients in early steps fewer); 0
	// means DefaultOpsPerClient.
	OpsPerClient int
	// Progress, when set, is called after each client is stored, with the
	// number done so far and the total.
	Progress func(done, total int)
}

// Generate adds a demo region to s. It does not look at what s holds
// already; callers that want a pure demo file generate into an empty one.
func Generate(s *store.Store, opt Options) error {
	if s == nil {
		return errors.New("demo: no store")
	}
	if opt.Clients == 0 {
		opt.Clients = DefaultClients
	}
	if opt.Clients < 0 || opt.Clients > MaxClients {
		return fmt.Errorf("demo: %d clients: choose 1 to %d", opt.Clients, MaxClients)
	}
	if opt.OpsPerClient <= 0 {
		opt.OpsPerClient = DefaultOpsPerClient
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	reg := newRegion(opt)
	m := s.Method()
	for i := range opt.Clients {
		// One transaction per client, as if each dossier arrived by sync.
		// Batching clients was measured and is no faster: the time goes
		// into the inserts, not the commits.
		if _, err := s.ApplyRemote(reg.client(i, m)); err != nil {
			return fmt.Errorf("demo: store client %d: %w", i+1, err)
		}
		if opt.Progress != nil {
			opt.Progress(i+1, opt.Clients)
		}
	}
	return nil
}

// person is a coach or coordinator: a display name, the author handle on
// their ops and the id of their laptop.
type person struct {
	Name, Handle, Device string
}

type team struct {
	Name    string
	Coaches []person
}

// region is what all clients share: teams, coaches, coordinators and the
// client names, drawn from the seed.
type region struct {
	opt          Options
	teams        []team
	coordinators []person
	names        []string
	birth        time.Time // when the region's devices were enrolled
}

func newRegion(opt Options) *region {
	r := rand.New(rand.NewPCG(uint64(opt.Seed), 0x6272756764656d6f)) // "brugdemo"
	reg := &region{opt: opt, birth: opt.Now.AddDate(-3, 0, 0)}
	usedPeople := map[string]bool{}
	newPerson := func() person {
		var name string
		for {
			name = pick(r, firstNames) + " " + pick(r, lastNames)
			if !usedPeople[name] {
				break
			}
		}
		usedPeople[name] = true
		return person{Name: name, Handle: handle(name), Device: randomID(r, reg.birth)}
	}
	for _, tn := range teamNames {
		t := team{Name: tn}
		n := 3
		if strings.HasPrefix(tn, "Beschut") {
			n = 2
		}
		for range n {
			t.Coaches = append(t.Coaches, newPerson())
		}
		reg.teams = append(reg.teams, t)
	}
	reg.coordinators = []person{newPerson(), newPerson()}
	// Client names avoid repeats while the lists allow, so that a small
	// demo has no two clients of the same name.
	used := map[string]bool{}
	for range opt.Clients {
		var name string
		for try := 0; try < 8; try++ {
			name = pick(r, firstNames) + " " + pick(r, lastNames)
			if !used[name] && !usedPeople[name] {
				break
			}
		}
		used[name] = true
		reg.names = append(reg.names, name)
	}
	return reg
}

// handle makes a login-like author name: "Fleur van Lindenveld" becomes
// "fleur.vanlindenveld".
func handle(name string) string {
	first, last, _ := strings.Cut(name, " ")
	last = strings.NewReplacer(" ", "", "-", "", "'", "").Replace(last)
	h := strings.ToLower(first + "." + last)
	return strings.NewReplacer("ë", "e", "ö", "o", "é", "e").Replace(h)
}

// randomID makes a UUIDv7 for time t from r, so that ids are as
// deterministic as the rest of the region.
func randomID(r *rand.Rand, t time.Time) string {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	binary.BigEndian.PutUint16(u[6:8], uint16(r.Uint32()))
	binary.BigEndian.PutUint64(u[8:16], r.Uint64())
	u[6] = 0x70 | u[6]&0x0f // version 7
	u[8] = 0x80 | u[8]&0x3f // RFC 4122 variant
	return u.String()
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }
