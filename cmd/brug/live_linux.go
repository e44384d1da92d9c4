package main

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// livePeerSupported: Linux tells a unix socket's peer (SO_PEERCRED).
const livePeerSupported = true

// livePeer refuses a caller on the app's socket that runs as another OS
// user than the app.
func livePeer(conn net.Conn) error {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("live socket: not a unix connection")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	return checkLiveUID(int(cred.Uid), os.Getuid())
}
