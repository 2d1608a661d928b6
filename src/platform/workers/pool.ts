import { type ResourceLimits, Worker, parentPort } from 'node:worker_threads';

/** Tasks sent to a fixed set of worker threads, round robin; each answer matched to its task. */
export interface WorkerPool<T, R> {
  readonly size: number;
  run(task: T): Promise<R>;
  /** Tasks sent and not yet answered (running or queued). */
  pending(): number;
  /**
   * Stops every worker; tasks still waiting are abandoned. Each worker finishes the task it is in and
   * exits by itself (closing what it opened); only one still running after a grace period is
   * terminated. Terminating a thread in the middle of a node:sqlite call can abort the whole process.
   */
  close(): Promise<void>;
}

type Reply<R> = { id: number; result: R } | { id: number; error: string };
type Message<T> = { id: number; task: T } | { stop: true };

/** How long {@link WorkerPool.close} waits for a worker to finish its task and exit by itself. */
const STOP_GRACE_MS = 10_000;

/**
 * Starts `size` workers running `url` (whose module calls {@link serveTasks}). A worker that fails or
 * stops (other than by {@link WorkerPool.close}) fails every waiting task and every later one, so a
 * caller never waits on a dead thread. `failure` turns a worker's error text into the caller's error.
 */
export function workerPool<T, R>(url: URL, size: number, options: { workerData: unknown; resourceLimits?: ResourceLimits; failure: (message: string) => Error; stopGraceMs?: number }): WorkerPool<T, R> {
  const workers = Array.from({ length: size }, () => new Worker(url, { workerData: options.workerData, ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}) }));
  const waiting = new Map<number, { resolve: (r: R) => void; reject: (e: Error) => void }>();
  let broken: Error | null = null;
  let closing = false;
  const fail = (error: Error) => {
    broken ??= error;
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  };
  for (const worker of workers) {
    worker.on('message', (reply: Reply<R>) => {
      const entry = waiting.get(reply.id);
      waiting.delete(reply.id);
      if ('error' in reply) entry?.reject(options.failure(reply.error));
      else entry?.resolve(reply.result);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => !closing && fail(options.failure(`a worker thread stopped (exit code ${code})`)));
  }
  let next = 0;
  return {
    size,
    run: (task) =>
      new Promise<R>((resolve, reject) => {
        if (broken) return reject(broken);
        const id = next++;
        waiting.set(id, { resolve, reject });
        workers[id % size]!.postMessage({ id, task });
      }),
    pending: () => waiting.size,
    close: async () => {
      closing = true;
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.threadId === -1) return resolve();
              const timer = setTimeout(() => void worker.terminate().then(() => resolve()), options.stopGraceMs ?? STOP_GRACE_MS);
              worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              worker.postMessage({ stop: true } satisfies Message<T>);
            }),
        ),
      );
    },
  };
}

/**
 * The worker side of {@link workerPool}: answers each task, one at a time, with `handle`'s result or
 * its error text. Asked to stop, it finishes the task in hand, runs `stop` (close the database) and
 * lets the thread end.
 */
export function serveTasks<T, R>(handle: (task: T) => R | Promise<R>, options: { stop?: () => void } = {}): void {
  let queue: Promise<void> = Promise.resolve();
  parentPort!.on('message', (message: Message<T>) => {
    queue = queue.then(async () => {
      if ('stop' in message) {
        options.stop?.();
        parentPort!.close();
        return;
      }
      try {
        parentPort!.postMessage({ id: message.id, result: await handle(message.task) });
      } catch (error) {
        parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
}
