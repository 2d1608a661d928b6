#!/usr/bin/env node
// Entry point of the `confidant` command. Confidant's TypeScript runs directly on Node 24's type
// stripping; older Nodes cannot run it, so say so in one line instead of a stack trace.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `confidant: Node.js 24 or later is required (this is ${process.versions.node}); run it through npm (npm start, npx confidant), which uses the Node 24 the project pins\n`,
  );
  process.exit(2);
}
// A bulk import keeps a small heap: left alone, V8 lets garbage reach hundreds of megabytes before it
// collects. Heap limits cannot be changed once running, so the process replaces itself (same pid, so a
// signal or kill -9 still reaches the import) with the limits set.
const HEAP = '--max-old-space-size';
if (process.argv[2] === 'clients' && process.argv[3] === 'import' && !process.execArgv.some((a) => a.startsWith(HEAP)) && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, `${HEAP}=128`, '--max-semi-space-size=8', ...process.execArgv, ...process.argv.slice(1)], process.env);
}
await import('../src/main/cli.ts');
