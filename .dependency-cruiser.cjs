/**
 * The architecture in DESIGN.md, checked: a violation fails `npm run lint` and so CI.
 *  - src/core is pure: it imports nothing that does I/O.
 *  - connectors import the model, the port and shared pure helpers; never the store, pipeline or server.
 *  - only the composition root (src/main.ts) and the registry (connectors/index.ts) name concrete tools.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'src/core takes plain data and `now`; I/O lives in the shell',
      severity: 'error',
      from: { path: '^src/core/' },
      to: {
        path: [
          '^src/(store|pipeline|server|config|sandbox|cli)',
          '^src/(main|cli|log)\\.ts$',
          '^connectors/',
          '^(node:)?(fs|fs/promises|http|https|http2|net|dgram|child_process|worker_threads|cluster|dns|tls|readline|os|process)$',
          'node_modules/(better-sqlite3|pino|pino-pretty|fastify|undici|commander|@octokit|jira\\.js|@slack|@notionhq|p-queue|croner|prom-client)/',
        ],
      },
    },
    {
      name: 'connectors-stay-in-their-lane',
      comment: 'connectors never import the store, the pipeline or the server',
      severity: 'error',
      from: { path: '^connectors/' },
      to: { path: '^src/(store|pipeline|server|cli|sandbox)|^src/(main|cli)\\.ts$' },
    },
    {
      name: 'only-the-root-names-tools',
      comment: 'only src/main.ts and connectors/index.ts import a concrete connector',
      severity: 'error',
      from: { path: '^(src|connectors/[^/]+\\.ts$)', pathNot: '^src/main\\.ts$|^connectors/index\\.ts$|^src/sandbox/' },
      to: { path: '^connectors/(github|jira|slack|notion|email)/' },
    },
    {
      name: 'connectors-do-not-import-each-other',
      severity: 'error',
      comment: 'connectors share code only through connectors/kit (scaffolding for fakes, signatures)',
      from: { path: '^connectors/([^/]+)/' },
      to: { path: '^connectors/([^/]+)/', pathNot: '^connectors/($1|kit)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-test-or-bench',
      severity: 'error',
      from: { path: '^(src|connectors)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    exclude: { path: '(^|/)(dist|node_modules)/' },
  },
};
