//go:build !linux

package server

import "net"

// checkPeer relies on the socket's 0600 mode where peer credentials are
// not read.
func checkPeer(net.Conn) error { return nil }
