/** The GitHub world the process-level benchmarks (memory, sync --once) serve from the fake. */
import type { GithubScenario } from '../connectors/github/fake.js';

/**
 * `perRepo` issues in each repository, created `strideMin` minutes apart from `t0`: half closed, a
 * quarter unassigned, every tenth blocked by an earlier one with acceptance criteria, every fifth in a
 * milestone.
 */
export function githubWorld(repos: readonly string[], perRepo: number, t0: number, strideMin: number): GithubScenario {
  return {
    repos: repos.map((fullName, r) => ({
      fullName,
      milestones: [{ number: 1, title: 'Q4', dueOn: '2026-12-18T08:00:00Z' }],
      issues: Array.from({ length: perRepo }, (_, i) => ({
        title: `Issue ${i} in ${fullName}: something that needs doing`,
        body: i % 10 === 0 ? `Blocked by #${Math.max(1, i - 3)}.\n\n## Acceptance criteria\n- works in staging\n- documented` : 'Something to do, see OPS-12. '.repeat(4),
        labels: i % 3 === 0 ? ['P2', 'bug'] : ['chore'],
        assignees: i % 4 === 0 ? [] : [`dev${i % 40}`],
        ...(i % 5 === 0 ? { milestone: 1 } : {}),
        state: i % 2 === 0 ? ('closed' as const) : ('open' as const),
        createdAt: new Date(t0 + (i * strideMin + r) * 60_000).toISOString().replace('.000Z', 'Z'),
      })),
    })),
  };
}
