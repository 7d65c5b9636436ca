import { useId, useState } from 'react';

export interface NumberFieldProps {
  label: string;
  value: number;
  onCommit: (v: number) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  integer?: boolean;
  disabled?: boolean;
  testId?: string;
  title?: string;
}

/** "batch size: a whole number from 1 to 1024": what a field accepts, for its error message. */
export function rangeText(label: string, min: number | undefined, max: number | undefined, integer: boolean | undefined): string {
  const kind = integer ? 'a whole number' : 'a number';
  if (min !== undefined && max !== undefined) return `${label}: ${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${label}: ${kind} of at least ${min}`;
  if (max !== undefined) return `${label}: ${kind} of at most ${max}`;
  return `${label}: ${kind}`;
}

/**
 * A number box that commits only valid values: while the user types "0.0" on the way to
 * "0.05", nothing half-typed reaches the config or a running arm.
 */
export function NumberField({ label, value, onCommit, min, max, step = 'any', integer, disabled, testId, title }: NumberFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const valid = (v: number) => Number.isFinite(v) && (min === undefined || v >= min) && (max === undefined || v <= max) && (!integer || Number.isInteger(v));
  const text = draft ?? String(value);
  const invalid = draft !== null && !valid(Number(draft));
  return (
    <label className="field" htmlFor={id} title={title}>
      <span className="field-label">{label}</span>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        value={text}
        min={min}
        max={max}
        step={step}
        disabled={disabled}
        aria-invalid={invalid}
        data-testid={testId}
        onChange={(e) => {
          setDraft(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value.trim() !== '' && valid(v)) onCommit(v);
        }}
        onBlur={() => setDraft(null)}
      />
      {invalid && (
        <span className="field-error error-text" role="alert" data-testid={testId ? `${testId}-error` : undefined}>
          {rangeText(label, min, max, integer)}; the last valid value stays in use
        </span>
      )}
    </label>
  );
}
