import { useId, useState } from 'react';
import { formatNumberList, parseNumberList, SweepError } from '../../sweep';

export interface NumberListFieldProps {
  label: string;
  values: readonly number[];
  onCommit: (values: number[]) => void;
  range: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean };
  testId: string;
  title?: string;
}

/** A text box for a list of numbers ("0.01, 0.001"): commits only a list that parses, and says what is wrong otherwise. */
export function NumberListField({ label, values, onCommit, range, testId, title }: NumberListFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <label className="field" htmlFor={id} title={title}>
      <span className="field-label">{label}</span>
      <input
        id={id}
        type="text"
        spellCheck={false}
        value={draft ?? formatNumberList(values)}
        aria-invalid={error !== null}
        data-testid={testId}
        onChange={(e) => {
          setDraft(e.target.value);
          try {
            onCommit(parseNumberList(e.target.value, label, range));
            setError(null);
          } catch (err) {
            if (!(err instanceof SweepError)) throw err;
            setError(err.message);
          }
        }}
        onBlur={() => {
          setDraft(null);
          setError(null);
        }}
      />
      {error && <span className="error-text">{error}</span>}
    </label>
  );
}
