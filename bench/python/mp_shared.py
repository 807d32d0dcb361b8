"""Python multiprocessing shared-memory baselines for `npm run bench`.

Each scenario mirrors one rxmp measurement (bench/measure/value-lock.ts,
bench/measure/shm-transfer.ts, bench/measure/lock-try.ts and lock-await.ts,
bench/measure/event-pingpong.ts, bench/measure/barrier-wait.ts)
step for step, with setup excluded by a "go" signal (or an untimed warm-up)
and child exit excluded by a "done" signal, and prints one JSON line:
{"scenario": ..., "value": ..., "unit": ..., "detail": {...}, "python": "3.x.y"}.

    python3 bench/python/mp_shared.py <scenario> <n>

Scenarios: value-lock (n increments per child), shm-transfer (n bytes),
lock (n uncontended acquire + release in this process), event-pingpong
(n Event set/wait round trips with a forked child), barrier-2 (n
Barrier(2).wait() rounds between this process and a forked child).
"""
import json
import multiprocessing as mp
import platform
import sys
import time
from multiprocessing import shared_memory

CHILDREN = 2
CHUNK = 1 << 20


def incrementer(v, ready, go, done, n):
    ready.set()
    go.wait()
    for _ in range(n):
        with v.get_lock():
            v.value += 1
    done.put(1)


def value_lock(n):
    v = mp.Value("i", 0)
    readies = [mp.Event() for _ in range(CHILDREN)]
    go = mp.Event()
    done = mp.SimpleQueue()
    children = [mp.Process(target=incrementer, args=(v, r, go, done, n)) for r in readies]
    for c in children:
        c.start()
    for r in readies:
        r.wait()
    t0 = time.perf_counter()
    go.set()
    for _ in children:
        done.get()
    elapsed = time.perf_counter() - t0
    for c in children:
        c.join()
    until_exit = time.perf_counter() - t0
    if v.value != CHILDREN * n:
        raise SystemExit(f"lost updates: the value is {v.value}, not {CHILDREN * n}")
    return CHILDREN * n / elapsed, "ops/s", {"untilExitOpsPerSecond": CHILDREN * n / until_exit}


def pattern():
    # The same 1 MiB the rxmp side writes: byte i is i mod 251 (a prime, so chunks and pages do not line up with it).
    return bytes(i % 251 for i in range(CHUNK))


def writer(name, ready, go, done):
    shm = shared_memory.SharedMemory(name=name)
    chunk = pattern()
    buf = shm.buf
    ready.set()
    go.wait()
    for off in range(0, shm.size, CHUNK):
        end = min(off + CHUNK, shm.size)
        buf[off:end] = chunk[: end - off]
    done.set()
    del buf
    shm.close()


def shm_transfer(size):
    shm = shared_memory.SharedMemory(create=True, size=size)
    try:
        chunk = pattern()
        ready, go, done = mp.Event(), mp.Event(), mp.Event()
        child = mp.Process(target=writer, args=(shm.name, ready, go, done))
        child.start()
        ready.wait()
        t0 = time.perf_counter()
        go.set()
        done.wait()
        buf = shm.buf
        for off in range(0, size, CHUNK):
            end = min(off + CHUNK, size)
            # bytes(view) == bytes: one copy out of the block and a memcmp, the fastest
            # plain-Python full read (a memoryview == bytes compares element by element).
            if bytes(buf[off:end]) != chunk[: end - off]:
                raise SystemExit(f"wrong bytes in [{off}, {end})")
        elapsed = time.perf_counter() - t0
        del buf
        child.join()
    finally:
        shm.close()
        shm.unlink()
    return size / elapsed, "B/s", {"gbPerSecond": size / elapsed / 1e9}


def lock_rounds(lock, count):
    for _ in range(count):
        lock.acquire()
        lock.release()


def lock(n):
    # One process, a free multiprocessing.Lock(): plain acquire() + release(), n times
    # (acquire() on a free lock takes it at once). An untimed warm-up of n/10 rounds first.
    lk = mp.Lock()
    warm_up = -(-n // 10)
    lock_rounds(lk, warm_up)
    t0 = time.perf_counter()
    lock_rounds(lk, n)
    elapsed = time.perf_counter() - t0
    if not lk.acquire(False):
        raise SystemExit("the lock is still held after the last release()")
    lk.release()
    return n / elapsed, "ops/s", {"nsPerRound": elapsed * 1e9 / n, "warmUp": warm_up}


def ponger(ping, pong, ready, rounds, answered):
    ready.set()
    count = 0
    for i in range(rounds):
        ping.wait()
        # The parent clears pong after seeing it and before its next ping.
        if pong.is_set():
            raise SystemExit(f"round {i}: pong is still set when ping came")
        ping.clear()  # before answering, so the parent's next set is a new one
        pong.set()
        count += 1
    answered.put(count)


def last_cpu(pid):
    # The CPU a process last ran on (field 39 of /proc/<pid>/stat), None where there is no /proc.
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split(" ")[36])


def time_rounds(child, play, warm_up, n, block):
    # As bench/measure/timed-rounds.ts: warm_up untimed rounds, then n timed in
    # blocks, noting between blocks (outside the timing) whether both processes
    # last ran on one CPU. Returns µs per round and that share (None without /proc).
    samples = []

    def sample():
        mine, theirs = last_cpu("self"), last_cpu(child.pid)
        if mine is not None and theirs is not None:
            samples.append(mine == theirs)

    play(warm_up)
    elapsed = 0.0
    left = n
    while left > 0:
        sample()
        t0 = time.perf_counter()
        play(min(block, left))
        elapsed += time.perf_counter() - t0
        left -= block
    sample()
    return elapsed / n * 1e6, (sum(samples) / len(samples) if samples else None)


def event_pingpong(n):
    # The parent does ping.set(); pong.wait(); pong.clear(), the child
    # ping.wait(); ping.clear(); pong.set(): 1000 untimed warm-up rounds, then n
    # timed, in blocks of 1000 with where both processes last ran noted between
    # them, outside the timing (sameCpuShare, as bench/measure/event-pingpong.ts).
    block = 1000
    warm_up = min(block, n)
    ping, pong, ready = mp.Event(), mp.Event(), mp.Event()
    answered = mp.SimpleQueue()
    child = mp.Process(target=ponger, args=(ping, pong, ready, warm_up + n, answered))
    child.start()
    ready.wait()
    rounds = 0

    def play(count):
        nonlocal rounds
        for _ in range(count):
            ping.set()
            pong.wait()
            if ping.is_set():  # the child clears ping before it sets pong
                raise SystemExit(f"round {rounds}: ping is still set after pong")
            pong.clear()
            rounds += 1

    us, same = time_rounds(child, play, warm_up, n, block)
    child_rounds = answered.get()
    child.join()
    if rounds != warm_up + n or child_rounds != warm_up + n:
        raise SystemExit(f"rounds: this process {rounds}, the child {child_rounds}, expected {warm_up + n}")
    return us, "µs", {"rounds": n, "warmUp": warm_up, "sameCpuShare": same}


def barrier_waiter(barrier, ready, rounds, answered):
    ready.set()
    indices = bytearray(rounds)
    for i in range(rounds):
        indices[i] = barrier.wait()
    answered.put(bytes(indices))


def barrier_2(n):
    # The parent and a forked child each call barrier.wait() on one
    # Barrier(2), once per round: 1000 untimed warm-up rounds, then n timed, in
    # blocks of 1000 with where both processes last ran noted between them,
    # outside the timing (sameCpuShare, as bench/measure/barrier-wait.ts). In
    # every round one of the two must get arrival index 0 and the other 1.
    block = 1000
    warm_up = min(block, n)
    total = warm_up + n
    barrier, ready = mp.Barrier(2), mp.Event()
    answered = mp.SimpleQueue()
    child = mp.Process(target=barrier_waiter, args=(barrier, ready, total, answered))
    child.start()
    ready.wait()
    indices = bytearray(total)
    rounds = 0

    def play(count):
        nonlocal rounds
        for _ in range(count):
            indices[rounds] = barrier.wait()
            rounds += 1

    us, same = time_rounds(child, play, warm_up, n, block)
    theirs = answered.get()
    child.join()
    if rounds != total or len(theirs) != total:
        raise SystemExit(f"rounds: this process {rounds}, the child {len(theirs)}, expected {total}")
    for i in range(total):
        if {indices[i], theirs[i]} != {0, 1}:
            raise SystemExit(f"round {i}: arrival indices {indices[i]} (this process) and {theirs[i]} (the child)")
    first = sum(1 for i in indices[warm_up:] if i == 0) / n
    return us, "µs", {"rounds": n, "warmUp": warm_up, "sameCpuShare": same, "parentFirstShare": first}


SCENARIOS = {
    "value-lock": value_lock,
    "lock": lock,
    "shm-transfer": shm_transfer,
    "event-pingpong": event_pingpong,
    "barrier-2": barrier_2,
}

if __name__ == "__main__":
    mp.set_start_method("fork")
    scenario, n = sys.argv[1], int(sys.argv[2])
    value, unit, detail = SCENARIOS[scenario](n)
    print(json.dumps({"scenario": scenario, "value": value, "unit": unit, "detail": detail, "python": platform.python_version()}))
