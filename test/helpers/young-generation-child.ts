import { getHeapSpaceStatistics } from 'node:v8';
import { capYoungGeneration } from '../../src/engine/young-generation';

// Allocates as a big push does: many short-lived objects, a third of them kept, a turn of the event loop
// between rounds. Prints the young generation's largest size in MB. Argument: the cap in MB, or none.

const cap = process.argv[2];
if (cap !== 'none') capYoungGeneration(Number(cap));
const youngMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size / 2 ** 20;
const kept: string[] = [];
let largest = 0;
for (let round = 0; round < 40; round++) {
  for (let i = 0; i < 30_000; i++) {
    const entry = { key: `folder/file-${round}-${i}`, parts: [round, i], meta: { size: i } };
    if (i % 3 === 0) kept.push(entry.key);
  }
  largest = Math.max(largest, youngMb());
  await new Promise((resolve) => setImmediate(resolve));
}
console.log(largest);
