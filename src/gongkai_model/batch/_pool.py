"""Run one function over many files so that every file gets exactly one outcome, whatever happens to it.

The engine under :func:`gongkai_model.batch.map_files`, ``check_many`` and ``read_many``. Our own
supervised pool (:func:`_supervised`) runs each file alone in a worker process under a memory cap
(``RLIMIT_AS``) and a deadline (a soft timer in the worker, then ``SIGKILL`` from the parent); a
worker that dies is replaced and its file retried once in a fresh worker. Foreign executors
(threads, a user's process pool, dask) get what they can enforce; a broken one hands the files it
had not finished to the supervised pool. Outcomes come back in input order within a bounded window.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import math
import multiprocessing
import multiprocessing.connection as mpc
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

import attrs

__all__ = ["CAUSES", "FileOutcome"]

T = TypeVar("T")

#: Why a file has no value: it ran out of time, out of memory, its worker died, or the function raised.
CAUSES = ("timeout", "memory", "crashed", "skipped", "error")

#: Seconds the parent waits past a file's deadline (for the soft timer's clean answer) before killing.
_GRACE = 1.0
#: Seconds a worker may take to start up and take its file (importing the function's module) before it is replaced.
_START = 120.0


@attrs.frozen
class FileOutcome(Generic[T]):
    """What happened to one file: the function's ``value``, or the ``cause`` it has none and a ``message``.

    ``index`` is the file's position in the input; ``cause`` is ``None`` (the function returned),
    ``"timeout"``, ``"memory"``, ``"crashed"`` (its worker died twice), ``"skipped"`` (a folder scan
    found it but it is no file to read: ``message`` says why) or ``"error"`` (the function raised:
    ``message`` names the exception).
    """

    index: int
    path: str
    value: T | None = None
    cause: str | None = None
    message: str = ""


class _Deadline(BaseException):
    """Raised by the soft timer in a worker; a ``BaseException`` so that no reader's ``except Exception`` eats it."""


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(code).name
    except ValueError:
        return f"signal {code}"


def _address_space() -> int:
    """This process's address space now, in bytes (Linux ``/proc/self/statm``; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _cap(memory: int, used: int) -> int:
    """The address-space cap of a worker that already uses ``used`` bytes: ``memory``, or, when the worker
    started larger than half of that (a worker forked from a large process: a notebook, a test runner with
    the OCR engine loaded), what it uses plus ``memory`` — a cap under what a process already holds would
    make its every allocation fail, and each file would be "out of memory" before it was read.

    >>> _cap(512, 100), _cap(512, 300), _cap(512, 2048)
    (512, 812, 2560)
    """
    return memory if used <= memory // 2 else used + memory


def _limit_memory(memory: int | None, *, hard: bool) -> None:
    if memory is None:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX: no memory cap
        return
    _, current_hard = resource.getrlimit(resource.RLIMIT_AS)
    memory = _cap(memory, _address_space())
    cap = memory if current_hard == resource.RLIM_INFINITY else min(memory, current_hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap if hard else current_hard))


@contextlib.contextmanager
def _soft_timer(seconds: float | None) -> Iterator[None]:
    """Raise :class:`_Deadline` in this thread after ``seconds`` (main thread of a POSIX process only)."""
    usable = (
        seconds is not None and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if not usable or seconds is None:
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise _Deadline

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _c_getsignal() -> Callable[[int], Any]:
    """The C ``getsignal`` under :func:`signal.getsignal`, which turns what it returns into an enum member (a
    failed lookup, 5 µs, each time); the wrapper itself where there is none."""
    import importlib

    try:
        found: Callable[[int], Any] = importlib.import_module("_signal").getsignal
    except (ImportError, AttributeError):  # pragma: no cover - another implementation
        return signal.getsignal
    return found


_getsignal = _c_getsignal()


def _raise_deadline(signum: int, frame: object) -> None:
    """The SIGALRM handler a supervised worker keeps (see :func:`_armed`)."""
    raise _Deadline


def _armed(seconds: float | None) -> bool:
    """In a supervised worker: install the soft timer's handler once, for every file (each file then only sets
    and clears the timer); whether it is there (main thread of a POSIX process, and a time bound)."""
    usable = (
        seconds is not None and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if usable:
        signal.signal(signal.SIGALRM, _raise_deadline)
    return usable


def _call(
    fn: Callable[[str], Any], path: str, seconds: float | None, memory_note: int | None, *, armed: bool = False
) -> tuple[str, Any]:
    """``fn(path)`` as a tagged answer: ``("ok", value)`` or ``(cause, message)``; never raises.

    ``armed``: the soft timer's handler is installed already (:func:`_armed`); it is installed again if the
    function replaced it."""
    try:
        if armed and seconds is not None:
            if _getsignal(signal.SIGALRM) is not _raise_deadline:
                signal.signal(signal.SIGALRM, _raise_deadline)
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                value = fn(path)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        else:
            with _soft_timer(seconds):
                value = fn(path)
    except _Deadline:
        return "timeout", f"did not finish within {seconds:g} s (stopped)"
    except MemoryError:
        cap = f" (the cap is {memory_note} bytes)" if memory_note else ""
        return "memory", f"ran out of memory{cap}: MemoryError"
    except RecursionError:
        return "error", "RecursionError: maximum recursion depth exceeded"
    except Exception as exc:
        return "error", f"{type(exc).__name__}: {exc}"
    return "ok", value


#: In a foreign pool's worker: the process and the memory its cap was set for (set once per process).
_LIMITED: tuple[int, int | None] | None = None


def _call_limited(fn: Callable[[str], Any], seconds: float | None, memory: int | None, path: str) -> tuple[str, Any]:
    """In a foreign process pool's worker: cap its memory (soft limit; once per process) and time the call."""
    global _LIMITED
    if (here := (os.getpid(), memory)) != _LIMITED:
        _limit_memory(memory, hard=False)
        _LIMITED = here
    return _call(fn, path, seconds, memory)


#: In a foreign process pool's worker: the last function received pickled, with its pickle (unpickled once).
_RECEIVED: tuple[bytes, Callable[[str], Any]] | None = None


def _call_pickled(blob: bytes, seconds: float | None, memory: int | None, path: str) -> tuple[str, Any]:
    """:func:`_call_limited` of a function sent as its pickle: a process pool pickles a task's function with each
    file, and a check's (its options, its limits) cost more to pickle and unpickle than the bytes of its
    pickle do; the worker unpickles it once, for as long as the same one comes."""
    global _RECEIVED
    received = _RECEIVED
    if received is None or received[0] != blob:
        received = _RECEIVED = (blob, pickle.loads(blob))
    return _call_limited(received[1], seconds, memory, path)


def _worker(conn: mpc.Connection, fn: Callable[[str], Any], seconds: float | None, memory: int | None) -> None:
    """A supervised worker: one file at a time; leaves after a timeout or a ``MemoryError`` (state suspect).

    The parent sends a few files ahead. Before each file the worker reads what has come meanwhile,
    so that a file the parent took back (``("cancel", index)``: given to an idle worker) is dropped.
    It says when it begins a file: ``(index, "start")``, or, when the next file is already here, in
    the message of the one it has just finished (``(index, tag, value, next_index)``), so that the
    parent is woken once per file.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    _limit_memory(memory, hard=True)
    armed = _armed(seconds)
    waiting = _waiting(conn)
    queue: collections.deque[tuple[int, str]] = collections.deque()
    following: tuple[int, str] | None = None  # the next file, begun in the last message sent
    while True:
        if following is None:
            try:
                while not queue:
                    message = conn.recv()
                    if message is None:
                        return
                    _take(queue, message)
                while waiting():
                    message = conn.recv()
                    if message is None:
                        return
                    _take(queue, message)
            except (EOFError, OSError):
                return
            if not queue:
                continue
            index, path = queue.popleft()
            conn.send_bytes(_dumps((index, "start")))  # the parent starts this file's clock now
        else:
            (index, path), following = following, None
        tag, value = _call(fn, path, seconds, memory, armed=armed)
        stop = tag in ("timeout", "memory")
        if not stop:
            try:
                while waiting():
                    message = conn.recv()
                    if message is None:
                        stop = True
                        break
                    _take(queue, message)
            except (EOFError, OSError):
                stop = True
            if queue and not stop:
                following = queue.popleft()
        begun = None if following is None else following[0]
        try:
            _send(conn, (index, tag, value, begun))
        except MemoryError:
            value = None
            conn.send((index, "memory", "ran out of memory sending the result back: MemoryError", None))
            return
        except Exception as exc:  # the value cannot be pickled
            conn.send((index, "error", f"the result cannot be sent back: {type(exc).__name__}: {exc}", begun))
        if stop:
            return


def _dumps(message: Any) -> bytes:
    """A message of the pool's pipes as bytes: a plain pickle (``Connection.send`` makes a ``ForkingPickler`` per
    message, copying its table of reducers each time: as much CPU as the rest of sending a file's path)."""
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _send(conn: mpc.Connection, message: Any) -> None:
    """Send a worker's answer (``conn.recv`` reads either form): pickled with the library's findings, problems and
    provenance as their fields (``_result._compact_dumps``: a file read with its provenance holds one per cell);
    a value a plain pickle refuses goes as ``Connection.send`` sends it (its errors are the caller's to report)."""
    from ._result import _compact_dumps

    try:
        data = _compact_dumps(message)
    except MemoryError:
        raise
    except Exception:
        conn.send(message)
        return
    conn.send_bytes(data)


def _waiting(conn: mpc.Connection) -> Callable[[], bool]:
    """Whether a message (or the end of the pipe) is waiting on ``conn``, without waiting: one ``poll`` object
    kept for the worker's life where there is one (``Connection.poll`` makes a selector for each call: a
    worker asks once or twice per file, and that cost a third as much as sending the file's result)."""
    if not hasattr(select, "poll"):  # pragma: no cover - not POSIX
        return conn.poll
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    return lambda: bool(poller.poll(0))


def _take(queue: collections.deque[tuple[int, str]], message: Any) -> None:
    """A message to a worker: a file to run ``(index, path)``, several (a list of them), or ``("cancel", index)``
    to drop one sent before."""
    if type(message) is list:
        queue.extend(message)
        return
    if message[0] == "cancel":
        for k, (index, _) in enumerate(queue):
            if index == message[1]:
                del queue[k]
                return
        return
    queue.append(message)


#: The modules the pool's own server process imports before it forks any worker (workers start warm).
_PRELOAD = ["gongkai_model", "gongkai_model.batch._warm"]

#: The pool's own ``forkserver`` server (made on first use; see :func:`_server`), the process it was made in,
#: and its lock.
_SERVER: Any = None
_SERVER_PID = 0
_SERVER_LOCK = threading.Lock()


def _server() -> Any:
    """The pool's own fork server: a :class:`multiprocessing.forkserver.ForkServer` of its own, with its own
    preload list, so that the process-wide one (``multiprocessing.set_forkserver_preload``, the server a
    user's own ``forkserver`` pools share) is never touched. Started on first use, once per process."""
    global _SERVER, _SERVER_PID
    with _SERVER_LOCK:
        if _SERVER is None or os.getpid() != _SERVER_PID:  # a forked copy of a process has none of its own yet
            from multiprocessing import forkserver

            server = forkserver.ForkServer()
            server.set_forkserver_preload(list(_PRELOAD))
            _SERVER, _SERVER_PID = server, os.getpid()
        return _SERVER


try:  # the standard library's forkserver launch (POSIX); absent where processes cannot be forked (Windows)
    import io
    from multiprocessing import context as _mpcontext
    from multiprocessing import forkserver as _forkserver
    from multiprocessing import popen_forkserver as _popen_forkserver
    from multiprocessing import spawn as _spawn
    from multiprocessing import util as _util
    from multiprocessing.context import ForkServerProcess as _ForkServerProcess
    from multiprocessing.context import set_spawning_popen as _set_spawning_popen

    _OWN_SERVER = hasattr(_popen_forkserver.Popen, "_launch") and hasattr(_forkserver, "ForkServer")
except ImportError:  # pragma: no cover - no fork server here
    _OWN_SERVER = False

if _OWN_SERVER:

    class _ServerPopen(_popen_forkserver.Popen):
        """The launch of a worker forked by the pool's own server (:func:`_server`).

        It is the standard library's ``forkserver`` launch (``popen_forkserver.Popen._launch``, the same
        in Python 3.10 to 3.14) with two differences: the worker is forked by the pool's own server, and,
        when the process object says it does not need it (``needs_main`` false: the function it runs and
        every object sent with it come from the library or the standard library, see :func:`_needs_main`),
        the preparation data does not ask the worker to import the main module. The stock launch makes
        every worker forked from a server import the main module again (the server's own preload of
        ``__main__`` never runs on Python 3.11 and 3.12: it asks for a ``main_path`` key that
        ``spawn.get_preparation_data`` does not give, CPython gh-126631), which costs each worker what the main module's
        imports cost (a benchmark's: 0.13 s of CPU; a script that imports pandas: more).
        """

        def _launch(self, process_obj: Any) -> None:
            prep_data = _spawn.get_preparation_data(process_obj._name)
            if not getattr(process_obj, "needs_main", True):
                prep_data.pop("init_main_from_name", None)
                prep_data.pop("init_main_from_path", None)
            buf = io.BytesIO()
            _set_spawning_popen(self)
            try:
                reduction = _mpcontext.reduction  # type: ignore[attr-defined] # as the standard launch (a custom reducer)
                reduction.dump(prep_data, buf)
                reduction.dump(process_obj, buf)
            finally:
                _set_spawning_popen(None)
            self.sentinel, w = _server().connect_to_new_process(self._fds)  # type: ignore[attr-defined]
            parent_w = os.dup(w)  # kept as the standard launch keeps it: the child's sentinel of its parent
            self.finalizer = _util.Finalize(self, _util.close_fds, (parent_w, self.sentinel))  # type: ignore[attr-defined]
            with open(w, "wb", closefd=True) as f:
                f.write(buf.getbuffer())
            self.pid = _forkserver.read_signed(self.sentinel)

    class _ServerProcess(_ForkServerProcess):
        """A worker process forked by the pool's own server; ``needs_main``: whether it imports the main module."""

        needs_main = True

        @staticmethod
        def _Popen(process_obj: Any) -> Any:  # the name multiprocessing calls
            return _ServerPopen(process_obj)


class _Context:
    """The pool's processes: forked by its own server (:func:`_server`) where there is ``forkserver``; else
    the ``spawn`` context as it is."""

    def __init__(self) -> None:
        methods = multiprocessing.get_all_start_methods()
        self.own = _OWN_SERVER and "forkserver" in methods
        self.ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")

    def Pipe(self, duplex: bool = True) -> tuple[mpc.Connection, mpc.Connection]:  # as multiprocessing names it
        return self.ctx.Pipe(duplex=duplex)

    def Process(self, *, target: Any, args: tuple[Any, ...], daemon: bool, needs_main: bool) -> Any:
        if not self.own:
            return self.ctx.Process(target=target, args=args, daemon=daemon)  # type: ignore[attr-defined]
        proc = _ServerProcess(target=target, args=args, daemon=daemon)
        proc.needs_main = needs_main
        return proc


#: Top-level modules whose objects a worker can unpickle without the main module (besides the standard library).
_OWN_MODULES = frozenset({"gongkai_model"})


def _needs_main(fn: Callable[[str], Any]) -> bool:
    """Whether a worker running ``fn`` must import the main module (as every process pool that does not fork
    does): unless ``fn`` and everything sent with it come from the library or the standard library, and
    no check of a user's is registered (a script that registers its checks at its top level has them
    registered again in each worker as it imports the script, as before).

    >>> import functools, json
    >>> _needs_main(functools.partial(json.loads, parse_float=str))
    False
    """
    import io
    import pickle
    import sys
    import types

    modules: set[str] = set()

    class _Recorder(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            kind = obj if isinstance(obj, type) else type(obj)
            named = isinstance(obj, type | types.FunctionType | types.BuiltinFunctionType | types.MethodType)
            module = getattr(obj, "__module__", None) if named else getattr(kind, "__module__", None)
            modules.add(str(module))
            return NotImplemented

    try:
        _Recorder(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL).dump(fn)
    except Exception:  # cannot be pickled: the worker fails as it did, with the main module imported
        return True
    stdlib: frozenset[str] = getattr(sys, "stdlib_module_names", frozenset())
    for module in modules:
        top = module.split(".", 1)[0]
        if top == "__main__" or (top not in _OWN_MODULES and top not in stdlib):
            return True
    from ..checks import registered

    return any(str(getattr(c.function, "__module__", "")).split(".", 1)[0] not in _OWN_MODULES for c in registered())


#: Files sent ahead to each worker (the one it runs and the next ones): a worker never waits for the
#: parent between files, even while the parent naps (:data:`_NAP`). A file's clock still starts when its
#: worker takes it (the worker says so), and a worker that dies names the one file it had (its files not
#: begun go back to the queue).
_AHEAD = 8

#: The longest the parent naps before it waits for the workers' messages (seconds), so that it wakes once
#: for several results rather than once per file: each wake-up of a process that slept while the workers
#: ran costs it more CPU (its caches gone, the scheduler's switch) than handling a result does. It naps
#: only while every worker has files waiting behind the one it runs, and for at most half the time they
#: take (each worker's pace measured), so that no worker runs out; a deadline comes first. ``0``: never.
_NAP = 0.004
#: A nap shorter than this (seconds) is not worth its own wake-up.
_NAP_MIN = 0.0005


class _Proc:
    """One worker process, its pipe, and the files sent to it (index, path, attempt), the first being its own."""

    def __init__(
        self, ctx: _Context, fn: Callable[[str], Any], seconds: float | None, memory: int | None, needs_main: bool
    ) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker, args=(child, fn, seconds, memory), daemon=True, needs_main=needs_main)
        self.proc.start()
        child.close()
        self.sent: collections.deque[tuple[int, str, int]] = collections.deque()
        self.deadline = float("inf")
        self.fresh = True
        self.running = False  # the first file sent has begun
        self.alone = False  # a retry: nothing else is sent to this worker until it is done
        self.ghost: int | None = None  # a file taken back from this worker after it had begun it
        self.fds: tuple[int, ...] = ()  # registered with the waiter
        self.pending = _waiting(self.conn)  # a message (or the end of the pipe) is waiting, without waiting
        self.pace = 0.0  # seconds per file lately (0: not known yet), for the parent's naps
        self.last = 0.0  # when its last results were received (0: none since it had nothing to do)

    @property
    def task(self) -> tuple[int, str, int] | None:
        """The file the worker has (the first sent and not finished), or ``None`` when it is idle."""
        return self.sent[0] if self.sent else None

    def give(self, *tasks: tuple[int, str, int]) -> None:
        """Send files (index, path, attempt), in one message; a file's time starts when the worker says it has
        begun it (a fresh worker starts up first)."""
        if not tasks:
            return
        if not self.sent:
            self.running = False
            self.deadline = time.monotonic() + _START
        self.sent.extend(tasks)
        self.fresh = False
        message: Any = tasks[0][:2] if len(tasks) == 1 else [task[:2] for task in tasks]
        try:
            self.conn.send_bytes(_dumps(message))
        except (OSError, ValueError):  # the worker died meanwhile: its sentinel says so, and the file is retried
            self.deadline = time.monotonic()

    def started(self, seconds: float | None) -> None:
        self.running = True
        self.deadline = time.monotonic() + seconds + _GRACE if seconds is not None else float("inf")

    def begun(self, index: int, seconds: float | None) -> None:
        """The worker has begun file ``index``: its clock starts (or one taken back: not counted here)."""
        if self.sent and self.sent[0][0] == index:
            self.started(seconds)
        else:  # taken back after the worker had begun it: it runs on another worker too
            self.ghost = index

    def paced(self, now: float, count: int) -> None:
        """``count`` results came from this worker just now: its pace (seconds per file) follows them."""
        if self.last and count:
            step = (now - self.last) / count
            self.pace = step if not self.pace else (3 * self.pace + step) / 4
        self.last = now if self.sent else 0.0  # idle: the time until its next file is no pace of its own

    def finished(self) -> tuple[int, str, int]:
        """The first file is done: the next one sent (if any) is the worker's now, not begun yet."""
        task = self.sent.popleft()
        self.running = False
        self.alone = False
        self.deadline = time.monotonic() + _START if self.sent else float("inf")
        return task

    def take_back(self) -> tuple[int, str, int] | None:
        """The last file sent and not begun (never the first: the worker may be on it), for an idle worker."""
        if len(self.sent) < 2:
            return None
        task = self.sent.pop()
        with contextlib.suppress(Exception):
            self.conn.send(("cancel", task[0]))
        return task

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
        self.proc.join(0.5)
        if self.proc.is_alive():
            self.kill()
        with contextlib.suppress(Exception):
            self.conn.close()


class _Waiter:
    """Waits for the pipes and the ends of the workers: one ``poll`` object kept for the run where there is
    one (registering every worker's two descriptors again on each wait cost as much as the rest of the
    parent's work per file), :func:`multiprocessing.connection.wait` elsewhere."""

    def __init__(self) -> None:
        self.poll = select.poll() if hasattr(select, "poll") else None
        self.objects: dict[int, Any] = {}

    def add(self, p: _Proc) -> None:
        if self.poll is None:
            return
        for obj, fd in ((p.conn, p.conn.fileno()), (p.proc.sentinel, p.proc.sentinel)):
            self.poll.register(fd, select.POLLIN)
            self.objects[fd] = obj
        p.fds = (p.conn.fileno(), p.proc.sentinel)

    def remove(self, p: _Proc) -> None:
        if self.poll is None:
            return
        for fd in p.fds:
            with contextlib.suppress(KeyError, ValueError):
                self.poll.unregister(fd)
            self.objects.pop(fd, None)
        p.fds = ()

    def wait(self, procs: list[_Proc], busy: list[_Proc], timeout: float) -> set[Any]:
        """The pipes and sentinels ready within ``timeout`` seconds (of every worker here; of the busy elsewhere)."""
        if self.poll is None:
            return set(mpc.wait([p.conn for p in busy] + [p.proc.sentinel for p in busy], timeout))
        wait_ms = None if math.isinf(timeout) else max(0, math.ceil(timeout * 1000))
        while True:
            try:
                events = self.poll.poll(wait_ms)
                break
            except InterruptedError:  # pragma: no cover - retried by Python itself since 3.5
                continue
        return {self.objects[fd] for fd, _ in events if fd in self.objects}


def _nap(procs: list[_Proc], timeout: float) -> float:
    """How long the parent may nap before it waits (see :data:`_NAP`): ``0.0`` unless every worker has files
    waiting behind the one it runs and a known pace; then at most half the time its waiting files take, and
    only when several results are due meanwhile (slow files: a nap would only add a wake-up)."""
    nap = min(_NAP, timeout)
    for p in procs:
        if p.alone or p.ghost is not None or len(p.sent) < 2 or not p.pace:
            return 0.0
        nap = min(nap, (len(p.sent) - 1) * p.pace / 2)
    if nap < _NAP_MIN or sum(nap / p.pace for p in procs) < 2:
        return 0.0
    return nap


#: Workers that die before taking any file, with none ever having taken one, before the pool gives up.
_STILLBORN = 3


def _cannot_start(how: str) -> BaseException:
    from ..errors import GongkaiError, Problem

    return GongkaiError(
        "the batch's worker processes cannot start",
        [
            Problem(
                "workers",
                f"each one exited ({how}) before taking a file. A script that starts a batch must guard its "
                "code with `if __name__ == '__main__':` (workers import the main module, as with any process "
                "pool that does not fork), and Limits.max_memory_bytes must leave room to load the library "
                "(about 200 MB); executor='serial' runs in this process",
            )
        ],
    )


def _supervised(
    fn: Callable[[str], Any],
    items: list[tuple[int, str]],
    *,
    workers: int,
    seconds: float | None,
    memory: int | None,
    window: int,
    ordered: bool,
    on_done: Callable[[FileOutcome[Any]], None] | None = None,
) -> Generator[FileOutcome[Any], None, None]:
    """Our own pool: a deadline per file, a memory cap per worker, workers replaced, each crash on its one file.

    Each worker is sent a few files ahead (:data:`_AHEAD`) so that it never waits for the parent; it
    says when it begins each one (the file's clock starts then). A worker that dies had one file,
    the one it had begun: that file is retried once alone in a fresh worker; the files sent to it
    and not begun go back to the queue, untouched.
    """
    if not items:
        return
    ctx = _Context()
    needs_main = _needs_main(fn)
    todo = collections.deque(items)  # (index, path), in input order
    retry: collections.deque[tuple[int, str]] = collections.deque()
    position = {index: k for k, (index, _) in enumerate(items)}  # the order of emission
    done: dict[int, FileOutcome[Any]] = {}
    emitted = 0
    procs: list[_Proc] = []
    width = max(1, min(workers, len(items)))
    ahead = 1 if width >= len(items) else _AHEAD
    ever_started = False  # a worker has taken a file: the pool works
    stillborn = 0  # workers that died before taking a file, while none ever has

    def _requeue(p: _Proc) -> None:
        """The files sent to ``p`` and not begun go back to the queue, in input order."""
        nonlocal todo
        if p.sent:
            todo = collections.deque(
                sorted([*((i, path) for i, path, _ in p.sent), *todo], key=lambda t: position[t[0]])
            )
            p.sent.clear()

    waiter = _Waiter()
    try:
        procs = [_Proc(ctx, fn, seconds, memory, needs_main) for _ in range(width)]
        for p in procs:
            waiter.add(p)
        while emitted < len(items):
            # hand out files: retries alone to fresh workers; new files within the window, a few ahead
            for p in procs:
                if retry and p.fresh:
                    index, path = retry.popleft()
                    p.give((index, path, 2))
                    p.alone = True
                    continue
                given: list[tuple[int, str, int]] = []
                while (
                    not p.alone
                    and len(p.sent) + len(given) < ahead
                    and todo
                    and (not ordered or position[todo[0][0]] < emitted + window)
                ):
                    index, path = todo.popleft()
                    given.append((index, path, 1))
                p.give(*given)  # in one message
            for p in procs:  # an idle worker takes a file another one has waiting behind a long one
                if not p.sent and p.ghost is None:
                    for q in procs:
                        task = q.take_back()
                        if task is not None:
                            p.give(task)
                            break
            busy = [p for p in procs if p.sent or p.ghost is not None]
            if not busy and not done:  # pragma: no cover - nothing running and nothing to emit
                raise RuntimeError("the pool stalled")
            now = time.monotonic()
            timeout = max(0.0, min((p.deadline for p in busy), default=now) - now) if busy else 0.0
            nap = _nap(procs, timeout) if busy and not retry else 0.0
            if nap:  # every worker has files waiting: let their results gather, then take them at once
                time.sleep(nap)
                timeout = max(0.0, timeout - nap)
            ready = waiter.wait(procs, busy, timeout) if busy else set()
            now = time.monotonic()
            finished: list[FileOutcome[Any]] = []
            for k, p in enumerate(procs):
                if not p.sent and p.ghost is None:
                    if p.conn in ready or p.proc.sentinel in ready:  # an idle worker that ended (or a stray message)
                        try:
                            while p.conn.poll():
                                p.conn.recv()
                            alive = p.proc.is_alive()
                        except Exception:
                            alive = False
                        if not alive:
                            waiter.remove(p)
                            p.kill()
                            procs[k] = _Proc(ctx, fn, seconds, memory, needs_main)
                            waiter.add(procs[k])
                    continue
                replace = False
                if p.conn in ready or p.proc.sentinel in ready:
                    dead = p.proc.sentinel in ready
                    more = p.conn in ready  # then every message waiting (several gather while the parent naps)
                    results = 0
                    try:
                        while (p.sent or p.ghost is not None) and (more or p.pending()):
                            more = False
                            message = p.conn.recv()
                            if message[1] == "start":  # the worker has a file: its time starts now
                                ever_started = True
                                p.begun(message[0], seconds)
                                continue
                            sent_index, tag, value, begun = message
                            if sent_index == p.ghost or not p.sent or sent_index != p.sent[0][0]:
                                p.ghost = None  # a file taken back: its outcome is the other worker's
                            else:
                                index, path, attempt = p.finished()
                                results += 1
                                if tag == "ok":
                                    finished.append(FileOutcome(index, path, value))
                                else:
                                    finished.append(FileOutcome(index, path, None, tag, value))
                                    if tag in ("timeout", "memory"):  # the worker leaves (its state is suspect)
                                        replace = True
                                        break
                            if begun is not None:  # the next file, begun as this one was sent
                                ever_started = True
                                p.begun(begun, seconds)
                    except (EOFError, OSError):
                        dead = True
                    except Exception as exc:  # the value could not be unpickled here
                        index, path, attempt = p.finished()
                        finished.append(
                            FileOutcome(
                                index, path, None, "error",
                                f"the result cannot be received: {type(exc).__name__}: {exc}",
                            )
                        )  # fmt: skip
                    p.paced(now, results)
                    if not replace and not p.sent and dead:  # died on a file taken back: it runs elsewhere
                        replace = True
                    elif not replace and p.sent and dead:  # the worker died with a file
                        p.proc.join(1)
                        code = p.proc.exitcode
                        how = f"killed by {_signal_name(-code)}" if code is not None and code < 0 else f"exit {code}"
                        replace = True
                        if not p.running and not ever_started:
                            stillborn += 1
                            if stillborn >= _STILLBORN:
                                raise _cannot_start(how)
                        index, path, attempt = p.finished()
                        if attempt == 1:
                            retry.append((index, path))
                        else:
                            finished.append(
                                FileOutcome(
                                    index, path, None, "crashed", f"its worker died twice ({how} on the retry alone)"
                                )
                            )
                elif not p.sent:
                    continue
                elif now >= p.deadline and not p.running:  # the worker never took the file: it is stuck
                    replace = True
                    index, path, attempt = p.finished()
                    if attempt == 1:
                        retry.append((index, path))
                    else:
                        finished.append(
                            FileOutcome(
                                index, path, None, "crashed", f"its worker did not start within {_START:g} s, twice"
                            )
                        )
                elif now >= p.deadline:
                    index, path, attempt = p.finished()
                    finished.append(
                        FileOutcome(index, path, None, "timeout", f"did not finish within {seconds:g} s (killed)")
                    )
                    replace = True
                if replace:
                    _requeue(p)
                    p.kill()
                    waiter.remove(p)
                    procs[k] = _Proc(ctx, fn, seconds, memory, needs_main)
                    waiter.add(procs[k])
            for outcome in finished:
                if on_done is not None:
                    on_done(outcome)
                if ordered:
                    done[outcome.index] = outcome
                else:
                    emitted += 1
                    yield outcome
            if ordered:
                while emitted < len(items) and items[emitted][0] in done:
                    emitted += 1
                    yield done.pop(items[emitted - 1][0])
    finally:
        for p in procs:
            if p.sent:
                p.kill()
            else:
                p.stop()


def _foreign(
    fn: Callable[[str], Any],
    items: list[tuple[int, str]],
    executor: cf.Executor,
    *,
    seconds: float | None,
    memory: int | None,
    window: int,
    ordered: bool,
    fallback_workers: int,
    on_done: Callable[[FileOutcome[Any]], None] | None = None,
) -> Generator[FileOutcome[Any], None, None]:
    """Any :class:`concurrent.futures.Executor`: its futures watched against deadlines; a broken one replaced.

    Time on a foreign executor means stop waiting (a thread cannot be stopped); a process pool of
    the standard library also gets the memory cap and the soft timer in its workers. When the
    executor breaks (``BrokenProcessPool``, shut down) or every one of its workers is stuck on a
    file that timed out, the files not finished go to our own supervised pool.
    """
    is_process = isinstance(executor, cf.ProcessPoolExecutor)
    is_std = isinstance(executor, cf.ProcessPoolExecutor | cf.ThreadPoolExecutor)
    capacity = getattr(executor, "_max_workers", None) if is_std else None
    slots = int(capacity) if isinstance(capacity, int) and capacity > 0 else window
    # a process pool is sent one file ahead per worker, so that a worker never waits for this process
    # between files; only the oldest ``slots`` (those a worker can have) are on the clock
    ahead = slots if is_process else 0
    call_seconds = seconds if is_process else None
    call_memory = memory if is_process else None
    task: Callable[..., Any] = _call_limited
    sent: Any = fn
    if is_process:  # pickled once here, unpickled once per worker (see _call_pickled)
        with contextlib.suppress(Exception):  # one a plain pickle refuses goes as it did (the executor says why)
            sent, task = pickle.dumps(fn, protocol=pickle.HIGHEST_PROTOCOL), _call_pickled
    todo = collections.deque(items)
    position = {index: k for k, (index, _) in enumerate(items)}
    done: dict[int, FileOutcome[Any]] = {}
    emitted = 0
    pending: dict[cf.Future[Any], list[Any]] = {}  # future -> [index, path, deadline]
    stuck = 0  # workers busy for good with a file that timed out
    broken = False

    def _settle(outcome: FileOutcome[Any]) -> Iterator[FileOutcome[Any]]:
        nonlocal emitted
        if on_done is not None:
            on_done(outcome)
        if not ordered:
            emitted += 1
            yield outcome
            return
        done[outcome.index] = outcome
        while emitted < len(items) and items[emitted][0] in done:
            emitted += 1
            yield done.pop(items[emitted - 1][0])

    while emitted < len(items) and not broken:
        while (
            todo and len(pending) < slots + ahead - stuck and (not ordered or position[todo[0][0]] < emitted + window)
        ):
            index, path = todo[0]
            try:
                future = executor.submit(task, sent, call_seconds, call_memory, path)
            except (cf.BrokenExecutor, RuntimeError):  # broken, or shut down
                broken = True
                break
            todo.popleft()
            start = time.monotonic() if not is_std else None
            pending[future] = [index, path, None if start is None or seconds is None else start + seconds]
        if broken or (not pending and todo):
            broken = True  # no worker left to take the next file
            break
        now = time.monotonic()
        for k, (future, entry) in enumerate(pending.items()):
            if is_process and k >= slots - stuck:
                break  # waiting behind the files the workers have
            if entry[2] is None and seconds is not None and (future.running() or future.done()):
                entry[2] = now + seconds + (_GRACE if is_process else 0.0)
        deadlines = [e[2] for e in pending.values() if e[2] is not None]
        wait = 0.2 if is_std and seconds is not None else None  # poll for tasks that start running
        if deadlines:
            first = max(0.0, min(deadlines) - now)
            wait = first if wait is None else min(wait, first)
        finished, _ = cf.wait(list(pending), timeout=wait, return_when=cf.FIRST_COMPLETED)
        now = time.monotonic()
        for future in list(pending):
            index, path, deadline = pending[future]
            outcome: FileOutcome[Any]
            if future in finished:
                del pending[future]
                try:
                    tag, value = future.result()
                except cf.BrokenExecutor:
                    broken = True
                    todo.appendleft((index, path))  # retried on our own pool
                    continue
                except cf.CancelledError:
                    outcome = FileOutcome(index, path, None, "crashed", "its task was cancelled by the executor")
                except Exception as exc:  # the executor failed for this file (dask lost a worker …)
                    why = f"the executor failed: {type(exc).__name__}: {exc}"
                    outcome = FileOutcome(index, path, None, "crashed", why)
                else:
                    if tag == "ok":
                        outcome = FileOutcome(index, path, value)
                    else:
                        outcome = FileOutcome(index, path, None, tag, value)
                yield from _settle(outcome)
            elif deadline is not None and now >= deadline:
                del pending[future]
                if not future.cancel():
                    stuck += 1 if is_std else 0
                yield from _settle(
                    FileOutcome(
                        index, path, None, "timeout",
                        f"did not finish within {seconds:g} s (no longer waited for; this executor cannot stop it)",
                    )
                )  # fmt: skip
        if is_std and stuck >= slots:
            broken = True
    if emitted >= len(items):
        return
    # the executor broke or is stuck: every file not finished goes to our own supervised pool
    rest = sorted([*((e[0], e[1]) for e in pending.values()), *todo], key=lambda item: position[item[0]])
    for future in pending:
        future.cancel()
    for outcome in _supervised(
        fn, rest, workers=fallback_workers, seconds=seconds, memory=memory, window=window, ordered=ordered
    ):
        yield from _settle(outcome)


def _serial(
    fn: Callable[[str], Any],
    items: list[tuple[int, str]],
    *,
    seconds: float | None,
    on_done: Callable[[FileOutcome[Any]], None] | None = None,
) -> Generator[FileOutcome[Any], None, None]:
    """In this process, one file after another; the soft timer bounds Python code where this is the main thread."""
    for index, path in items:
        tag, value = _call(fn, path, seconds, None)
        outcome = FileOutcome(index, path, value) if tag == "ok" else FileOutcome(index, path, None, tag, value)
        if on_done is not None:
            on_done(outcome)
        yield outcome


def run(
    fn: Callable[[str], Any],
    items: list[tuple[int, str]],
    *,
    executor: cf.Executor | str | None,
    seconds: float | None,
    memory: int | None,
    workers: int | None = None,
    window: int = 256,
    ordered: bool = True,
    on_done: Callable[[FileOutcome[Any]], None] | None = None,
) -> Generator[FileOutcome[Any], None, None]:
    """``fn`` over ``items`` (index, path) on ``executor`` (``None``/``"processes"``: ours; ``"serial"``; an Executor).

    Outcomes come in the order of ``items`` (``ordered``), or as files finish; ``on_done`` is called
    with each as soon as it is known (before it is held back for order).
    """
    count = workers or os.cpu_count() or 1
    window = max(1, window)
    if executor == "serial":
        return _serial(fn, items, seconds=seconds, on_done=on_done)
    if executor is None or executor == "processes":
        return _supervised(
            fn, items, workers=count, seconds=seconds, memory=memory, window=window, ordered=ordered, on_done=on_done
        )
    if isinstance(executor, cf.Executor):
        return _foreign(
            fn, items, executor, seconds=seconds, memory=memory, window=window, ordered=ordered,
            fallback_workers=count, on_done=on_done,
        )  # fmt: skip
    raise TypeError(f"expected an Executor, 'processes' or 'serial', got {executor!r}")
