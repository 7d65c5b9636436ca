import { NumberField } from '../components/NumberField';

export interface SliderFieldProps {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onCommit: (v: number) => void;
  /** Test id of the number box; the slider gets `<testId>-slider`. */
  testId: string;
  integer?: boolean;
  title?: string;
}

/** A linear slider beside a number box for exact values (the lab's momentum field, reusable). */
export function SliderField({ label, value, min, max, step, onCommit, testId, integer, title }: SliderFieldProps) {
  return (
    <div className="slider-field" title={title}>
      <NumberField label={label} value={value} min={min} max={max} step={step} integer={integer} testId={testId} onCommit={onCommit} />
      <input
        type="range"
        aria-label={`${label} slider`}
        min={min}
        max={max}
        step={step}
        value={value}
        data-testid={`${testId.replace(/-input$/, '')}-slider`}
        onChange={(e) => onCommit(Number(e.target.value))}
      />
    </div>
  );
}
