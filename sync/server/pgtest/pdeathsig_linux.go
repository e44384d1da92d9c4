package pgtest

import "syscall"

// setPdeathsig has the child get SIGQUIT when this process dies.
func setPdeathsig(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGQUIT }
