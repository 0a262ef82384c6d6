/** How long `taskwire demo` takes end to end (goal: under a minute), next to the sandbox alone as floor. */
import { runCli } from '../src/cli.js';
import { runDemo } from '../src/sandbox/demo.js';
import { startSandbox } from '../src/sandbox/sandbox.js';
import { report, time } from './harness.js';

export async function benchDemo(): Promise<void> {
  const floor = await time(async () => (await startSandbox()).stop());
  let lines = 0;
  const run = await time(() => runDemo({ cli: runCli, out: (t) => void (lines += t.split('\n').length - 1) }));
  report('demo: taskwire demo end to end', [
    { name: 'floor: start and stop the four fakes', value: floor.ms, unit: 'ms' },
    { name: 'the whole demo (two cycles, report, files)', value: run.ms / 1000, unit: 's', goal: '< 60 s', met: run.ms < 60_000 && run.result.exitCode === 0 },
    { name: 'lines printed', value: lines, unit: 'lines' },
  ]);
}
