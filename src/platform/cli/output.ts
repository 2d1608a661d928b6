import { SingleBar } from 'cli-progress';
import { AppError, isAppError } from '../errors/app-error.ts';

/** How a command prints: text for people, or one JSON document with --json. */
export interface Output {
  json: boolean;
}

/** Prints `text`, or `json` as one line when the command was given --json. */
export function print(out: Output, text: string, json: unknown): void {
  process.stdout.write(out.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
}

/** The AppError an error stands for (unknown errors become INTERNAL, first message line only). */
export function asAppError(error: unknown): AppError {
  return isAppError(error) ? error : new AppError('INTERNAL', `internal error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
}

/** Prints one readable line (or one JSON object) to stderr and exits with the catalogue's exit code. */
export function fail(error: unknown, out: Output): never {
  const appError = asAppError(error);
  process.stderr.write(
    out.json ? `${JSON.stringify({ error: { code: appError.code, message: appError.message } })}\n` : `confidant: ${appError.message}\n`,
  );
  process.exit(appError.exitCode);
}

/**
 * A progress reporter for long work: a bar with rate and ETA on a terminal, one line per update
 * otherwise (logs and pipes), nothing with --json.
 */
export function progressReporter(out: Output, label: string, options: { quietWhenPiped?: boolean } = {}): { update(done: number, total: number): void; stop(): void } {
  if (out.json || (options.quietWhenPiped && !process.stderr.isTTY)) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} {percentage}% | {speed}/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true });
    let started = false;
    const t0 = Date.now();
    return {
      update(done, total) {
        if (!started) bar.start(total, 0, { speed: '0' });
        started = true;
        bar.setTotal(total);
        bar.update(done, { speed: Math.round(done / Math.max(0.001, (Date.now() - t0) / 1000)).toString() });
      },
      stop: () => started && bar.stop(),
    };
  }
  return {
    update: (done, total) => process.stderr.write(`${label}: ${done}/${total}\n`),
    stop() {},
  };
}
