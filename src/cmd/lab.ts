/**
 * `metallb-ts lab ...`: a virtual bare-metal cluster in network namespaces (src/lab/cluster/). Wiring only:
 * flags, output and exit codes (0 done, 1 the operation failed, 2 it could not start: usage, environment).
 */
import { Option, type Command } from 'commander';
import { errorCode, errorMessage } from '../lib/errors.js';
import { readInputs, readStdinSync } from '../lib/input-files.js';
import { applySources, deleteSources } from '../lab/cluster/lab-apply.js';
import { kubeConfigFrom } from '../lab/cluster/lab-api.js';
import { labExec, labKill, labRevive } from '../lab/cluster/lab-control.js';
import { runDemo } from '../lab/cluster/lab-demo.js';
import { labDown } from '../lab/cluster/lab-down.js';
import { defaultLabOptions, defaultLabRoot, planLab, routerKinds, type LabPlan, type RouterChoice } from '../lab/cluster/lab-plan.js';
import { readLabState, type LabState } from '../lab/cluster/lab-state.js';
import { labStatus, statusText } from '../lab/cluster/lab-status.js';
import { labUp } from '../lab/cluster/lab-up.js';

const out = (line: string): void => { process.stdout.write(`${line}\n`); };
const err = (line: string): void => { process.stderr.write(`${line}\n`); };

interface NameFlags { name: string }

const environmentCodes = new Set(['ELABENV', 'EINVAL', 'ENOLAB', 'ELABEXISTS', 'input-unreadable']);

/**
 * Runs a subcommand body; errors become a message and an exit code. The process exits when the body is done:
 * a request to a frozen API server that timed out must not keep it alive (the lab's daemons are detached).
 */
function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    let code: number;
    try {
      code = (await fn(...args)) ?? 0;
    } catch (e) {
      err(`lab: ${errorMessage(e)}`);
      code = environmentCodes.has(errorCode(e) ?? '') ? 2 : 1;
    }
    process.exit(code);
  };
}

/** The plan and state of a lab that exists. */
function existing(name: string): { plan: LabPlan; state: LabState } {
  const probe = planLab({ ...defaultLabOptions, name }, defaultLabRoot);
  const state = readLabState(probe.paths.state);
  if (state === undefined) {
    const e = new Error(`no lab named "${name}" is up (start one with: sudo npx metallb-ts lab up${name === 'lab' ? '' : ` --name ${name}`})`);
    Object.assign(e, { code: 'ENOLAB' });
    throw e;
  }
  return { plan: planLab({ name, nodes: state.nodes, router: state.router }, defaultLabRoot), state };
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const nameOption = (): Option => new Option('--name <name>', 'the lab\'s name (several labs can run side by side)').default(defaultLabOptions.name);

function registerUpDown(lab: Command): void {
  lab.command('up')
    .description('build the lab: switch, nodes, router, client, outside host; API server, controller, speakers, web pods')
    .addOption(nameOption())
    .option('--nodes <n>', 'number of nodes', String(defaultLabOptions.nodes))
    .addOption(new Option('--router <daemon>', 'the router peering with every node').choices(routerKinds).default(defaultLabOptions.router))
    .action(action(async (o: NameFlags & { nodes: string; router: RouterChoice }) => {
      const { plan } = await labUp({ name: o.name, nodes: Number(o.nodes), router: o.router }, defaultLabRoot, out);
      out(`next: sudo npx metallb-ts lab demo | lab status | lab apply -f FILE | lab exec client -- curl http://IP/ (kubeconfig ${plan.paths.kubeconfig})`);
    }));
  lab.command('down')
    .description('remove everything the lab made: processes, namespaces, links, files')
    .addOption(nameOption())
    .action(action(async (o: NameFlags) => {
      const result = await labDown(o.name, defaultLabRoot, out);
      if (!result.found) out(`lab ${o.name}: nothing to remove`);
    }));
  lab.command('demo')
    .description('a guided tour: a pool, an L2Advertisement and a Service; the client reaches it; failover; BGP with ECMP')
    .addOption(nameOption())
    .addOption(new Option('--router <daemon>', 'the router, when the demo brings the lab up').choices(routerKinds.filter((r) => r !== 'none')).default('frr'))
    .action(action(async (o: NameFlags & { router: RouterChoice }) => runDemo({ name: o.name, nodes: 3, router: o.router }, defaultLabRoot, out)));
}

function registerObjects(lab: Command): void {
  const files = (verb: 'apply' | 'delete') => lab.command(verb)
    .description(verb === 'apply' ? 'create or update objects (MetalLB CRs, Services, ...) in the lab' : 'delete objects from the lab')
    .addOption(nameOption())
    .requiredOption('-f, --filename <path>', 'file, directory or - (repeatable)', collect)
    .action(action(async (o: NameFlags & { filename: string[] }) => {
      const { plan } = existing(o.name);
      const sources = readInputs(o.filename, readStdinSync);
      const kc = kubeConfigFrom(plan.paths.kubeconfig);
      const report = verb === 'apply' ? await applySources(kc, sources) : await deleteSources(kc, sources);
      for (const line of report.lines) out(line);
      for (const line of report.errors) err(line);
      return report.errors.length > 0 ? 1 : 0;
    }));
  files('apply');
  files('delete');
  lab.command('status')
    .description('hosts and addresses, Services with their IPs and announcing nodes, BGP sessions, pools')
    .addOption(nameOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(action(async (o: NameFlags & { output: 'text' | 'json' }) => {
      const { plan, state } = existing(o.name);
      const status = await labStatus(plan, state, kubeConfigFrom(plan.paths.kubeconfig));
      if (o.output === 'json') out(JSON.stringify(status, null, 2));
      else for (const line of statusText(status)) out(line);
    }));
}

function registerControl(lab: Command): void {
  lab.command('exec <host> [command...]')
    .description('run a command inside a host of the lab (node1..N, client, router, outside): lab exec client -- curl http://IP/')
    .addOption(nameOption())
    .action(action(async (host: string, command: string[], o: NameFlags) => labExec(existing(o.name).plan, host, command)));
  lab.command('kill <target>')
    .description('kill a node\'s speaker (SIGKILL), or with --link cut its link; "api" freezes the API server')
    .addOption(nameOption())
    .option('--link', 'cut the node\'s link at the switch instead of killing its speaker')
    .action(action(async (target: string, o: NameFlags & { link?: boolean }) => {
      const { plan, state } = existing(o.name);
      out(await labKill(plan, state, target, o.link === true ? 'link' : 'speaker'));
    }));
  lab.command('revive <target>')
    .description('undo kill: restart a node\'s speaker and restore its link; "api" resumes the API server')
    .addOption(nameOption())
    .action(action(async (target: string, o: NameFlags) => {
      const { plan, state } = existing(o.name);
      out(await labRevive(plan, state, target));
    }));
}

export function registerLab(program: Command): void {
  const lab = program.command('lab').description('a virtual bare-metal cluster in network namespaces, with a real router (needs root)');
  registerUpDown(lab);
  registerObjects(lab);
  registerControl(lab);
}
