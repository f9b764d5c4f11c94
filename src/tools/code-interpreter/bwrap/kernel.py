"""Concierge's code_interpreter kernel: one long-lived Python process per session, inside the jail.

Protocol (see bwrap-session.ts): the host writes one JSON request per line on stdin,
``{"id": n, "code": "...", "timeout": seconds}``; the kernel answers one JSON line per request on
fd 3, ``{"id": n, "logs": str, "error": null | {name, message, traceback}, "timedOut": bool}``,
after a first ``{"type": "ready"}`` line. Program output never reaches fd 3: during a cell, fds 1
and 2 point at a private pipe that this process drains, so prints (also from C code and
subprocesses) are captured interleaved and capped. The cell's code cannot read the protocol:
stdin is moved to a private fd and fd 0 becomes /dev/null.

Processes a cell starts do not outlive it: when the cell ends the kernel kills every other process
in the jail's pid namespace, so a fork bomb or a forgotten server ends with its cell. Threads cannot
be killed one by one, so a cell that leaves threads running (Python or native) is reported in its
answer as ``"strayThreads": n`` and the host restarts the session: variables are lost, files kept.

Contract with the host: a cell that runs past its timeout gets a ``CellTimeout`` at the next
bytecode and its variables survive; code that ignores that (C loops, caught exceptions) is killed
by the host's wall clock, which tears the whole jail down.
"""

import ast
import builtins
import json
import linecache
import os
import signal
import sys
import threading
import time
import traceback
import types

LOG_LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 64 * 1024
KERNEL_PID = os.getpid()
FIGURE_PREFIX = "figure_"


class CellTimeout(BaseException):
    """Raised in the cell by the soft timer; a BaseException so `except Exception` does not swallow it."""


def take_private_fd(fd):
    """Moves fd to a high, inheritable-off descriptor so cell code finds nothing at the usual numbers."""
    private = os.dup(fd)
    os.set_inheritable(private, False)
    return private


protocol_in = os.fdopen(take_private_fd(0), "rb")
protocol_out = os.fdopen(take_private_fd(3), "wb")
os.close(3)
devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(devnull, 0)
os.close(devnull)
# Writes beyond RLIMIT_FSIZE fail with EFBIG (an OSError the cell sees) instead of killing the kernel.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def send(message):
    protocol_out.write(json.dumps(message).encode("utf-8") + b"\n")
    protocol_out.flush()


class Capture:
    """Drains one pipe in a thread, keeping the head and the tail of what was written."""

    def __init__(self, read_fd, limit):
        self.read_fd = read_fd
        self.head_limit = limit * 3 // 4
        self.tail_limit = limit - self.head_limit
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.drain, name="concierge-capture", daemon=True)
        self.thread.start()

    def drain(self):
        while True:
            try:
                chunk = os.read(self.read_fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self.lock:
                self.total += len(chunk)
                room = self.head_limit - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
                    chunk = chunk[room:]
                if chunk:
                    self.tail += chunk
                    if len(self.tail) > self.tail_limit:
                        del self.tail[: len(self.tail) - self.tail_limit]
        os.close(self.read_fd)

    def text(self):
        # A background process may still hold the pipe: wait briefly, then report what arrived.
        self.thread.join(0.2)
        with self.lock:
            shown = len(self.head) + len(self.tail)
            omitted = self.total - shown
            if omitted <= 0:
                return (bytes(self.head) + bytes(self.tail)).decode("utf-8", "replace")
            notice = f"\n[output truncated: {omitted} bytes omitted of {self.total}]\n"
            return bytes(self.head).decode("utf-8", "replace") + notice + bytes(self.tail).decode("utf-8", "replace")


# The cell's globals are a fresh `__main__` module, so pickling and `__main__` lookups see the user's names.
main_module = types.ModuleType("__main__")
main_module.__dict__["__builtins__"] = builtins
sys.modules["__main__"] = main_module
namespace = main_module.__dict__
cell_count = 0
figure_count = 0


def compile_cell(code, filename):
    """Compiles like a notebook cell: a trailing expression's value is printed."""
    tree = ast.parse(code, filename=filename, mode="exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec")
    tail = compile(last, filename, "eval") if last is not None else None
    return body, tail


def run_user_code(code, filename):
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    body, tail = compile_cell(code, filename)
    exec(body, namespace)
    if tail is not None:
        value = eval(tail, namespace)
        if value is not None:
            print(repr(value))


def save_open_figures():
    """Saves the cell's open matplotlib figures as PNGs in /mnt/data, so `plt.show()` yields an image.

    One figure is one image: a figure the code already saved (or drew) and did not change since is
    not saved again. Matplotlib marks a figure stale when it changes and not stale once drawn.
    """
    global figure_count
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    for number in pyplot.get_fignums():
        if not pyplot.figure(number).stale:
            continue
        figure_count += 1
        while os.path.lexists(f"/mnt/data/{FIGURE_PREFIX}{figure_count}.png"):
            figure_count += 1
        pyplot.figure(number).savefig(f"/mnt/data/{FIGURE_PREFIX}{figure_count}.png", format="png")
    pyplot.close("all")


def describe(error, skip_frames):
    """The error as the model should read it: the kernel's own frames are left out."""
    tb = None if isinstance(error, SyntaxError) else error.__traceback__
    for _ in range(skip_frames):
        if tb is not None:
            tb = tb.tb_next
    return {
        "name": type(error).__name__,
        "message": str(error),
        "traceback": "".join(traceback.format_exception(type(error), error, tb)),
    }


def end_cell_processes():
    """Kills every process of the jail but the kernel and bwrap's init, and reaps the kernel's children."""
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue


def count_stray_threads():
    """Threads of this process besides the main one, after a moment for threads that are finishing."""
    deadline = time.monotonic() + 0.25
    while True:
        try:
            count = len(os.listdir("/proc/self/task")) - 1
        except OSError:
            count = threading.active_count() - 1
        if count <= 0 or time.monotonic() >= deadline:
            return max(count, 0)
        time.sleep(0.01)


def on_alarm(_signum, _frame):
    raise CellTimeout()


signal.signal(signal.SIGALRM, on_alarm)


def run_cell(request):
    global cell_count
    cell_count += 1
    timeout = float(request.get("timeout", 30))
    error = None
    timed_out = False

    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    saved_out, saved_err = os.dup(1), os.dup(2)
    os.dup2(write_fd, 1)
    os.dup2(write_fd, 2)
    os.close(write_fd)
    capture = Capture(read_fd, LOG_LIMIT)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            run_user_code(request["code"], f"<cell-{cell_count}>")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except CellTimeout:
        timed_out = True
        error = {
            "name": "TimeoutError",
            "message": f"The cell ran longer than {timeout:g} s and was interrupted. Variables are kept.",
            "traceback": "",
        }
    except BaseException as caught:  # noqa: BLE001 - every failure of the cell is reported, none ends the kernel
        error = describe(caught, 2)
    finally:
        if os.getpid() != KERNEL_PID:
            os._exit(0)  # a process forked by the cell must never answer the host
    end_cell_processes()
    try:
        save_open_figures()
    except BaseException as caught:  # noqa: BLE001
        print(f"[figures could not be saved: {type(caught).__name__}: {caught}]")
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(saved_out, 1)
    os.dup2(saved_err, 2)
    os.close(saved_out)
    os.close(saved_err)
    logs = capture.text()
    return {
        "id": request["id"],
        "logs": logs,
        "error": error,
        "timedOut": timed_out,
        "strayThreads": count_stray_threads(),
    }


def main():
    sys.argv = [""]
    send({"type": "ready", "python": sys.version.split()[0]})
    for line in protocol_in:
        request = json.loads(line)
        try:
            answer = run_cell(request)
        except BaseException as caught:  # noqa: BLE001 - e.g. no file descriptor or thread left for the capture
            answer = {"id": request["id"], "logs": "", "error": describe(caught, 0), "timedOut": False}
        send(answer)


main()
