#!/usr/bin/env node
// The one CLI: `metallb-ts <command>`. Composition only; each command lives in its own file under cmd/.
import { Command } from 'commander';
import { registerExplain } from './explain.js';
import { registerLab } from './lab.js';
import { registerManifests } from './manifests.js';
import { registerPlan } from './plan.js';
import { registerController } from './controller.js';
import { registerSpeaker } from './speaker.js';
import { registerValidate } from './validate.js';
import { registerVersion } from './version.js';

const program = new Command('metallb-ts')
  .description('MetalLB-compatible load balancer for bare-metal Kubernetes')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerVersion(program);
registerValidate(program);
registerPlan(program);
registerController(program);
registerManifests(program);
registerSpeaker(program);
registerLab(program);
registerExplain(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`metallb-ts: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
