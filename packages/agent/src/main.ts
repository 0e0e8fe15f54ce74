#!/usr/bin/env node
// Entry point of `borealis-agent`: runs the command line with the process's stdio and signals
// (SIGTERM/SIGINT → graceful stop), then exits with the command's status.
import { run, type ProgramIo } from './program.js';

const stopHandlers: (() => void)[] = [];
let stopping = false;
const onSignal = (sig: NodeJS.Signals) => {
  if (stopping) {
    process.stderr.write(`received ${sig} again; exiting now\n`);
    process.exit(130);
  }
  stopping = true;
  for (const h of stopHandlers) h();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
process.on('unhandledRejection', (reason) => {
  process.stderr.write(
    `unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}\n`,
  );
});

const io: ProgramIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  onStop: (h) => stopHandlers.push(h),
};

process.exitCode = await run(process.argv, io);
// Anything still holding the event loop after a finished command (sockets being torn down) must
// not keep the process alive.
process.exit();
