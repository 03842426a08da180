// The layer rules of DESIGN.md, checked in CI. Type-only imports are allowed where the rule says "no value".
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'nothing-imports-cmd', severity: 'error',
      from: { pathNot: '^src/cmd/' }, to: { path: '^src/cmd/' },
    },
    {
      name: 'protocol-is-sans-io', severity: 'error',
      comment: 'protocol/ imports only protocol/ and the pure parts of lib/ (no node:* modules, no clock, no logger)',
      from: { path: '^src/protocol/' },
      to: { pathNot: ['^src/protocol/', '^src/lib/(assert|errors|ip)\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'lib-has-no-domain', severity: 'error',
      from: { path: '^src/lib/' }, to: { path: '^src/(?!lib/)' },
    },
    {
      name: 'only-k8s-uses-the-client', severity: 'error',
      comment: 'only k8s/ (and lab/ test infrastructure, cmd/ wiring) may import a value from @kubernetes/client-node',
      from: { pathNot: '^src/(k8s|lab|cmd)/' },
      to: { path: '@kubernetes/client-node', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-net-opens-sockets', severity: 'error',
      comment: 'sockets and the native addon are reached only through net/ (k8s/, lab/ and cmd/ may serve HTTP)',
      from: { path: '^src/', pathNot: '^src/(net|k8s|lab|cmd)/' },
      to: { path: ['^native/', '^(node:)?(net|dgram|http|https|tls)$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pure-domain-takes-interfaces', severity: 'error',
      comment: 'config/, ipam/, controller/, speaker/ receive interfaces: no value imports from k8s/ or net/',
      from: { path: '^src/(config|ipam|controller|speaker)/' },
      to: { path: '^src/(k8s|net)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pure-core-is-pure', severity: 'error',
      comment: 'config/ and ipam/ are pure functions of plain data',
      from: { path: '^src/(config|ipam)/' },
      to: { path: ['^src/(speaker|controller|lab)/', '^(node:)?(fs|child_process|os)$'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
