// Timing helpers for `npm run bench`: runs commands as fresh processes, alternating, and summarizes.
import { spawn } from 'node:child_process';

/** One command to time. */
export interface Subject {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** Timing summary of one subject, in milliseconds. */
export interface Summary {
  name: string;
  runs: number;
  median: number;
  mean: number;
  p90: number;
  min: number;
}

/** Runs one subject to completion; asynchronous so that servers in this process keep answering. */
export function runOnce(subject: Subject): Promise<number> {
  const start = process.hrtime.bigint();
  const child = spawn(subject.command, subject.args, { env: subject.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${subject.name} failed (exit ${code}): ${stderr.slice(0, 500)}`));
    });
  });
}

function summarize(name: string, samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return {
    name,
    runs: samples.length,
    median: at(0.5),
    mean: samples.reduce((sum, value) => sum + value, 0) / samples.length,
    p90: at(0.9),
    min: sorted[0] as number,
  };
}

/** How the runs of several subjects interleave. */
export type RunOrder = 'round-robin' | 'back-to-back';

/**
 * Times the subjects after `warmup` untimed rounds: round-robin (so machine noise hits all alike), or
 * back-to-back, each subject's runs in a row as hyperfine times them, where a small executable keeps
 * its pages and caches warm between runs instead of following a 100 MB Node start.
 */
export async function compare(subjects: readonly Subject[], runs: number, warmup = 3, order: RunOrder = 'round-robin'): Promise<Summary[]> {
  const samples = subjects.map(() => [] as number[]);
  if (order === 'back-to-back') {
    for (const [index, subject] of subjects.entries()) {
      for (let i = 0; i < warmup; i++) await runOnce(subject);
      for (let i = 0; i < runs; i++) samples[index]?.push(await runOnce(subject));
    }
    return subjects.map((subject, index) => summarize(subject.name, samples[index] ?? []));
  }
  for (let i = 0; i < warmup; i++) for (const subject of subjects) await runOnce(subject);
  for (let i = 0; i < runs; i++) {
    for (const [index, subject] of subjects.entries()) samples[index]?.push(await runOnce(subject));
  }
  return subjects.map((subject, index) => summarize(subject.name, samples[index] ?? []));
}

/** A markdown table of summaries with each median's ratio to the first subject's median. */
export function table(summaries: readonly Summary[]): string {
  const base = summaries[0]?.median ?? 1;
  const rows = summaries.map(
    (s) => `| ${s.name} | ${s.runs} | ${s.median.toFixed(1)} | ${s.mean.toFixed(1)} | ${s.p90.toFixed(1)} | ${(s.median / base).toFixed(2)}× |`,
  );
  return ['| subject | runs | median ms | mean ms | p90 ms | ratio (median) |', '|---|---|---|---|---|---|', ...rows].join('\n');
}
