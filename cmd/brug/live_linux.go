package main

import (
	"net"
	"os"

	"github.com/brug-nl/brug/sync/server"
)

// livePeerSupported: Linux tells a unix socket's peer (SO_PEERCRED).
const livePeerSupported = true

// livePeer refuses a caller on the app's socket that runs as another OS
// user than the app.
func livePeer(conn net.Conn) error {
	uid, err := server.PeerUID(conn)
	if err != nil {
		return err
	}
	return checkLiveUID(uid, os.Getuid())
}
