import { scanFolder } from '../../src/engine/pipeline/scan';

// Scans a tree the way a batch does and prints the count; run under /usr/bin/time for peak RSS.
let files = 0;
for await (const entry of scanFolder(process.argv[2]!)) if (entry.kind === 'file') files += 1;
console.log(files);
