import { cacheCompiledCode } from './compile-cache';
import { surviveClosedPipes } from './closed-pipes';

cacheCompiledCode(process.env);
surviveClosedPipes(process.stdout, process.stderr);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.once('SIGINT', () => {
  process.stderr.write('\nInterrupted. Run the same command again to resume where it stopped.\n');
  process.exit(130);
});
// A push's threads boot on another core while the rest of the CLI loads (imported once the cache is on,
// so that the code it compiles is kept, as is the rest). A dry run hashes nothing; a flag read wrong here
// only starts a thread for nothing. A push's heap is capped as it starts, before it grows.
const [command, ...args] = process.argv.slice(2);
if (command === 'push') {
  const [{ startThreadsAhead }, { capYoungGeneration }] = await Promise.all([
    import('../engine/threads-ahead'),
    import('../engine/young-generation'),
  ]);
  capYoungGeneration();
  startThreadsAhead({ hashes: !args.some((arg) => arg === '--dry-run' || arg === '-n') });
}
const { main } = await import('./main');
process.exitCode = await main(process.argv.slice(2));
