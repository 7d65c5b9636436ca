import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store';
import { armColor } from '../charts/colors';
import { renderImage } from '../samples/pixels';
import { SampleCanvas } from './SampleCanvas';

/** The pix2pix sample grid: per fixed val sample, the input, each arm's output and the target, refreshed at each evaluation. */
export function TranslateSamples() {
  const { config, byArm } = useAppStore(useShallow((s) => ({ config: s.run.config, byArm: s.samplesByArm })));
  const arms = useMemo(() => (config?.arms ?? []).map((a, i) => ({ name: a.name, color: armColor(i) })), [config]);
  const ref = arms.map((a) => byArm[a.name]).find((s) => s !== undefined);
  const rows = useMemo(() => {
    if (!ref) return [];
    const { input, target, count, size, channels } = ref.samples;
    const cols = Array.from({ length: count }, (_, i) => i);
    const picture = (bytes: Uint8Array) => cols.map((i) => renderImage(bytes, i, size, channels));
    return [
      { key: 'input', label: 'input', kind: 'input', pictures: picture(input) as (Uint8ClampedArray<ArrayBuffer> | null)[] },
      ...arms.map((a) => {
        const s = byArm[a.name];
        return {
          key: `arm-${a.name}`,
          label: a.name,
          kind: 'output',
          arm: a.name,
          color: a.color,
          step: s?.step,
          pictures: cols.map((i) => (s && i < s.samples.count ? renderImage(s.samples.output, i, size, channels) : null)),
        };
      }),
      { key: 'target', label: 'target', kind: 'target', pictures: picture(target) },
    ];
  }, [ref, arms, byArm]);

  return (
    <section className="samples-panel" aria-label="translation samples">
      <div className="samples-block">
        <h2>Val samples: input, each arm&apos;s output, target</h2>
        {!ref ? (
          <p className="muted">Each arm&apos;s generated images for fixed val inputs appear at the first evaluation.</p>
        ) : (
          <div className="sample-grid" data-testid="translate-grid" data-step={ref.step} style={{ gridTemplateColumns: `7.5em repeat(${ref.samples.count}, minmax(0, 72px))` }}>
            {rows.map((r) => (
              <div className="sample-row" key={r.key} data-kind={r.kind} data-arm={'arm' in r ? r.arm : undefined}>
                <span className="sample-row-label">
                  {'color' in r && <span className="swatch" style={{ background: r.color }} />}
                  {r.label}
                  {'step' in r && r.step !== undefined && <span className="muted"> @{r.step}</span>}
                </span>
                {r.pictures.map((p, i) =>
                  p ? (
                    <SampleCanvas key={i} pixels={p} size={ref.samples.size} kind={r.kind} arm={'arm' in r ? r.arm : undefined} sample={i} label={`${r.label}, val sample ${i + 1}`} />
                  ) : (
                    <span key={i} className="sample-missing" />
                  ),
                )}
              </div>
            ))}
          </div>
        )}
      </div>
    </section>
  );
}
