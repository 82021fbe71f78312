"""The running `wangge serve` process as the CI scripts watch it: its pid, and figures from /proc/PID/status."""
import os


def serve_pid():
    """The pid of the `wangge serve` process (the binary itself, not a shell or `swift run` around it)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if len(argv) > 1 and argv[0].endswith(b"wangge") and argv[1] == b"serve":
            return int(pid)
    raise SystemExit("no wangge serve process")


def status_mb(pid, field):
    """A memory field of /proc/PID/status (VmRSS, VmHWM) in MB."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0
