import { runTrainCli } from './runTrain';

process.exitCode = await runTrainCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
