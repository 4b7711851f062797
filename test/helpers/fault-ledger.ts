import { appendFileSync } from 'node:fs';

/** One row of the fault table: a fault, how often it was injected, and what it did to the files. */
export interface FaultRecord {
  fault: string;
  injected: number;
  filesAffected: number;
  lost: number;
  corrupted: number;
}

/** Appends a row to the ledger `npm run test:faults` prints (HOIST_FAULT_LEDGER); a no-op without it. */
export function recordFault(record: FaultRecord | AbuseRecord): void {
  const ledger = process.env.HOIST_FAULT_LEDGER;
  if (ledger) appendFileSync(ledger, `${JSON.stringify(record)}\n`);
}

/** One row of the abuse table: an attack, how many attempts, and how many were refused (must be all). */
export interface AbuseRecord {
  abuse: string;
  attempts: number;
  refused: number;
  by: string;
}
