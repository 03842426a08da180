import { ControllerEnv, settled } from './dist/test/support/controller-env.js';
const env = await ControllerEnv.create();
await env.pool('p', { addresses: ['10.0.0.0/16'] });
const ctl = await env.controller(); await settled(ctl);
const created = new Map(), done = new Map();
env.api.onChange((c) => { if (c.resource !== 'services') return; const n = c.object.metadata.name; if (c.type === 'ADDED') created.set(n, performance.now()); else if (!done.has(n) && c.object.status?.loadBalancer?.ingress?.length) done.set(n, performance.now()); });
for (let i = 0; i < 200; i++) { void env.service('s' + i); await new Promise(r => setTimeout(r, 10)); }
await settled(ctl); await new Promise(r => setTimeout(r, 500));
const ms = [...done].map(([n, t]) => t - created.get(n)).sort((a, b) => a - b);
console.log('in-process p50', ms[100].toFixed(1), 'p99', ms[197].toFixed(1), 'n', ms.length);
await env.close();
