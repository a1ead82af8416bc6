//go:build !linux

package pgtest

import "os/exec"

// dieWithParent does nothing where the kernel cannot signal a child when
// its parent dies; Stop still stops the server.
func dieWithParent(cmd *exec.Cmd) {}
