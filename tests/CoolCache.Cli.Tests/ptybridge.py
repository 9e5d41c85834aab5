"""Runs a command on a new pseudo-terminal (80x24) for the shell tests: what this process reads on stdin
is typed into the terminal, what the command shows on it comes out on stdout. Exits with the command's
exit code (128 + the signal when a signal ended it)."""
import fcntl, os, pty, select, struct, sys, termios

pid, master = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    os.execvp(sys.argv[1], sys.argv[1:])
stdin_open = True
while True:
    fds = [master] + ([0] if stdin_open else [])
    try:
        ready, _, _ = select.select(fds, [], [])
    except InterruptedError:
        continue
    if 0 in ready:
        data = os.read(0, 4096)
        if data:
            os.write(master, data)
        else:
            stdin_open = False
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b""
        if not data:
            break
        os.write(1, data)
_, status = os.waitpid(pid, 0)
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
