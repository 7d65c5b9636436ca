import { beforeAll, describe, expect, it } from 'vitest';
import { useWasm } from '../testing/nodeBackends';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultSoakJsonPath, runSoak, writeSoakJson } from './soak';

describe('soak', () => {
  beforeAll(useWasm);

  it('samples a long run and finds no tensor growth (a short soak: the same code as --soak)', async () => {
    const samples: number[] = [];
    const maxPendingSteps = 8;
    const report = await runSoak({ minutes: 6 / 60, everySeconds: 0.5, warmupSeconds: 0.5, maxPendingSteps, onSample: (s) => samples.push(s.numTensors) });
    expect(report.samples.length).toBeGreaterThanOrEqual(6);
    expect(report.steps).toBeGreaterThan(10);
    // Every tensor the run made is gone once it is disposed.
    expect(report.tensorsLeft).toBe(0);
    // While it runs the count stays within a band: only the losses and gradient norms awaiting
    // a read-back move it, two scalars per arm (plain and RG) per lock step, at most
    // maxPendingSteps lock steps of them however fast the machine is (in seconds-long runs that
    // band is the whole signal; the 30-minute soak compares thirds).
    expect(Math.max(...samples) - Math.min(...samples)).toBeLessThanOrEqual(2 * 2 * maxPendingSteps);
    expect(report.samples.every((s) => s.heapUsed > 0 && s.numBytes > 0)).toBe(true);

    // The JSON --soak writes (the README's soak figures come from it) holds the report and its source.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'soak-'));
    try {
      const file = path.join(dir, 'soak.json');
      writeSoakJson(file, report, 'npm run bench -- --soak --minutes 0.1');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as typeof report & { date: string; command: string; machine: string };
      expect(saved.steps).toBe(report.steps);
      expect(saved.samples).toEqual(report.samples);
      expect(saved.ok).toBe(report.ok);
      expect(saved.command).toContain('--soak');
      expect(Number.isNaN(Date.parse(saved.date))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(defaultSoakJsonPath('node', 30)).toBe('docs/soak-node-30min.json');
  });
});
