import { unfinishedJournals } from '../../src/engine/run/journal';

// Finds the unfinished batches in a journal folder, as every push and every desktop start does; prints
// how many. Run under /usr/bin/time for wall time and peak RSS.
console.log(unfinishedJournals(process.argv[2]!).length);
