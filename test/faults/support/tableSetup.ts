// Global setup of the fault suite: a file the fault tests append their rows to, and,
// when the suite ends, the whole table printed once.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { formatRow, TABLE_HEADER, type FaultRow } from './tally.ts';

export default function setup(project: TestProject) {
  const dir = path.resolve(import.meta.dirname, '../../../.data/test-faults');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `table-${process.pid}.jsonl`);
  writeFileSync(file, '');
  project.provide('faultTablePath', file);
  return () => {
    const rows = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as FaultRow)
      .sort((a, b) => a.fault.localeCompare(b.fault));
    rmSync(file, { force: true });
    if (!rows.length) return;
    const table = [TABLE_HEADER, ...rows.map(formatRow)];
    const width = table.map((l) => l.split(' | ')).reduce<number[]>((w, cells) => cells.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
    const pretty = table.map((l) => l.split(' | ').map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join(' | '));
    process.stdout.write(`\nFault table\n${pretty.join('\n')}\n`);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    faultTablePath: string;
  }
}
