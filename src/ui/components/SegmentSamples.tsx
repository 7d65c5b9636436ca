import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { EvalRecord } from '../../engine/records';
import type { ArmSamples } from '../../engine/trainer';
import { useAppStore } from '../../store';
import { firstSeedOf, type BySeed } from '../../store/metricsSlice';
import { armColor } from '../charts/colors';
import { latestPerClassIoU, renderImage, renderMaskOverlay, type Rgb } from '../samples/pixels';
import { SampleCanvas } from './SampleCanvas';

/**
 * Segmentation results: the fixed val samples (image, ground truth, each arm's prediction,
 * masks blended over the image in the dataset's palette), the class legend, and each arm's
 * per-class IoU at its latest evaluation.
 */

interface ArmInfo {
  name: string;
  color: string;
}

function className(names: readonly string[], k: number): string {
  return names[k] ?? `class ${k}`;
}

/** Image, truth and one prediction row per arm, one column per sample. */
function OverlayGrid({ arms, byArm, palette }: { arms: ArmInfo[]; byArm: Record<string, ArmSamples>; palette: Rgb[] }) {
  const ref = arms.map((a) => byArm[a.name]).find((s) => s !== undefined);
  const rows = useMemo(() => {
    if (!ref) return [];
    const { input, target, count, size, channels } = ref.samples;
    const cols = Array.from({ length: count }, (_, i) => i);
    const out: { key: string; label: string; kind: string; arm?: string; color?: string; step?: number; pictures: (Uint8ClampedArray<ArrayBuffer> | null)[] }[] = [
      { key: 'image', label: 'image', kind: 'image', pictures: cols.map((i) => renderImage(input, i, size, channels)) },
      { key: 'truth', label: 'ground truth', kind: 'truth', pictures: cols.map((i) => renderMaskOverlay(input, target, i, size, channels, palette)) },
    ];
    for (const a of arms) {
      const s = byArm[a.name];
      out.push({
        key: `arm-${a.name}`,
        label: a.name,
        kind: 'prediction',
        arm: a.name,
        color: a.color,
        step: s?.step,
        pictures: cols.map((i) => (s && i < s.samples.count ? renderMaskOverlay(input, s.samples.output, i, size, channels, palette) : null)),
      });
    }
    return out;
  }, [ref, arms, byArm, palette]);
  if (!ref) return <p className="muted">Each arm&apos;s predictions on fixed val images appear at the first evaluation.</p>;
  const { count, size } = ref.samples;
  return (
    <div className="sample-grid" data-testid="segment-overlays" data-step={ref.step} style={{ gridTemplateColumns: `7.5em repeat(${count}, minmax(0, 72px))` }}>
      {rows.map((r) => (
        <div className="sample-row" key={r.key} data-kind={r.kind} data-arm={r.arm}>
          <span className="sample-row-label">
            {r.color && <span className="swatch" style={{ background: r.color }} />}
            {r.label}
            {r.step !== undefined && <span className="muted"> @{r.step}</span>}
          </span>
          {r.pictures.map((p, i) =>
            p ? (
              <SampleCanvas key={i} pixels={p} size={size} kind={r.kind} arm={r.arm} sample={i} label={`${r.label}, val sample ${i + 1}`} />
            ) : (
              <span key={i} className="sample-missing" />
            ),
          )}
        </div>
      ))}
    </div>
  );
}

/** The palette: one swatch per class, and void. */
function ClassLegend({ classNames, palette }: { classNames: string[]; palette: Rgb[] }) {
  return (
    <ul className="class-legend" data-testid="class-legend" aria-label="class legend">
      {palette.map((c, k) => (
        <li key={k}>
          <span className="swatch" style={{ background: `rgb(${c.join(',')})` }} />
          {className(classNames, k)}
        </li>
      ))}
      <li>
        <span className="swatch swatch-void" />
        void (255, not scored)
      </li>
    </ul>
  );
}

/** Per class, one bar per arm: the IoU at the arm's latest evaluation; n/a for a class absent from truth and prediction. */
function PerClassIoU({ arms, evalsByArm, classNames, palette }: { arms: ArmInfo[]; evalsByArm: BySeed<EvalRecord>; classNames: string[]; palette: Rgb[] | null }) {
  const latest = arms.map((a) => latestPerClassIoU(firstSeedOf(evalsByArm, a.name)));
  const classes = Math.max(0, ...latest.map((v) => v?.length ?? 0));
  if (classes === 0) return <p className="muted">Per-class IoU appears at the first evaluation.</p>;
  return (
    <table className="iou-bars" data-testid="per-class-iou">
      <tbody>
        {Array.from({ length: classes }, (_, k) => (
          <tr key={k} data-class={k}>
            <th scope="row">
              {palette?.[k] && <span className="swatch" style={{ background: `rgb(${palette[k].join(',')})` }} />}
              {className(classNames, k)}
            </th>
            <td>
              {arms.map((a, i) => {
                const v = latest[i]?.[k];
                const absent = v === undefined || v < 0;
                return (
                  <div className="iou-bar-row" key={a.name} data-arm={a.name} title={`${a.name}: ${absent ? 'n/a (class absent from truth and prediction)' : v.toFixed(3)}`}>
                    <span className="iou-bar-track">{!absent && <span className="iou-bar" style={{ width: `${v * 100}%`, background: a.color }} />}</span>
                    <span className="iou-value">{absent ? 'n/a' : `${(v * 100).toFixed(1)}%`}</span>
                  </div>
                );
              })}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The segmentation panel under the charts. */
export function SegmentSamples() {
  const { config, byArm, palette, evalsByArm, classNames } = useAppStore(
    useShallow((s) => ({
      config: s.run.config,
      byArm: s.samplesByArm,
      palette: s.samplePalette,
      evalsByArm: s.evalsByArm,
      classNames: s.dataset.summary?.classNames,
    })),
  );
  const arms = useMemo(() => (config?.arms ?? []).map((a, i) => ({ name: a.name, color: armColor(i) })), [config]);
  const names = classNames ?? [];
  return (
    <section className="samples-panel" aria-label="segmentation samples">
      <div className="samples-block">
        <h2>Val samples: image, ground truth, predictions</h2>
        {palette && <ClassLegend classNames={names} palette={palette} />}
        <OverlayGrid arms={arms} byArm={byArm} palette={palette ?? []} />
      </div>
      <div className="samples-block">
        <h2>Per-class IoU (latest evaluation)</h2>
        <PerClassIoU arms={arms} evalsByArm={evalsByArm} classNames={names} palette={palette} />
      </div>
    </section>
  );
}
