/**
 * A small benchmark harness: run a workload for a fixed count after a warm-up, report operations per
 * second, and print a table whose last line is a ratio against a baseline measured in the same
 * process (so machine speed cancels out). No timed assertions: benchmarks report, they do not fail.
 */
export interface Result {
  name: string;
  ops: number;
  seconds: number;
  opsPerSecond: number;
}

/** Runs `fn(i)` `count` times (awaited) after `warmup` untimed runs. */
export async function measure(name: string, count: number, fn: (i: number) => unknown, warmup = Math.ceil(count / 10)): Promise<Result> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await fn(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, ops: count, seconds, opsPerSecond: count / seconds };
}

/** Prints the results as a table, then `ratioLine` as the last line. */
export function printTable(title: string, results: Result[], ratioLine: string): void {
  const rows = results.map((r) => [r.name, String(r.ops), r.seconds.toFixed(3), Math.round(r.opsPerSecond).toLocaleString('en-US')]);
  const header = ['case', 'ops', 'seconds', 'ops/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  process.stdout.write(`${ratioLine}\n`);
}

/** `a ÷ b` formatted as a ratio, e.g. "0.93×". */
export function ratio(a: Result | undefined, b: Result | undefined): string {
  return a && b ? `${(a.opsPerSecond / b.opsPerSecond).toFixed(2)}×` : 'n/a';
}
