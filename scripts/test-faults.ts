// `npm run test:faults`: runs the fault and abuse suites (test/faults/, and the suites elsewhere that
// record abuse rows: sign-in, scoped credentials, shared limits) with a ledger, then prints what was
// injected and what it did: files lost or corrupted must be 0, every abuse attempt refused.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Row {
  fault?: string;
  injected?: number;
  filesAffected?: number;
  lost?: number;
  corrupted?: number;
  abuse?: string;
  attempts?: number;
  refused?: number;
  by?: string;
}

const ledger = join(tmpdir(), `hoist-fault-ledger-${process.pid}.jsonl`);
rmSync(ledger, { force: true });
/** Suites outside test/faults/ whose cases are rows of the abuse table. */
const ALSO = [
  'test/cli/login.test.ts',
  'test/signer/oidc.test.ts',
  'test/signer/scoped-credentials.test.ts',
  'test/signer/shared-limits.test.ts',
];
const run = spawnSync('npx', ['vitest', 'run', 'test/faults', ...ALSO, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, HOIST_FAULT_LEDGER: ledger },
});
const rows: Row[] = existsSync(ledger)
  ? readFileSync(ledger, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Row)
  : [];

/** Prints rows as a plain-text table with right-aligned numbers. */
function table(headers: string[], body: (string | number)[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) =>
    cells
      .map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const faults = new Map<string, Required<Pick<Row, 'injected' | 'filesAffected' | 'lost' | 'corrupted'>>>();
for (const row of rows.filter((r) => r.fault)) {
  const sum = faults.get(row.fault!) ?? { injected: 0, filesAffected: 0, lost: 0, corrupted: 0 };
  sum.injected += row.injected!;
  sum.filesAffected += row.filesAffected!;
  sum.lost += row.lost!;
  sum.corrupted += row.corrupted!;
  faults.set(row.fault!, sum);
}
const abuses = rows.filter((r) => r.abuse);
console.log('\nFaults');
console.log(
  table(
    ['fault', 'injected', 'files affected', 'lost', 'corrupted'],
    [...faults].map(([fault, s]) => [fault, s.injected, s.filesAffected, s.lost, s.corrupted]),
  ),
);
console.log('\nAbuse');
console.log(
  table(
    ['abuse', 'attempts', 'refused', 'by'],
    abuses.map((r) => [r.abuse!, r.attempts!, r.refused!, r.by!]),
  ),
);
const lost = [...faults.values()].reduce((n, s) => n + s.lost + s.corrupted, 0);
const accepted = abuses.reduce((n, r) => n + r.attempts! - r.refused!, 0);
console.log(`\nFiles lost or corrupted: ${lost}. Abuse attempts not refused: ${accepted}.`);
rmSync(ledger, { force: true });
process.exit(run.status !== 0 || lost > 0 || accepted > 0 || !rows.length ? 1 : 0);
