package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/sync/server"
)

func newAdminErasuresCmd(c *cli) *cobra.Command {
	var client, format string
	var pending bool
	cmd := &cobra.Command{
		Use:   "erasures [--client ID] [--pending] [--format table|csv|json]",
		Short: "List erased dossiers and, per device that held one, whether it confirmed the erasure",
		Long: `List the dossiers erased with brug admin erase (or by brug admin retention),
oldest first, and for each the devices that held it when it was erased:
who, which device, and when the device confirmed that it erased the dossier
too ("nog niet" while it has not: it erases it on its next sync). A revoked
device that never syncs again never confirms; a wiped one holds nothing.
Devices confirm every erasure and every drop they apply on their next sync;
the audit log records each confirmation (erase confirmed, drop confirmed).

--client takes the id of an erased dossier (its name is gone with it).
--pending lists only erasures some device has not confirmed yet. --format
works as for brug admin audit: table (times in local time with their
offset), csv (RFC 4180, one row per dossier and device) or json (one
object per dossier and line).`,
		Example: `  brug admin erasures
  brug admin erasures --pending
  brug admin erasures --client 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --format json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains([]string{"table", "csv", "json"}, format) {
				return usageError{errors.New(c.msgs().f("admin.auditformat", format))}
			}
			resp, err := c.admin(cmd.Context(), server.AdminRequest{Cmd: server.CmdErasures, Client: client})
			if err != nil {
				return err
			}
			list := resp.Erasures
			if pending {
				list = slices.DeleteFunc(list, func(e server.Erasure) bool { return e.Pending() == 0 })
			}
			return c.writeErasures(c.env.stdout, list, format)
		},
	}
	cmd.Flags().StringVar(&client, "client", "", "only this erased dossier (its id)")
	cmd.Flags().BoolVar(&pending, "pending", false, "only erasures a device has not confirmed yet")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv (RFC 4180) or json (one object per line)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"table", "csv", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// writeErasures writes erasures in a format of brug admin audit's.
func (c *cli) writeErasures(w io.Writer, list []server.Erasure, format string) error {
	switch format {
	case "csv":
		return writeErasuresCSV(w, list)
	case "json":
		var buf bytes.Buffer
		for _, e := range list {
			e.At = e.At.Local()
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			buf.Reset()
			jsonTermSafe(&buf, b)
			buf.WriteByte('\n')
			if _, err := w.Write(buf.Bytes()); err != nil {
				return err
			}
		}
		return nil
	}
	m := c.msgs()
	tw := table(w, m.f("admin.cols.erasures"))
	for _, e := range list {
		if len(e.Devices) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\t%s\n", esc(e.Dossier), auditStamp(e.At), orDash(e.By), m.f("admin.erasures.none"))
		}
		for _, h := range e.Devices {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", esc(e.Dossier), auditStamp(e.At), orDash(e.By), orDash(h.User), orDash(h.Replica), orDash(h.Name), c.confirmState(h))
		}
	}
	return tw.Flush()
}

// confirmState says where a device stands with an erasure.
func (c *cli) confirmState(h server.ErasureHolder) string {
	m := c.msgs()
	switch {
	case !h.Confirmed.IsZero():
		return auditStamp(h.Confirmed)
	case !h.Wiped.IsZero():
		return m.f("admin.erasures.wiped", auditStamp(h.Wiped))
	case !h.Revoked.IsZero():
		return m.f("admin.erasures.revoked", auditStamp(h.Revoked))
	}
	return m.f("admin.erasures.pending")
}

// writeErasuresCSV writes one row per erased dossier and device that held
// it (one row with empty device columns for a dossier no device held).
func writeErasuresCSV(w io.Writer, list []server.Erasure) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write([]string{"dossier", "erased", "by", "user", "device", "device_name", "enrolment", "confirmed", "revoked", "wiped"}); err != nil {
		return err
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format(time.RFC3339)
	}
	for _, e := range list {
		rows := e.Devices
		if len(rows) == 0 {
			rows = []server.ErasureHolder{{}}
		}
		for _, h := range rows {
			if err := cw.Write([]string{csvCell(e.Dossier), stamp(e.At), csvCell(e.By), csvCell(h.User), csvCell(h.Replica), csvCell(h.Name), csvCell(h.Device),
				stamp(h.Confirmed), stamp(h.Revoked), stamp(h.Wiped)}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// printErasureHolders says, after an erasure, which devices still hold
// the dossier until their next sync.
func (c *cli) printErasureHolders(ctx context.Context, id string) error {
	resp, err := c.admin(ctx, server.AdminRequest{Cmd: server.CmdErasures, Client: id})
	if err != nil || len(resp.Erasures) == 0 {
		return err
	}
	e := resp.Erasures[0]
	m := c.msgs()
	if len(e.Devices) == 0 {
		fmt.Fprintln(c.env.stdout, m.f("admin.erasures.noholders"))
		return nil
	}
	fmt.Fprintln(c.env.stdout, m.n("admin.erasures.holders", len(e.Devices)))
	tw := table(c.env.stdout, m.f("admin.cols.holders"))
	for _, h := range e.Devices {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", orDash(h.User), orDash(h.Replica), orDash(h.Name), c.confirmState(h))
	}
	return tw.Flush()
}
