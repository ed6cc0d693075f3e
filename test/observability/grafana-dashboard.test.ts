// grafana/baton-dashboard.json: an importable Grafana dashboard (datasource as the
// ${DS_PROMETHEUS} input, panels on a non-overlapping grid) whose queries only name
// metrics that GET /metrics really exposes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

type Panel = {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; refId: string; datasource?: { uid: string } }>;
};

const dashboard = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../grafana/baton-dashboard.json'), 'utf8')) as {
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  schemaVersion: number;
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; datasource: { uid: string } }> };
};
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

let h: Harness;
let exposition: string;
beforeAll(async () => {
  h = await startHarness({ workers: false });
  const res = await h.http.get('/metrics');
  expect(res.status).toBe(200);
  exposition = res.text;
});
afterAll(async () => {
  await h?.close();
});

describe('grafana/baton-dashboard.json', () => {
  it('is an importable dashboard model with a Prometheus datasource input', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    expect(dashboard.title).toBe('Baton');
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);

    const ids = new Set<number>();
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(ids.has(panel.id), `duplicate panel id ${panel.id}`).toBe(false);
      ids.add(panel.id);
      const { x, y, w, h: height } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let cx = x; cx < x + w; cx++)
        for (let cy = y; cy < y + height; cy++) {
          expect(cells.has(`${cx},${cy}`), `${panel.title} overlaps another panel`).toBe(false);
          cells.add(`${cx},${cy}`);
        }
      if (panel.type === 'row') continue;
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
    for (const variable of dashboard.templating.list) expect(variable.datasource.uid).toBe('${DS_PROMETHEUS}');
  });

  it('has the panels operations asked for', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase());
    for (const wanted of [
      'inbound messages / s',
      'outbound messages / s',
      'queue depth',
      'job duration p50 / p99',
      'handoffs / s by pattern and status',
      'handoff success rate',
      'handoff transition latency p50 / p99',
      'context-loss incidents',
      'escalations waiting',
      'time to claim p50 / p90',
      'provider errors',
      'http p99',
    ]) {
      expect(titles.some((t) => t.includes(wanted)), wanted).toBe(true);
    }
  });

  it('queries only metrics that GET /metrics exposes', () => {
    const exposed = new Set([...exposition.matchAll(/^# TYPE (\w+) (\w+)$/gm)].flatMap(([, name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
    ));
    const referenced = new Set(queries.flatMap(({ expr }) => [...expr.matchAll(/\b(baton_\w+)/g)].map((m) => m[1]!)));
    expect(referenced.size).toBeGreaterThanOrEqual(11);
    for (const name of referenced) expect(exposed.has(name), `${name} is not in GET /metrics`).toBe(true);
    for (const { panel, expr } of queries) {
      for (const [open, close] of ['()', '{}', '[]']) {
        expect(expr.split(open!).length, `${panel}: ${expr}`).toBe(expr.split(close!).length);
      }
    }
  });
});
