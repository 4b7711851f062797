import { cacheCompiledCode } from './compile-cache';
import { surviveClosedPipes } from './closed-pipes';

cacheCompiledCode(process.env);
surviveClosedPipes(process.stdout, process.stderr);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.once('SIGINT', () => {
  process.stderr.write('\nInterrupted. Run the same command again to resume where it stopped.\n');
  process.exit(130);
});
// Imported once the cache is on, so that the code it compiles is kept.
const { main } = await import('./main');
process.exitCode = await main(process.argv.slice(2));
