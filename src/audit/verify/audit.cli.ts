import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type Output, print, progressReporter } from '../../platform/cli/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { decodeLeaf } from '../log/index.ts';
import { clientAccessLog, proveConsistency, proveInclusion } from '../report/index.ts';
import type { AuditLog, TreeHead } from '../log/index.ts';
import { type AccessContext, actorOf } from '../log/index.ts';
import { verifyLog } from './audit.verify.ts';
import { type ErasureEntry, parseHead, readHeadsDir } from '../heads/index.ts';

/** What audit commands get from the composition root. */
export interface AuditCommandContext {
  audit: AuditLog;
  /** Resolves the organisation (only commands about a client need one). */
  orgId(): Promise<string>;
  actor: AccessContext;
  /** The SQLite file, when that is the engine (verify reads it from worker threads). */
  sqliteFile?: string | undefined;
  /** The client ids each erasure ledger holds (data database, key store). */
  erasureLedgers(): Promise<{ data: Set<string>; keyStore: Set<string> }>;
}

export type WithAudit = (options: { json?: boolean; data?: string; org?: string }, work: (ctx: AuditCommandContext, out: Output) => Promise<void>) => Promise<void>;

function readHead(file: string): TreeHead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AppError('VALIDATION_FAILED', `${file} is not a tree head (JSON from confidant audit head --json)`);
  }
  return parseHead(text, file);
}

/**
 * `audit verify`'s exit code when the log failed verification. No other failure exits with it:
 * unexpected errors exit with INTERNAL's code, usage errors with 2 (see src/main/cli.ts).
 */
export const TAMPERED_EXIT = 1;

const integer = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new AppError('VALIDATION_FAILED', `${flag} must be a whole number`);
  return n;
};

/**
 * Reads the heads directory for `verify --heads`. An empty one is refused: it is far more likely the
 * wrong directory than a deployment that never signed a head.
 * @throws AppError VALIDATION_FAILED naming a malformed file, or when no head file is there.
 */
async function readExported(dir: string): Promise<Awaited<ReturnType<typeof readHeadsDir>>> {
  const exported = await readHeadsDir(dir);
  if (exported.heads.length === 0) throw new AppError('VALIDATION_FAILED', `${dir} holds no head-<size>.json file: is it the heads directory (CONFIDANT_HEADS_DIR)?`);
  return exported;
}

/**
 * Exported erasure-ledger entries that a ledger no longer holds. An entry missing from both ledgers is
 * an erasure that replaying the ledger would no longer enforce: a backup from before it, restored,
 * would bring the client back. Ids only.
 */
function missingErasures(files: ReadonlyArray<{ file: string; entries: ErasureEntry[] }>, ledgers: { data: Set<string>; keyStore: Set<string> }) {
  const ids = [...new Set(files.flatMap((f) => f.entries.map((e) => e.client_id)))].sort();
  const missing = ids.filter((id) => !ledgers.data.has(id) || !ledgers.keyStore.has(id));
  const fromData = missing.filter((id) => !ledgers.data.has(id)).length;
  const fromKeys = missing.filter((id) => !ledgers.keyStore.has(id)).length;
  const shown = missing.slice(0, 20).join(', ') + (missing.length > 20 ? `, and ${missing.length - 20} more (--json lists all)` : '');
  const text =
    ids.length === 0
      ? 'No erasure has been exported to the heads directory yet.'
      : missing.length === 0
      ? `The erasure ledgers hold all ${ids.length} erased client(s) exported to the heads directory.`
      : `The erasure ledger FAILED: ${missing.length} of ${ids.length} erased client id(s) exported to the heads directory are missing (from the data database's ledger: ${fromData}, from the key store's: ${fromKeys}), so restoring an older backup could bring them back: ${shown}.`;
  return { exported: ids.length, missing, text };
}

/** `confidant audit verify | head | public-key | export | prove | report`. */
export function registerAuditCommands(program: Command, withAudit: WithAudit): void {
  const audit = program.command('audit').description('verify, export and prove the tamper-evident audit log');
  const common = (c: Command) => c.option('--data <dir>', 'data directory').option('--json', 'print JSON');

  common(
    audit
      .command('verify')
      .description('recompute every event and the Merkle tree offline, read-only; exit 1 naming the first bad event')
      .option('--head <file>', 'a tree head exported earlier: also detect truncation or rewriting behind it')
      .option('--heads <dir>', 'the heads directory (CONFIDANT_HEADS_DIR): check the log against every head exported there, and that exported erasures are still in the ledgers'),
  ).action((options: { head?: string; heads?: string; json?: boolean; data?: string }) =>
    withAudit(options, async ({ audit, sqliteFile, erasureLedgers }, out) => {
      // Verification must not disturb what it verifies: no sequencing, no event, no head — not even
      // when the deployment closes after this command.
      audit.readOnly();
      const head = options.head ? readHead(options.head) : undefined;
      const exported = options.heads ? await readExported(options.heads) : undefined;
      const progress = progressReporter(out, 'verifying', { quietWhenPiped: true });
      const result = await verifyLog(audit.db, { macKey: audit.macKey, publicKey: audit.publicKey.key }, {
        ...(head ? { head } : {}),
        ...(exported ? { heads: exported.heads.map((h) => ({ head: h.head, label: h.file })) } : {}),
        ...(sqliteFile ? { sqliteFile } : {}),
        progress: (done, total) => progress.update(done, total),
      });
      progress.stop();
      const erasures = exported ? missingErasures(exported.erasures, await erasureLedgers()) : undefined;
      const queued = result.queued > 0 ? `\n${result.queued} event(s) are queued and not sequenced yet, so not part of the log and not verified: the server sequences them within a second, or run confidant audit head first.` : '';
      const lines = [
        result.ok
          ? `The audit log is intact: ${result.size} events, root ${result.root}, ${result.headsChecked} signed head(s) checked${exported ? ` (${exported.heads.length} from ${options.heads})` : ''}.${queued}`
          : `The audit log FAILED verification at event ${result.problem!.index}: ${result.problem!.message}.${queued}`,
      ];
      if (erasures) lines.push(erasures.text);
      const ok = result.ok && (!erasures || erasures.missing.length === 0);
      print(out, lines.join('\n'), { ...result, ok, ...(erasures ? { erasures: { exported: erasures.exported, missing: erasures.missing } } : {}) });
      if (!ok) process.exitCode = TAMPERED_EXIT;
    }),
  );

  common(audit.command('head').description('sign a tree head now if the log grew, and print the newest')).action((options: { json?: boolean; data?: string }) =>
    withAudit(options, async ({ audit }, out) => {
      const head = await audit.signHead();
      if (!head) throw new AppError('NOT_FOUND', 'the audit log is empty: nothing to sign yet');
      print(out, Object.entries(head).map(([k, v]) => `${k}: ${v}`).join('\n'), head);
    }),
  );

  common(audit.command('public-key').description('print the Ed25519 public key (SPKI PEM) that verifies tree heads')).action((options: { json?: boolean; data?: string }) =>
    withAudit(options, async ({ audit }, out) => {
      const pem = audit.publicKey.key.export({ format: 'pem', type: 'spki' }).toString();
      print(out, pem.trimEnd(), { key_id: audit.publicKey.keyId, public_key: pem });
    }),
  );

  common(audit.command('export').description('print every event, one JSON object per line, with its exact leaf bytes and hash').option('--format <format>', 'jsonl (the only format)', 'jsonl')).action(
    (options: { format: string; json?: boolean; data?: string }) =>
      withAudit(options, async ({ audit, actor }) => {
        if (options.format !== 'jsonl') throw new AppError('VALIDATION_FAILED', '--format must be jsonl');
        await audit.record({ time: Date.now(), orgId: null, ...actorOf(actor), action: 'audit.export', recordType: null, recordIds: [], fields: [], outcome: 'allowed' });
        await audit.sequence();
        for (let from = 0; ; ) {
          const rows = await audit.leavesFrom(from, 10_000);
          if (rows.length === 0) break;
          const lines = rows.map((r) =>
            JSON.stringify({ index: r.idx, leaf: Buffer.from(r.leaf).toString('base64'), leaf_hash: Buffer.from(r.leaf_hash).toString('hex'), event: decodeLeaf(r.leaf) }),
          );
          process.stdout.write(`${lines.join('\n')}\n`);
          from = rows[rows.length - 1]!.idx + 1;
        }
      }),
  );

  common(
    audit
      .command('prove')
      .description('print an RFC 6962 inclusion proof (--index N [--size M]) or consistency proof (--consistency A B)')
      .option('--index <n>', 'event index')
      .option('--size <m>', 'tree size (default: the whole log)')
      .option('--consistency <sizes...>', 'two tree sizes A B'),
  ).action((options: { index?: string; size?: string; consistency?: string[]; json?: boolean; data?: string }) =>
    withAudit(options, async ({ audit }, out) => {
      await audit.sequence();
      if (options.consistency) {
        if (options.consistency.length !== 2) throw new AppError('VALIDATION_FAILED', '--consistency takes two tree sizes');
        const proof = await proveConsistency(audit, integer('--consistency', options.consistency[0])!, integer('--consistency', options.consistency[1])!);
        print(out, JSON.stringify(proof, null, 2), proof);
        return;
      }
      const index = integer('--index', options.index);
      if (index === undefined) throw new AppError('VALIDATION_FAILED', 'give --index N or --consistency A B');
      const proof = await proveInclusion(audit, index, integer('--size', options.size));
      print(out, JSON.stringify(proof, null, 2), proof);
    }),
  );

  common(audit.command('report').description('who looked at a client record: who, when, which parts, why').requiredOption('--client <id>', 'client id').option('--org <id>', 'organisation (default: the only one)')).action(
    (options: { client: string; json?: boolean; data?: string; org?: string }) =>
      withAudit(options, async ({ audit, orgId, actor }, out) => {
        const entries = await clientAccessLog(audit, actor, await orgId(), options.client);
        const text = entries.length === 0 ? 'No recorded access.' : entries.map((e) => `${e.time}  ${e.who.name ?? `${e.who.type} ${e.who.id ?? ''}`.trim()}${e.who.role ? ` (${e.who.role})` : ''}  ${e.action}  ${e.parts.join(', ') || '-'}${e.why ? `  why: ${e.why}` : ''}  ${e.outcome}`).join('\n');
        print(out, text, entries);
      }),
  );
}
