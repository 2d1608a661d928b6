// A worker for pool.test.ts: answers after a delay, or spins forever; records that it was stopped.
import { writeFileSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { serveTasks } from './pool.ts';

const { marker } = workerData as { marker: string };
serveTasks(
  async (task: { ms: number; spin?: boolean }) => {
    if (task.spin) for (;;);
    await new Promise((resolve) => setTimeout(resolve, task.ms));
    return task.ms;
  },
  { stop: () => writeFileSync(marker, 'stopped') },
);
