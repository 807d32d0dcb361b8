"""Python multiprocessing baselines for `npm run bench`.

Each scenario mirrors one rxmp measurement exactly (same items, same sizes,
setup excluded by a "go" signal) and prints one JSON line:
{"scenario": ..., "value": ..., "unit": ..., "python": "3.x.y"}.

    python3 bench/python/mp_baselines.py <scenario> <n>

Scenarios: queue-ints, queue-objects, pipe-oneway, pipe-pingpong, joinable-2, pool-imap-unordered,
pool-imap-unordered-chunked <chunksize>.
"""
import json
import multiprocessing as mp
import platform
import sys
import time


def item(i):
    # The same 10-field object the rxmp side sends (numbers, short strings, a nested list).
    return {
        "id": i, "name": f"item-{i}", "price": i * 1.5, "qty": i % 7, "active": i % 2 == 0,
        "tags": ["a", "b", "c"], "ts": 1700000000000 + i, "code": f"X{i % 100}", "ratio": 0.25, "note": "hello",
    }


def producer(q, ready, go, n, objects):
    ready.set()
    go.wait()
    if objects:
        for i in range(n):
            q.put(item(i))
    else:
        for i in range(n):
            q.put(i)


def queue_throughput(n, objects):
    q = mp.Queue(maxsize=100)
    ready, go = mp.Event(), mp.Event()
    p = mp.Process(target=producer, args=(q, ready, go, n, objects))
    p.start()
    ready.wait()
    t0 = time.perf_counter()
    go.set()
    for _ in range(n):
        q.get()
    elapsed = time.perf_counter() - t0
    p.join()
    return n / elapsed, "items/s"


def pipe_writer(conn, ready, go, n):
    ready.set()
    go.wait()
    for i in range(n):
        conn.send(i)
    conn.close()


def pipe_reader(conn, ready, results, n):
    ready.set()
    conn.recv()
    t0 = time.perf_counter()
    for _ in range(n - 1):
        conn.recv()
    results.put((n - 1) / (time.perf_counter() - t0))


def pipe_oneway(n):
    r, w = mp.Pipe(duplex=False)
    ready_r, ready_w, go = mp.Event(), mp.Event(), mp.Event()
    results = mp.SimpleQueue()
    reader = mp.Process(target=pipe_reader, args=(r, ready_r, results, n))
    writer = mp.Process(target=pipe_writer, args=(w, ready_w, go, n))
    reader.start()
    writer.start()
    r.close()
    w.close()
    ready_r.wait()
    ready_w.wait()
    go.set()
    rate = results.get()
    writer.join()
    reader.join()
    return rate, "messages/s"


def echo(conn, other):
    other.close()  # the forked child inherited the parent's end too; without this it never sees EOF
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        conn.send(msg)


def pipe_pingpong(n):
    a, b = mp.Pipe()
    p = mp.Process(target=echo, args=(b, a))
    p.start()
    b.close()
    for i in range(min(1000, n)):  # warm-up
        a.send(i)
        a.recv()
    t0 = time.perf_counter()
    for i in range(n):
        a.send(i)
        a.recv()
    elapsed = time.perf_counter() - t0
    a.close()
    p.join()
    return elapsed / n * 1e6, "µs"


def joinable_consumer(q, ready):
    ready.set()
    while True:
        x = q.get()
        q.task_done()
        if x is None:
            return


def joinable_2(n):
    q = mp.JoinableQueue(maxsize=100)
    readies = [mp.Event(), mp.Event()]
    consumers = [mp.Process(target=joinable_consumer, args=(q, r)) for r in readies]
    for c in consumers:
        c.start()
    for r in readies:
        r.wait()
    t0 = time.perf_counter()
    for i in range(n):
        q.put(i)
    q.join()
    elapsed = time.perf_counter() - t0
    for _ in consumers:
        q.put(None)
    for c in consumers:
        c.join()
    return n / elapsed, "items/s"


def pool_task(x):
    return x * 2


def pool_imap_unordered(n, chunksize=1):
    # The rxmp Pool rows' counterpart: 2 worker processes, `chunksize` tasks per message.
    with mp.Pool(2) as pool:
        pool.map(pool_task, [0, 1])  # workers started
        t0 = time.perf_counter()
        total = sum(pool.imap_unordered(pool_task, range(n), chunksize=chunksize))
        elapsed = time.perf_counter() - t0
    if total != n * (n - 1):
        raise RuntimeError(f"wrong results: {total}")
    return n / elapsed, "tasks/s"


SCENARIOS = {
    "queue-ints": lambda n: queue_throughput(n, False),
    "queue-objects": lambda n: queue_throughput(n, True),
    "pipe-oneway": pipe_oneway,
    "pipe-pingpong": pipe_pingpong,
    "joinable-2": joinable_2,
    "pool-imap-unordered": pool_imap_unordered,
    # The chunked rows' like-for-like counterpart: the same chunksize as the rxmp side (scenarios.ts POOL_CHUNK).
    "pool-imap-unordered-chunked": lambda n, chunksize: pool_imap_unordered(n, int(chunksize)),
}

if __name__ == "__main__":
    mp.set_start_method("fork")
    # scenario [its own arguments...] n
    scenario, extra, n = sys.argv[1], sys.argv[2:-1], int(sys.argv[-1])
    value, unit = SCENARIOS[scenario](n, *extra)
    print(json.dumps({"scenario": scenario, "value": value, "unit": unit, "python": platform.python_version()}))
