/** The test API server (test and lab infrastructure). See server.ts and docs/test-apiserver.md. */
export { start, type ApiServer, type ApiServerOptions, type KubeconfigOptions, type ObjectChange } from './server.js';
export type { DelayFault, ErrorFault, FaultHandle, FaultMatch, Faults, RequestInfo, Verb } from './faults.js';
export type { RequestRecord } from './request-handler.js';
