import { surviveClosedPipes } from './closed-pipes';
import { main } from './main';

surviveClosedPipes(process.stdout, process.stderr);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.once('SIGINT', () => {
  process.stderr.write('\nInterrupted. Run the same command again to resume where it stopped.\n');
  process.exit(130);
});
process.exitCode = await main(process.argv.slice(2));
