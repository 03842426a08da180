// `metallb-ts plan -f FILE|DIR|- [-f ...] [-o json|table]`: the allocation the controller would make at start.
import type { Command } from 'commander';
import { errorMessage } from '../lib/errors.js';
import { readInputs, readStdinSync } from '../lib/input-files.js';
import { defaultNamespace } from '../config/load.js';
import { planSources, type PlanFormat, type PlanOptions } from '../controller/plan-report.js';

export interface PlanIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly readStdin: () => string;
}

/** The whole command; returns the exit code (0 planned, 1 invalid input, 2 unreadable). Never throws. */
export function runPlan(files: readonly string[], options: PlanOptions, io: PlanIo): number {
  try {
    const report = planSources(readInputs(files, io.readStdin), options);
    for (const line of report.stderr) io.stderr(line);
    for (const line of report.stdout) io.stdout(line);
    return report.exitCode;
  } catch (err) {
    io.stderr(errorMessage(err));
    return 2;
  }
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('preview the addresses the controller would give each Service (MetalLB objects, Services and Namespaces from files)')
    .requiredOption('-f, --filename <path>', 'file, directory or - (repeatable)', collect)
    .option('-o, --output <format>', 'json or table', 'table')
    .option('-n, --namespace <name>', 'the MetalLB namespace', defaultNamespace)
    .option('--lb-class <class>', 'the controller\'s --lb-class: only Services of this loadBalancerClass', '')
    .action((opts: { filename: string[]; output: string; namespace: string; lbClass: string }) => {
      if (opts.output !== 'json' && opts.output !== 'table') {
        process.stderr.write(`plan: --output must be json or table, not "${opts.output}"\n`);
        process.exitCode = 2;
        return;
      }
      // `plan ... | head` closes the pipe early: that is not an error worth a stack trace.
      for (const stream of [process.stdout, process.stderr]) {
        stream.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
          throw err;
        });
      }
      process.exitCode = runPlan(opts.filename, { output: opts.output as PlanFormat, namespace: opts.namespace, loadBalancerClass: opts.lbClass }, {
        stdout: (line) => process.stdout.write(`${line}\n`),
        stderr: (line) => process.stderr.write(`${line}\n`),
        readStdin: readStdinSync,
      });
    });
}
