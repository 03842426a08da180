/**
 * `metallb-ts explain NAMESPACE/SERVICE`: why a Service has (or lacks) its address, which node announces it
 * and why that one, which peers get its route (src/explain/). Wiring only. Exit 0 explained, 1 no such
 * Service, 2 the cluster could not be read.
 */
import { Option, type Command } from 'commander';
import { explain } from '../explain/explain.js';
import { explanationText } from '../explain/explain-text.js';
import { readClusterSnapshot } from '../k8s/cluster-snapshot.js';
import { loadKubeConfig } from '../k8s/kube-config.js';
import { errorMessage } from '../lib/errors.js';
import { withDeadline } from '../lab/cluster/lab-api.js';
import { defaultLabRoot, labPaths } from '../lab/cluster/lab-plan.js';

interface ExplainFlags {
  kubeconfig?: string;
  lab?: string | boolean;
  output: 'text' | 'json';
  namespace: string;
  lbClass: string;
  speakerSelector: string;
  timeout: string;
}

async function runExplain(target: string, flags: ExplainFlags): Promise<number> {
  const slash = target.indexOf('/');
  const service = slash < 0 ? { namespace: 'default', name: target } : { namespace: target.slice(0, slash), name: target.slice(slash + 1) };
  const lab = flags.lab === true ? 'lab' : flags.lab === false ? undefined : flags.lab;
  const kubeconfig = flags.kubeconfig ?? (lab === undefined ? undefined : labPaths(lab, defaultLabRoot).kubeconfig);
  try {
    const kc = loadKubeConfig({ kubeconfig });
    const snapshot = await withDeadline(readClusterSnapshot(kc, {
      namespace: flags.namespace, loadBalancerClass: flags.lbClass, service, speakerSelector: flags.speakerSelector,
    }), Number(flags.timeout) * 1000, 'reading the cluster');
    const e = explain(snapshot, `${service.namespace}/${service.name}`);
    process.stdout.write(flags.output === 'json' ? `${JSON.stringify(e, null, 2)}\n` : `${explanationText(e).join('\n')}\n`);
    return e.allocation.state === 'notFound' ? 1 : 0;
  } catch (err) {
    process.stderr.write(`explain: ${errorMessage(err)}\n`);
    return 2;
  }
}

export function registerExplain(program: Command): void {
  program
    .command('explain <service>')
    .description('why a Service (NAMESPACE/NAME) has or lacks its IP, which node announces it and why, which peers get its route')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--lab [name]', 'explain in a metallb-ts lab (its kubeconfig; default lab "lab")')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-n, --namespace <ns>', 'the MetalLB namespace', 'metallb-system')
    .option('--lb-class <class>', 'the controller\'s and speakers\' --lb-class', '')
    .option('--speaker-selector <selector>', 'label selector of the speaker Pods', 'component=speaker')
    .option('--timeout <seconds>', 'give up reading the cluster after this long', '20')
    .action(async (target: string, flags: ExplainFlags) => {
      // A request left hanging by the deadline must not keep the process alive.
      process.exit(await runExplain(target, flags));
    });
}
