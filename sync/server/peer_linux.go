package server

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// PeerUID is the uid of the process at the other end of a unix socket
// connection (SO_PEERCRED). The server's admin socket and the app's
// socket for export (cmd/brug) refuse callers of another OS user with it.
func PeerUID(conn net.Conn) (int, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return 0, fmt.Errorf("peer uid: not a unix connection")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, err
	}
	if cerr != nil {
		return 0, cerr
	}
	return int(cred.Uid), nil
}

// checkPeer refuses admin socket callers running as another OS user, in
// case the socket's mode was widened.
func checkPeer(conn net.Conn) error {
	if _, ok := conn.(*net.UnixConn); !ok {
		return nil
	}
	uid, err := PeerUID(conn)
	if err != nil {
		return err
	}
	if uid != os.Getuid() {
		return fmt.Errorf("admin socket: caller uid %d is not the server's uid %d", uid, os.Getuid())
	}
	return nil
}
