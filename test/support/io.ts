/** A captured Io for running CLI commands in-process. */
import type { Io } from '../../src/cli/io.js';

export function captureIo(over: Partial<Io> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false, env: {}, cwd: process.cwd(), ...over };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}
