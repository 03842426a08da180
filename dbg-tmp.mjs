import { ControllerEnv, settled } from './dist/test/support/controller-env.js';
const env = await ControllerEnv.create();
await env.pool('p', { addresses: ['10.0.0.0/16'] });
const ctl = await env.controller(); await settled(ctl);
const t0 = performance.now(); const c0 = process.cpuUsage();
const work = [];
for (let i = 0; i < 2000; i++) { work.push(env.service('s' + i)); if (work.length > 32) await Promise.all(work.splice(0)); }
await Promise.all(work);
await new Promise(r => setTimeout(r, 200));
await settled(ctl);
const c = process.cpuUsage(c0);
console.log('wall', (performance.now() - t0).toFixed(0), 'cpu ms/service (server+controller+client)', ((c.user + c.system) / 1000 / 2000).toFixed(2));
await env.close();
