import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * docs/contracts.md section 5 lists the page's test ids; browser tests and people's scripts rely
 * on them. Both directions are checked: every id the UI sets is listed, and every id listed is set.
 */

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** Test ids written as literals in the UI: `data-testid="x"` and the `testId="x"` props of the field components. */
function idsInCode(): Set<string> {
  const ids = new Set<string>();
  for (const file of sources('src/ui')) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:data-testid|testId)="([a-z0-9-]+)"/g)) ids.add(m[1]);
  }
  return ids;
}

/** Every backticked name in the first column of section 5's tables, attributes (`data-*`) aside. */
function idsInContract(): Set<string> {
  const text = readFileSync('docs/contracts.md', 'utf8');
  const section = text.slice(text.indexOf('## 5. UI hooks'), text.indexOf('## 6. '));
  const ids = new Set<string>();
  for (const line of section.split('\n')) {
    const first = /^\| ([^|]+) \|/.exec(line)?.[1] ?? '';
    for (const m of first.matchAll(/`([a-z0-9<>+-]+)`/g)) if (!m[1].startsWith('data-')) ids.add(m[1]);
  }
  return ids;
}

describe('the test ids of docs/contracts.md', () => {
  const code = idsInCode();
  const contract = idsInContract();

  it('finds the UI ids and the contract tables (the scan itself works)', () => {
    expect(code.has('start')).toBe(true);
    expect(contract.has('start')).toBe(true);
    expect(code.size).toBeGreaterThan(100);
  });

  it('lists every id the UI sets', () => {
    expect([...code].filter((id) => !contract.has(id))).toEqual([]);
  });

  it('lists no id the UI does not set', () => {
    // Ids made in code from another: `<id>-slider` beside a number box, `<id>-error` under it,
    // `nav-<view>` and `landscape-arm-<key>`.
    const derived = (id: string) =>
      (id.endsWith('-slider') && code.has(`${id.slice(0, -'-slider'.length)}-input`)) ||
      ['<id>-error', 'nav-lab', 'nav-landscape', 'nav-sweeps', 'landscape-arm-<key>'].includes(id);
    expect([...contract].filter((id) => !code.has(id) && !derived(id))).toEqual([]);
  });
});
