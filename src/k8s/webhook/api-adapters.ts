/**
 * The webhook's Kubernetes I/O over @kubernetes/client-node: listing what an admission decision reads, the
 * certificate Secret, and the caBundle of the webhook configuration and of the BGPPeer CRD's conversion
 * webhook. Exactly these calls are what the controller's RBAC grants the webhook (checked by the RBAC test).
 */
import * as k8s from '@kubernetes/client-node';
import type { AdmissionInput } from '../../config/admission.js';
import { metallbGroup } from '../../api/kinds.js';
import { webhookNames } from '../../api/webhook-endpoints.js';
import { MetallbError } from '../../lib/errors.js';
import type { CaBundleTarget, CertStore, StoredCerts } from './cert-rotator.js';
import { conflictCode } from './cert-rotator.js';
import type { WebhookCertData } from './cert-plan.js';
import type { AdmissionReader } from './webhook-server.js';

const plurals: Readonly<Record<Exclude<AdmissionInput, 'nodes'>, { plural: string; version: string }>> = {
  pools: { plural: 'ipaddresspools', version: 'v1beta1' },
  l2Advertisements: { plural: 'l2advertisements', version: 'v1beta1' },
  bgpAdvertisements: { plural: 'bgpadvertisements', version: 'v1beta1' },
  peers: { plural: 'bgppeers', version: 'v1beta2' },
  bfdProfiles: { plural: 'bfdprofiles', version: 'v1beta1' },
  communities: { plural: 'communities', version: 'v1beta1' },
};

function httpCode(err: unknown): number | undefined {
  return err instanceof k8s.ApiException ? (err.code as number) : undefined;
}

/** Reads straight from the API server (not a cache), as MetalLB's webhooks do: two quick creates see each other. */
export function apiAdmissionReader(kc: k8s.KubeConfig, namespace: string): AdmissionReader {
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  return {
    async list(input) {
      if (input === 'nodes') return (await core.listNode()).items;
      const { plural, version } = plurals[input];
      const list = (await custom.listNamespacedCustomObject({ group: metallbGroup, version, namespace, plural })) as { items?: unknown[] };
      return list.items ?? [];
    },
  };
}

const decode = (data: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

const encode = (data: WebhookCertData): Record<string, string> =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));

export function secretCertStore(kc: k8s.KubeConfig, namespace: string, name: string = webhookNames.certSecret): CertStore {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const conflict = (err: unknown): never => {
    const code = httpCode(err);
    if (code === 409) throw new MetallbError(conflictCode, `writing Secret ${namespace}/${name}: conflict`, { cause: err });
    throw new MetallbError('ERR_WEBHOOK_CERT_SECRET', `writing Secret ${namespace}/${name}: ${code ?? (err as Error).message}`, { cause: err });
  };
  const body = (data: WebhookCertData, resourceVersion?: string): k8s.V1Secret => ({
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    data: encode(data),
  });
  return {
    async read(): Promise<StoredCerts | undefined> {
      try {
        const secret = await core.readNamespacedSecret({ name, namespace });
        return { data: decode(secret.data), resourceVersion: secret.metadata?.resourceVersion ?? '' };
      } catch (err) {
        if (httpCode(err) === 404) return undefined;
        throw new MetallbError('ERR_WEBHOOK_CERT_SECRET', `reading Secret ${namespace}/${name}: ${httpCode(err) ?? (err as Error).message}`, { cause: err });
      }
    },
    async create(data) {
      await core.createNamespacedSecret({ namespace, body: body(data) }).catch(conflict);
    },
    async replace(data, resourceVersion) {
      await core.replaceNamespacedSecret({ name, namespace, body: body(data, resourceVersion) }).catch(conflict);
    },
  };
}

/** A 404 becomes `value`; other errors pass. */
const absentAs = <T>(value: T) => (err: unknown): T => {
  if (httpCode(err) === 404) return value;
  throw err;
};

type JsonPatch = { op: 'test' | 'add'; path: string; value: unknown }[];

/** The webhooks of the configuration that call our Service get the bundle (a JSON patch guarded by `test` ops). */
export function webhookConfigurationTarget(kc: k8s.KubeConfig, namespace: string, name: string = webhookNames.configuration): CaBundleTarget {
  const api = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  return {
    name: `ValidatingWebhookConfiguration/${name}`,
    async ensure(caBundlePem) {
      const want = Buffer.from(caBundlePem, 'utf8').toString('base64');
      // Deleted to turn the webhook off (docs/deploy.md): nothing to write.
      const vwc = await api.readValidatingWebhookConfiguration({ name }).catch(absentAs(undefined));
      if (vwc === undefined) return false;
      const patch: JsonPatch = [];
      (vwc.webhooks ?? []).forEach((w, i) => {
        const svc = w.clientConfig.service;
        if (svc?.name !== webhookNames.service || svc.namespace !== namespace || w.clientConfig.caBundle === want) return;
        patch.push({ op: 'test', path: `/webhooks/${i}/name`, value: w.name }, { op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: want });
      });
      if (patch.length === 0) return false;
      await api.patchValidatingWebhookConfiguration({ name, body: patch });
      return true;
    },
  };
}

/** The conversion webhook of the BGPPeer CRD. */
export function conversionWebhookTarget(kc: k8s.KubeConfig, name = `bgppeers.${metallbGroup}`): CaBundleTarget {
  const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
  return {
    name: `CustomResourceDefinition/${name}`,
    async ensure(caBundlePem) {
      const want = Buffer.from(caBundlePem, 'utf8').toString('base64');
      const crd = await api.readCustomResourceDefinition({ name }).catch(absentAs(undefined));
      const clientConfig = crd?.spec.conversion?.webhook?.clientConfig;
      if (clientConfig === undefined || clientConfig.caBundle === want) return false;
      await api.patchCustomResourceDefinition({ name, body: [
        { op: 'test', path: '/spec/conversion/strategy', value: 'Webhook' },
        { op: 'add', path: '/spec/conversion/webhook/clientConfig/caBundle', value: want },
      ] });
      return true;
    },
  };
}
