"""Writes the jail's seccomp filter (classic BPF, as bwrap's --seccomp reads it) to stdout.

Run on the host with Debian's python3-seccomp (libseccomp), which knows every architecture's
syscall numbers and rejects foreign ABIs (x32, i386 on x86_64). Deny-list, EPERM: the jail already
has no capabilities, no network namespace peers and no way to create user namespaces; this takes
away the kernel interfaces that escapes and kernel exploits reach for, and every socket family but
AF_UNIX, so even a stray network namespace would be useless.
"""

import errno
import socket
import sys

import seccomp

DENIED = [
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    "keyctl", "add_key", "request_key",
    "bpf", "userfaultfd", "perf_event_open",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "fsopen", "fsmount", "fsconfig", "fspick", "move_mount", "open_tree", "mount_setattr",
    "open_by_handle_at", "name_to_handle_at",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "personality", "syslog", "acct", "quotactl", "swapon", "swapoff", "reboot",
    "iopl", "ioperm", "vhangup", "lookup_dcookie",
    # Memory outside every size cap: anonymous files, System V shared memory and message queues
    # live on after the process that filled them (POSIX shared memory goes to the capped /dev/shm).
    "memfd_create", "memfd_secret", "shmget", "msgget",
]

syscall_filter = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
denied = seccomp.ERRNO(errno.EPERM)
for name in DENIED:
    try:
        syscall_filter.add_rule(denied, name)
    except (RuntimeError, ValueError):
        pass  # not a syscall on this architecture
syscall_filter.add_rule(denied, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
syscall_filter.export_bpf(sys.stdout.buffer)
