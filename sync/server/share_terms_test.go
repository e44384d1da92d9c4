package server

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestShareTermsAsFromEveryHead holds shareTerms, which on the bbolt file
// reads the heads of a dossier's share fields alone
// (store.Tx.HeadsWhere), to shareTermsFull, which opens every head of the
// dossier: after every step of random histories (shares given, changed,
// withdrawn, removed, written concurrently by two coaches so that their
// fields hold conflicting heads, conflicts resolved, ties of clocks,
// fields under share/ that are not a share's terms, dossiers moved
// between teams and organisations, days passing) both must give every
// dossier the same terms.
func TestShareTermsAsFromEveryHead(t *testing.T) {
	onlyBolt(t, "the share fields' heads alone are read from the bbolt file")
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 21))
			e := newEnv(t)
			teams := []string{"Noord", "Oost", "Zuid", "West"}
			orgs := map[string]string{"Noord": "Zorg A", "Oost": "Zorg A", "Zuid": "Gemeente B"}
			e.teams(teams...)
			for tm, org := range orgs {
				e.setOrg(tm, org)
			}
			devs := []*device{e.user("ann", protocol.RoleCoach, teams...), e.user("ben", protocol.RoleCoach, teams...)}
			devs[1].name = "dev-ben"
			type shareRef struct{ dossier, id string }
			var dossiers []string
			var shares []shareRef
			day := func(days int) string { return e.clock.Now().AddDate(0, 0, days).In(dutchTime()).Format("2006-01-02") }
			names := []string{"exists", "team", "org", "mode", "from", "until", "consent_date", "consent_how", "withdrawn", "purpose"}
			values := map[string][]string{"exists": {"1", "0"}, "team": teams, "org": {"Zorg A", "Gemeente B", ""},
				"mode": {store.ShareRead, store.ShareReadWrite}, "consent_how": {"written", "verbal", ""}}
			value := func(name string) string {
				if vs, ok := values[name]; ok {
					return vs[rng.IntN(len(vs))]
				}
				return day(rng.IntN(5) - 2)
			}
			seen := map[string]int{}
			for step := range 300 {
				d := devs[rng.IntN(len(devs))]
				if rng.IntN(5) == 0 { // the same clock on both devices: ties
					devs[0].hlc, devs[1].hlc = max(devs[0].hlc, devs[1].hlc), max(devs[0].hlc, devs[1].hlc)
				}
				var push []store.Op
				switch x := rng.IntN(20); {
				case x < 2 || len(dossiers) == 0:
					id, ops := d.create(teams[rng.IntN(len(teams))], fmt.Sprint("Client ", step))
					dossiers = append(dossiers, id)
					push = ops
				case x < 6: // a share given
					dk := dossiers[rng.IntN(len(dossiers))]
					to := teams[rng.IntN(len(teams))]
					sid, ops := d.share(dk, shareSpec{team: to, org: orgs[to], mode: value("mode"), from: day(-rng.IntN(2)),
						until: day(rng.IntN(3)), consentDate: day(-1), how: "written"})
					shares = append(shares, shareRef{dk, sid})
					push = ops
				case x < 13 && len(shares) > 0: // a term changed, on what the device last saw or concurrently
					s := shares[rng.IntN(len(shares))]
					name := names[rng.IntN(len(names))]
					field := store.ShareField(s.id, name)
					var prev []string
					if rng.IntN(2) == 0 {
						hs, err := e.heads(s.dossier, field)
						if err != nil {
							t.Fatal(err)
						}
						for _, h := range hs {
							prev = append(prev, h.ID)
						}
					}
					push = []store.Op{d.op(s.dossier, field, value(name), prev...)}
				case x == 13 && len(shares) > 0: // fields under share/ that are no share's terms
					s := shares[rng.IntN(len(shares))]
					field := []string{store.EntityShare + "/" + s.id, store.ShareField(s.id, "note/1"), store.ShareField(store.NewID(), "purpose")}[rng.IntN(3)]
					push = []store.Op{d.op(s.dossier, field, "x")}
				case x < 16: // a move to another team (or organisation)
					push = []store.Op{d.op(dossiers[rng.IntN(len(dossiers))], "team", teams[rng.IntN(len(teams))])}
				case x < 18:
					push = []store.Op{d.op(dossiers[rng.IntN(len(dossiers))], "name", fmt.Sprint("Naam ", step))}
				default: // a day passes
					e.clock.Add(24 * 60 * 60 * 1e9)
				}
				resp, status, perr := d.try(0, push...)
				if status != 200 {
					t.Fatalf("step %d: status %d: %s", step, status, perr.Message)
				}
				for _, rf := range resp.Refused {
					seen["refused "+rf.Code]++
				}
				for _, op := range push {
					if op.Field == "team" && len(push) == 1 && len(resp.Refused) == 0 {
						seen["moved"]++
					}
				}
				err := e.srv.db.View(func(tx Tx) error {
					if _, ok := tx.(fieldHeadsReader); !ok {
						return fmt.Errorf("the bbolt transaction %T does not read chosen fields' heads", tx)
					}
					for _, dk := range dossiers {
						got, err := shareTerms(tx, dk)
						if err != nil {
							return err
						}
						want, err := shareTermsFull(tx, dk)
						if err != nil {
							return err
						}
						if !reflect.DeepEqual(got, want) {
							return fmt.Errorf("dossier %s: from the share fields\n%+v\nfrom every head\n%+v", dk, got, want)
						}
						for _, sh := range want {
							switch {
							case sh.Removed:
								seen["removed"]++
							case sh.Withdrawn != "":
								seen["withdrawn"]++
							default:
								seen["standing"]++
							}
						}
						keys, err := tx.HeadKeys(dkey(dk), nil)
						if err != nil {
							return err
						}
						fields := map[string]int{}
						for _, k := range keys {
							op, err := tx.Op(dk, idString(k[16:]))
							if err != nil {
								return err
							}
							fields[op.Field]++
						}
						for f, n := range fields {
							if isShareField(f) && n > 1 {
								seen["conflicting share heads"]++
							}
						}
					}
					return nil
				})
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
			}
			t.Logf("cases seen (dossier-steps): %v", seen)
			for _, c := range []string{"removed", "withdrawn", "standing", "conflicting share heads", "moved"} {
				if seen[c] == 0 {
					t.Errorf("the history never reached %q: %v", c, seen)
				}
			}
		})
	}
}
