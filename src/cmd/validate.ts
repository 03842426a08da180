// `metallb-ts validate -f FILE|DIR|- [-f ...]`: offline check of MetalLB objects with the controller's rules.
import type { Command } from 'commander';
import { errorMessage } from '../lib/errors.js';
import { readInputs, readStdinSync } from '../lib/input-files.js';
import { defaultNamespace } from '../config/load.js';
import { type ValidateOptions, validateSources } from '../config/validation-report.js';

export interface ValidateIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly readStdin: () => string;
}

/** The whole command; returns the exit code (0 valid, 1 invalid, 2 unreadable). Never throws. */
export function runValidate(files: readonly string[], options: ValidateOptions, io: ValidateIo): number {
  try {
    const sources = readInputs(files, io.readStdin);
    const report = validateSources(sources, options);
    for (const line of report.stderr) io.stderr(line);
    for (const line of report.stdout) io.stdout(line);
    return report.exitCode;
  } catch (err) {
    io.stderr(errorMessage(err));
    return 2;
  }
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check MetalLB objects (YAML or JSON files, a directory, or - for stdin) with the controller\'s rules')
    .requiredOption('-f, --filename <path>', 'file, directory or - (repeatable)', collect)
    .option('-n, --namespace <name>', 'the MetalLB namespace', defaultNamespace)
    .option('--partial', 'the input is not the whole configuration: missing Secrets, BFD profiles and community aliases are warnings')
    .action((opts: { filename: string[]; namespace: string; partial?: boolean }) => {
      // `validate ... | head` closes the pipe early: that is not an error worth a stack trace.
      for (const stream of [process.stdout, process.stderr]) {
        stream.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
          throw err;
        });
      }
      process.exitCode = runValidate(opts.filename, { namespace: opts.namespace, partial: opts.partial === true }, {
        stdout: (line) => process.stdout.write(`${line}\n`),
        stderr: (line) => process.stderr.write(`${line}\n`),
        readStdin: readStdinSync,
      });
    });
}
