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
await import('../src/main/cli.ts');
