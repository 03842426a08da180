#!/usr/bin/env node
/**
 * The lab's kube stand-in process (kube-agent.ts), started by `lab up` on the host:
 *
 *   node kube-main.js --name NAME [--root DIR]
 */
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { systemClock } from '../../lib/clock.js';
import { createLogger } from '../../lib/logger.js';
import { GobgpRouter } from '../routers/gobgp-router.js';
import { KubeAgent } from './kube-agent.js';
import { defaultLabRoot, planLab } from './lab-plan.js';
import { labNetwork, labRouter } from './lab-router.js';
import { readLabState } from './lab-state.js';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { name: { type: 'string', default: 'lab' }, root: { type: 'string', default: defaultLabRoot } } });
  const probe = planLab({ name: values.name, nodes: 1, router: 'none' }, values.root);
  const state = readLabState(probe.paths.state);
  if (state === undefined) throw new Error(`no lab state in ${probe.paths.state}`);
  const plan = planLab({ name: state.name, nodes: state.nodes, router: state.router }, values.root);
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(plan.paths.kubeconfig);
  const logger = createLogger({ name: 'lab-kube' });
  const router = labRouter(plan, labNetwork(plan));
  const agent = new KubeAgent({
    kubeConfig, plan, clock: systemClock, logger,
    ...(router instanceof GobgpRouter ? { syncRouterFib: () => router.syncKernel() } : {}),
  });
  agent.start();
  logger.info({ lab: plan.name }, 'ready');
  const stop = (): void => { void agent.stop().then(() => process.exit(0)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`lab kube stand-in: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
