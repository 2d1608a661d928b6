/**
 * fflate as the spreadsheet worker sees it (web/vite.config.ts points the worker bundle's `fflate`
 * here): the same library, except that `unzip` unzips on the calling thread. fflate's own `unzip`
 * starts a Worker from a blob: URL for any entry over 512 KB — a large sheet's XML — which the CSP
 * (`script-src 'self'`, no blob:) refuses, and the refusal never reaches its callback, so the read
 * would hang. The caller is already a worker of its own, so the page loses nothing by this.
 */
import { type AsyncTerminable, type AsyncUnzipOptions, type FlateError, type UnzipCallback, type Unzipped, unzipSync } from 'fflate';

export * from 'fflate';

export function unzip(data: Uint8Array, opts: AsyncUnzipOptions | UnzipCallback, cb?: UnzipCallback): AsyncTerminable {
  const callback = typeof opts === 'function' ? opts : cb!;
  const options = typeof opts === 'function' ? {} : opts;
  let files: Unzipped;
  try {
    files = unzipSync(data, options);
  } catch (error) {
    // Called back later, as fflate's own unzip always does.
    queueMicrotask(() => callback(error as FlateError, {}));
    return () => undefined;
  }
  queueMicrotask(() => callback(null, files));
  return () => undefined;
}
