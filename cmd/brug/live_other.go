//go:build !linux

package main

import (
	"errors"
	"net"
)

// livePeerSupported: without SO_PEERCRED the app cannot tell who calls,
// so it serves no socket.
const livePeerSupported = false

func livePeer(net.Conn) error { return errors.New("live socket: not supported here") }
