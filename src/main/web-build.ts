import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { WEB_DIST } from '../platform/http/index.ts';

/** The install directory: where package.json, web/ and dist/web are. */
export const INSTALL_DIR = path.resolve(import.meta.dirname, '../..');

/**
 * Before `serve`: builds the web app when its built files are missing and the install directory is
 * writable (and Vite is installed); otherwise returns the one line to print. `npm install` builds it
 * already (the prepare script), so this runs only on an install that skipped or removed the build.
 * The build runs on this process's Node (24, like the npm scripts), never a `node` found on PATH.
 */
export function ensureWebApp(installDir = INSTALL_DIR, write: (line: string) => void = (line) => process.stdout.write(line)): 'present' | 'built' | 'missing' {
  if (existsSync(path.join(installDir, WEB_DIST, 'index.html'))) return 'present';
  const vite = path.join(installDir, 'node_modules/vite/bin/vite.js');
  const say = `The web app is not built, so only the API answers: run \`npm run build\` in ${installDir} (after \`npm install\`), then restart.\n`;
  if (!existsSync(vite) || !isWritable(installDir)) {
    write(say);
    return 'missing';
  }
  write('Building the web app (first start)…\n');
  const built = spawnSync(process.execPath, [vite, 'build', '-c', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: installDir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status === 0 && existsSync(path.join(installDir, WEB_DIST, 'index.html'))) return 'built';
  write(say);
  return 'missing';
}

function isWritable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
