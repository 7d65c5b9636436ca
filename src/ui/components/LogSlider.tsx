import { useId } from 'react';
import { NumberField } from './NumberField';

export interface LogSliderProps {
  label: string;
  value: number;
  min: number;
  max: number;
  onCommit: (v: number) => void;
  /** Test id of the number box; the slider gets `<testId>-slider`. */
  testId: string;
  disabled?: boolean;
  title?: string;
}

/** A logarithmic slider (for learning rates) beside a number box for exact values. */
export function LogSlider({ label, value, min, max, onCommit, testId, disabled, title }: LogSliderProps) {
  const id = useId();
  const lo = Math.log10(min);
  const hi = Math.log10(max);
  const pos = Math.min(hi, Math.max(lo, Math.log10(value)));
  return (
    <div className="log-slider" title={title}>
      <NumberField label={label} value={value} min={min} max={max} onCommit={onCommit} testId={testId} disabled={disabled} />
      <input
        id={id}
        type="range"
        aria-label={`${label} (log scale)`}
        min={lo}
        max={hi}
        step={0.01}
        value={pos}
        disabled={disabled}
        data-testid={`${testId.replace(/-input$/, '')}-slider`}
        onChange={(e) => onCommit(Number((10 ** Number(e.target.value)).toPrecision(3)))}
      />
    </div>
  );
}
